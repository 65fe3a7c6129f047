/*
 * Provider protocols: resolve a finished generation in a provider's job
 * queue and stream it, keeping its provenance, never losing or overwriting
 * a fetched generation.
 *
 *   open:  credential -> (cache hit? serve the cached copy) -> poll the job
 *          with backoff until it is finished -> open the result stream ->
 *          (cache_dir: fetch it whole into the cache, then serve the copy)
 *   read:  from the stream; a broken transfer resumes at its byte with a
 *          range request; a refused result URL (expired signature) is
 *          resolved again from the job, once for each failure
 *   seek:  range requests, when the server allows them
 *
 * The JSON APIs are spoken by a small HTTP/1.1 client over FFmpeg's tcp/tls
 * (see aipost/httpmsg.h for why); the credential goes only to the api_base
 * origin and only in headers this file writes; it is never logged. Result
 * bytes on any other host stream through FFmpeg's http/https without it.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#define _DEFAULT_SOURCE         /* link, fsync, futimens, mkstemp */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "libavutil/avstring.h"
#include "libavutil/base64.h"
#include "libavutil/bprint.h"
#include "libavutil/error.h"
#include "libavutil/hmac.h"
#include "libavutil/macros.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"
#include "libavutil/random_seed.h"
#include "libavutil/sha.h"
#include "libavutil/time.h"

#include "http.h"
#include "network.h"
#include "url.h"
#include "version.h"

#include "aipost/httpmsg.h"
#include "aipost/provjson.h"
#include "aipost_provider.h"

/* A JSON response larger than this is refused (not retried). */
#define MAX_JSON        (4 << 20)
/* An error body is read this far for the provider's message. */
#define MAX_ERROR_BODY  65536
#define MAX_REDIRECTS   5
/* Transfers that break without progress in a row before giving up. */
#define MAX_RESUMES     4
#define CONN_BUF        65536

typedef struct AIPConn {
    URLContext *tcp;
    AIPHttpHead head;
    AIPBody body;
    int truncated;
    int buf_pos, buf_len;
    uint8_t buf[CONN_BUF];
} AIPConn;

/* One response of the JSON API, body read whole. */
typedef struct AIPResponse {
    AIPHttpHead head;
    char *body;
    size_t len;
} AIPResponse;

static void response_free(AIPResponse *r)
{
    av_freep(&r->body);
    r->len = 0;
}

/* -------------------------------------------------------------- secrets */

/* Overwrite each secret appearing in text (a provider may echo the key it
 * refused): a message never carries one into the log. */
static void redact(const AIPContext *c, char *text)
{
    for (int i = 0; i < c->nb_secrets; i++) {
        const char *s = c->secrets[i];
        const size_t n = strlen(s);
        char *p;
        if (n < 4)
            continue;
        while ((p = strstr(text, s)))
            memset(p, '*', n);
    }
}

static int holds_secret(const AIPContext *c, const char *text)
{
    for (int i = 0; i < c->nb_secrets; i++)
        if (strlen(c->secrets[i]) >= 4 && strstr(text, c->secrets[i]))
            return 1;
    return 0;
}

static void wipe_free(char **s)
{
    if (*s) {
        memset(*s, 0, strlen(*s));
        av_freep(s);
    }
}

static int add_secret(AIPContext *c, const char *s)
{
    if (!s || !*s || c->nb_secrets >= FF_ARRAY_ELEMS(c->secrets))
        return 0;
    if (!(c->secrets[c->nb_secrets] = av_strdup(s)))
        return AVERROR(ENOMEM);
    c->nb_secrets++;
    return 0;
}

static int valid_header_value(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* base64url without padding (RFC 7515 2). */
static int b64url(AVBPrint *bp, const uint8_t *in, int len)
{
    char *tmp = av_malloc(AV_BASE64_SIZE(len));
    if (!tmp)
        return AVERROR(ENOMEM);
    av_base64_encode(tmp, AV_BASE64_SIZE(len), in, len);
    for (char *p = tmp; *p && *p != '='; p++)
        av_bprint_chars(bp, *p == '+' ? '-' : *p == '/' ? '_' : *p, 1);
    av_free(tmp);
    return 0;
}

/* Kling's legacy token: JWT HS256 {"iss": access key, "exp": now + 1800,
 * "nbf": now - 5} signed with the secret key, made anew for each request. */
static int kling_jwt(AIPContext *c, AVBPrint *out)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    const int64_t now = av_gettime() / 1000000;
    uint8_t mac[32];
    AVHMAC *hmac;
    char *payload;
    AVBPrint msg;
    int ret;

    json_t *claims = json_pack("{s:s,s:I,s:I}", "iss", c->access_key,
                               "exp", (json_int_t)(now + 1800), "nbf", (json_int_t)(now - 5));
    if (!claims)
        return AVERROR(ENOMEM);
    payload = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(claims);
    if (!payload)
        return AVERROR(ENOMEM);
    av_bprint_init(&msg, 0, AV_BPRINT_SIZE_UNLIMITED);
    if ((ret = b64url(&msg, (const uint8_t *)header, sizeof(header) - 1)) < 0)
        goto end;
    av_bprint_chars(&msg, '.', 1);
    ret = b64url(&msg, (const uint8_t *)payload, (int)strlen(payload));
    if (ret < 0)
        goto end;
    if (!av_bprint_is_complete(&msg)) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if (!(hmac = av_hmac_alloc(AV_HMAC_SHA256))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    av_hmac_calc(hmac, (const uint8_t *)msg.str, msg.len,
                 (const uint8_t *)c->secret_key, (unsigned)strlen(c->secret_key), mac, sizeof(mac));
    av_hmac_free(hmac);
    av_bprintf(out, "%s.", msg.str);
    ret = b64url(out, mac, sizeof(mac));
end:
    memset(mac, 0, sizeof(mac));
    memset(payload, 0, strlen(payload));
    free(payload);
    if (msg.str)
        memset(msg.str, 0, msg.len);
    av_bprint_finalize(&msg, NULL);
    return ret;
}

/* The credential headers, for requests to the API origin only. */
static int auth_headers(AIPContext *c, AVBPrint *bp)
{
    switch (c->desc->auth) {
    case AIP_AUTH_BEARER:
        av_bprintf(bp, "Authorization: Bearer %s\r\n", c->key);
        break;
    case AIP_AUTH_GOOG:
        av_bprintf(bp, "x-goog-api-key: %s\r\n", c->key);
        break;
    case AIP_AUTH_XI:
        av_bprintf(bp, "xi-api-key: %s\r\n", c->key);
        break;
    case AIP_AUTH_KLING:
        av_bprintf(bp, "Authorization: Bearer ");
        if (c->key) {
            av_bprintf(bp, "%s", c->key);
        } else {
            const int ret = kling_jwt(c, bp);
            if (ret < 0)
                return ret;
        }
        av_bprintf(bp, "\r\n");
        break;
    }
    if (c->desc->kind == AIP_RUNWAY)
        av_bprintf(bp, "X-Runway-Version: %s\r\n", c->api_version);
    return 0;
}

/* ---------------------------------------------------------- HTTP client */

static void conn_close(AIPConn **pk)
{
    AIPConn *k = *pk;
    if (!k)
        return;
    ffurl_closep(&k->tcp);
    av_freep(pk);
}

static void set_tls_options(AIPContext *c, AVDictionary **opts)
{
    av_dict_set_int(opts, "tls_verify", c->tls_verify, 0);
    if (c->ca_file)
        av_dict_set(opts, "ca_file", c->ca_file, 0);
    av_dict_set_int(opts, "timeout", (int64_t)(c->io_timeout * 1e6), 0);
}

/* Read more wire bytes into the connection's buffer. */
static int conn_fill(AIPConn *k)
{
    int n;

    if (k->buf_pos == k->buf_len)
        k->buf_pos = k->buf_len = 0;
    if (k->buf_len == CONN_BUF) {
        memmove(k->buf, k->buf + k->buf_pos, k->buf_len - k->buf_pos);
        k->buf_len -= k->buf_pos;
        k->buf_pos = 0;
    }
    if (k->buf_len == CONN_BUF)
        return AVERROR(ENOSPC);
    n = ffurl_read(k->tcp, k->buf + k->buf_len, CONN_BUF - k->buf_len);
    if (n > 0)
        k->buf_len += n;
    return n;
}

/**
 * Send one request and read the response head. The credential goes with it
 * only when url is on the API origin. range_from >= 0 asks for the bytes
 * from there on.
 */
static int conn_open(AIPContext *c, URLContext *h, const char *method, const char *url,
                     int64_t range_from, AIPConn **pk)
{
    AIPUrl u;
    AVDictionary *opts = NULL;
    AVBPrint req;
    char host[300], lower[400];
    AIPConn *k;
    int ret;

    *pk = NULL;
    if (aip_url_parse(url, &u) < 0 || u.host_len >= 256) {
        av_log(h, AV_LOG_ERROR, "not an http(s) URL without user info: %.100s\n", url);
        return AVERROR(EINVAL);
    }
    snprintf(host, sizeof(host), "%.*s", (int)u.host_len, u.host);
    if (!(k = av_mallocz(sizeof(*k))))
        return AVERROR(ENOMEM);

    ff_url_join(lower, sizeof(lower), u.https ? "tls" : "tcp", NULL, host, u.port, NULL);
    set_tls_options(c, &opts);
    ret = ffurl_open_whitelist(&k->tcp, lower, AVIO_FLAG_READ_WRITE, &h->interrupt_callback,
                               &opts, h->protocol_whitelist, h->protocol_blacklist, h);
    av_dict_free(&opts);
    if (ret < 0) {
        av_freep(&k);
        /* FFmpeg's tls answers EIO for a handshake or certificate failure:
         * no retry will mend that. */
        if (u.https && ret == AVERROR(EIO)) {
            av_log(h, AV_LOG_ERROR, "the TLS connection to %s failed (a certificate that is not trusted? "
                   "see ca_file and tls_verify)\n", host);
            return AVERROR(EPROTO);
        }
        return ret;
    }

    av_bprint_init(&req, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprintf(&req, "%s %s%s HTTP/1.1\r\n", method, *u.path == '/' ? "" : "/", u.path);
    if (strchr(host, ':'))
        av_bprintf(&req, "Host: [%s]", host);
    else
        av_bprintf(&req, "Host: %s", host);
    if (u.port != (u.https ? 443 : 80))
        av_bprintf(&req, ":%d", u.port);
    av_bprintf(&req, "\r\nUser-Agent: aipost (FFmpeg " LIBAVFORMAT_IDENT ")\r\n"
                     "Accept: */*\r\nAccept-Encoding: identity\r\nConnection: close\r\n");
    if (range_from >= 0)
        av_bprintf(&req, "Range: bytes=%"PRId64"-\r\n", range_from);
    ret = 0;
    if (aip_url_same_origin(url, c->base))
        ret = auth_headers(c, &req);
    av_bprintf(&req, "\r\n");
    if (ret >= 0 && !av_bprint_is_complete(&req))
        ret = AVERROR(ENOMEM);
    av_log(h, AV_LOG_DEBUG, "%s %s%.*s\n", method, u.https ? "https://" : "http://",
           (int)(u.path - u.host) + (int)strcspn(u.path, "?"), u.host);
    if (ret >= 0)
        ret = ffurl_write(k->tcp, (const uint8_t *)req.str, req.len);
    memset(req.str, 0, req.len);
    av_bprint_finalize(&req, NULL);
    if (ret < 0)
        goto fail;

    for (;;) {
        const long end = aip_http_head_end((const char *)k->buf, k->buf_len);
        if (end < 0) {
            av_log(h, AV_LOG_ERROR, "response head longer than %d bytes from %s\n", AIP_HTTP_MAX_HEAD, host);
            ret = AVERROR_INVALIDDATA;
            goto fail;
        }
        if (end > 0) {
            if (aip_http_parse_head((const char *)k->buf, end, av_gettime() / 1000000, &k->head) < 0) {
                av_log(h, AV_LOG_ERROR, "malformed response head from %s\n", host);
                ret = AVERROR_INVALIDDATA;
                goto fail;
            }
            k->buf_pos = (int)end;
            break;
        }
        ret = conn_fill(k);
        if (ret == AVERROR(ENOSPC)) {
            av_log(h, AV_LOG_ERROR, "response head longer than %d bytes from %s\n", CONN_BUF, host);
            ret = AVERROR_INVALIDDATA;
        }
        if (ret == 0 || ret == AVERROR_EOF) {
            av_log(h, AV_LOG_WARNING, "%s closed the connection before a response\n", host);
            ret = AVERROR(EIO);
        }
        if (ret < 0)
            goto fail;
    }
    aip_body_init(&k->body, &k->head, !strcmp(method, "HEAD"));
    *pk = k;
    return 0;
fail:
    conn_close(&k);
    return ret;
}

/* Body bytes: > 0, AVERROR_EOF at its end, AVERROR(EIO) when it broke off
 * (k->truncated) or its framing is malformed. */
static int conn_read(AIPConn *k, uint8_t *out, int size)
{
    for (;;) {
        int n;
        if (k->body.done)
            return AVERROR_EOF;
        if (k->buf_pos < k->buf_len) {
            size_t produced;
            const long used = aip_body_decode(&k->body, k->buf + k->buf_pos, k->buf_len - k->buf_pos,
                                              out, size, &produced);
            if (used < 0)
                return AVERROR_INVALIDDATA;
            k->buf_pos += (int)used;
            if (produced)
                return (int)produced;
            if (used)
                continue;
        }
        n = conn_fill(k);
        if (n == 0 || n == AVERROR_EOF) {
            if (aip_body_eof(&k->body) < 0) {
                k->truncated = 1;
                return AVERROR(EIO);
            }
            return AVERROR_EOF;
        }
        if (n < 0)
            return n;
    }
}

/* Read a body whole, at most max bytes (more: AVERROR(E2BIG)). */
static int conn_read_all(AIPConn *k, size_t max, char **body, size_t *len)
{
    size_t cap = 0, n = 0;
    char *buf = NULL;
    int ret;

    for (;;) {
        if (cap - n < 4096) {
            const size_t ncap = cap ? cap * 2 : 16384;
            char *nb;
            if (cap > max + 1) {
                av_free(buf);
                return AVERROR(E2BIG);
            }
            if (!(nb = av_realloc(buf, ncap + 1))) {
                av_free(buf);
                return AVERROR(ENOMEM);
            }
            buf = nb;
            cap = ncap;
        }
        ret = conn_read(k, (uint8_t *)buf + n, (int)FFMIN(cap - n, INT_MAX));
        if (ret == AVERROR_EOF)
            break;
        if (ret < 0) {
            av_free(buf);
            return ret;
        }
        n += ret;
        if (n > max) {
            av_free(buf);
            return AVERROR(E2BIG);
        }
    }
    buf[n] = 0;
    *body = buf;
    *len = n;
    return 0;
}

static int absolute_url(char **out, const char *base, const char *rel)
{
    char buf[4096];
    if (strlen(rel) >= sizeof(buf) - 1 || strlen(base) >= sizeof(buf) - 1)
        return AVERROR(EINVAL);
    if (!strncmp(rel, "http://", 7) || !strncmp(rel, "https://", 8)) {
        av_strlcpy(buf, rel, sizeof(buf));
    } else {
        char b[4096];
        /* Relative to the API base as a folder: "generations/x" under
         * ".../dream-machine/v1" is ".../dream-machine/v1/generations/x". */
        snprintf(b, sizeof(b), "%s/", base);
        if (ff_make_absolute_url(buf, sizeof(buf), b, rel) < 0)
            return AVERROR(EINVAL);
    }
    return (*out = av_strdup(buf)) ? 0 : AVERROR(ENOMEM);
}

static double seconds_left(const AIPContext *c)
{
    return (c->deadline - av_gettime_relative()) / 1e6;
}

static int pause_for(URLContext *h, double seconds)
{
    const int ret = ff_network_sleep_interruptible((int64_t)(seconds * 1e6), &h->interrupt_callback);
    return ret == AVERROR(ETIMEDOUT) ? 0 : ret;
}

/* Up to 10 % more, so that many clients do not come back in step. */
static double jitter(double s)
{
    return s * (1.0 + (av_get_random_seed() % 1000) / 10000.0);
}

/**
 * GET a JSON document from the API, following redirects (the credential
 * only as far as the API origin), retrying what is worth retrying: network
 * errors, stalls, truncated or malformed bodies, 408, 429 and 5xx (after
 * Retry-After when the server gives one, else with doubling pauses), as
 * often as retries allows and no later than the deadline.
 *
 * what: "task ID" etc., for messages. On success *root is the document and
 * *head the final response's head.
 */
static int api_get_json(AIPContext *c, URLContext *h, const char *what, const char *url0,
                        json_t **root, AIPHttpHead *head)
{
    const AIPProviderDesc *d = c->desc;
    double delay = c->retry_delay;
    char msg[512], code[64], why[600];
    int attempt = 0;

    *root = NULL;
    for (;;) {
        AIPResponse r = { 0 };
        AIPConn *k = NULL;
        char *url = av_strdup(url0);
        double wait_hint = -1, pause;
        int ret, transient = 0;

        if (!url)
            return AVERROR(ENOMEM);
        for (int redirects = 0;; redirects++) {
            char *next = NULL;
            ret = conn_open(c, h, "GET", url, -1, &k);
            if (ret < 0 || k->head.status < 300 || k->head.status > 399 || !k->head.location[0])
                break;
            if (redirects == MAX_REDIRECTS) {
                av_log(h, AV_LOG_ERROR, "%s: more than %d redirects\n", what, MAX_REDIRECTS);
                ret = AVERROR(ELOOP);
            } else {
                ret = absolute_url(&next, url, k->head.location);
            }
            conn_close(&k);
            av_free(url);
            url = next;
            if (ret < 0)
                break;
        }
        av_free(url);
        if (ret >= 0) {
            const int ok = k->head.status >= 200 && k->head.status < 300;
            r.head = k->head;
            ret = conn_read_all(k, ok ? MAX_JSON : MAX_ERROR_BODY, &r.body, &r.len);
            if (ret == AVERROR(E2BIG) && !ok)
                ret = 0;            /* the message is lost, the status is not */
        }
        conn_close(&k);
        if (ret == AVERROR_EXIT || ret == AVERROR(EPROTO) || ret == AVERROR(ELOOP) ||
            ret == AVERROR(ENOMEM))
            return ret;

        if (ret == AVERROR(E2BIG)) {
            av_log(h, AV_LOG_ERROR, "%s %s: the response is larger than %d MiB; refusing it\n",
                   d->label, what, MAX_JSON >> 20);
            return AVERROR_INVALIDDATA;
        } else if (ret < 0) {
            transient = 1;
            snprintf(why, sizeof(why), "%s", av_err2str(ret));
        } else if (r.head.status >= 200 && r.head.status < 300) {
            json_error_t jerr;
            *root = json_loadb(r.body, r.len, 0, &jerr);
            if (*root) {
                *head = r.head;
                response_free(&r);
                return 0;
            }
            transient = 1;
            snprintf(why, sizeof(why), "malformed JSON (line %d, column %d: %s)",
                     jerr.line, jerr.column, jerr.text);
            redact(c, why);
        } else {
            aip_error_message(d->kind, r.body ? r.body : "", r.len, msg, sizeof(msg), code, sizeof(code));
            redact(c, msg);
            redact(c, code);
            snprintf(why, sizeof(why), "HTTP %d%s%s%s%s%s", r.head.status,
                     msg[0] ? ": " : "", msg, code[0] ? " (" : "", code, code[0] ? ")" : "");
            if (aip_error_retryable(d->kind, r.head.status, r.body ? r.body : "", r.len)) {
                transient = 1;
                wait_hint = r.head.retry_after;
            } else {
                const int status = r.head.status;
                response_free(&r);
                if (status == 401 || status == 403) {
                    av_log(h, AV_LOG_ERROR, "%s refused the credential for %s (%s): check %s%s%s\n",
                           d->label, what, why, d->auth == AIP_AUTH_KLING ?
                           "KLING_ACCESS_KEY and KLING_SECRET_KEY (or access_key, secret_key, api_key)" : d->key_env[0],
                           d->auth == AIP_AUTH_KLING ? "" : d->key_env[1] ? " or " : "",
                           d->auth == AIP_AUTH_KLING ? "" : d->key_env[1] ? d->key_env[1] : "");
                    if (d->auth != AIP_AUTH_KLING)
                        av_log(h, AV_LOG_ERROR, "(or the api_key option)\n");
                } else if (status == 404) {
                    av_log(h, AV_LOG_ERROR, "%s has no %s (%s)\n", d->label, what, why);
                } else if (aip_error_moderated(d->kind, code)) {
                    av_log(h, AV_LOG_ERROR, "%s %s was refused by the provider's moderation (%s); "
                           "a retry of the same request will be refused too\n", d->label, what, why);
                    return AVERROR(EPERM);
                } else {
                    av_log(h, AV_LOG_ERROR, "%s refused the request for %s: %s\n", d->label, what, why);
                }
                return ff_http_averror(status, AVERROR(EIO));
            }
        }
        response_free(&r);

        if (!transient)
            return AVERROR_BUG;
        if (++attempt > c->retries) {
            av_log(h, AV_LOG_ERROR, "%s %s: giving up after %d attempt(s); last: %s\n",
                   d->label, what, attempt, why);
            return ret < 0 ? ret : AVERROR(EIO);
        }
        pause = wait_hint >= 0 ? wait_hint : jitter(delay);
        if (pause > seconds_left(c)) {
            av_log(h, AV_LOG_ERROR, "%s %s: %s; %s %.1f s is past the timeout (%.1f s left)\n",
                   d->label, what, why, wait_hint >= 0 ? "the server asks to retry after" : "retrying in",
                   pause, FFMAX(seconds_left(c), 0));
            return ret < 0 ? ret : AVERROR(ETIMEDOUT);
        }
        av_log(h, AV_LOG_WARNING, "%s %s: %s; retrying in %.2f s%s (attempt %d of %d)\n",
               d->label, what, why, pause, wait_hint >= 0 ? " as Retry-After asks" : "",
               attempt + 1, c->retries + 1);
        if ((ret = pause_for(h, pause)) < 0)
            return ret;
        delay = FFMIN(delay * 2, 8);
    }
}

/* ------------------------------------------------------------- the job */

static int status_url(AIPContext *c, char **out)
{
    AVBPrint bp;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    switch (c->desc->kind) {
    case AIP_RUNWAY:     av_bprintf(&bp, "%s/v1/tasks/%s", c->base, c->id); break;
    case AIP_LUMA:       av_bprintf(&bp, "%s/generations/%s", c->base, c->id); break;
    case AIP_KLING:
        if (!strcmp(c->kind, "tasks"))
            av_bprintf(&bp, "%s/tasks?task_ids=%s", c->base, c->job_id);
        else
            av_bprintf(&bp, "%s/v1/videos/%s/%s", c->base, c->kind, c->job_id);
        break;
    case AIP_VEO:        av_bprintf(&bp, "%s/v1beta/%s", c->base, c->id); break;
    case AIP_SORA:       av_bprintf(&bp, "%s/videos/%s", c->base, c->id); break;
    case AIP_HAILUO:     av_bprintf(&bp, "%s/v1/query/video_generation?task_id=%s", c->base, c->id); break;
    case AIP_ELEVENLABS: av_bprintf(&bp, "%s/v1/history/%s", c->base, c->id); break;
    default:             break;
    }
    return av_bprint_finalize(&bp, out);
}

static int job_error(AIPContext *c, URLContext *h)
{
    const AIPProviderDesc *d = c->desc;
    AIPJob *j = &c->job;
    char msg[1024];

    snprintf(msg, sizeof(msg), "%s%s%s%s", j->message ? j->message : "(no message given)",
             j->code ? " [" : "", j->code ? j->code : "", j->code ? "]" : "");
    redact(c, msg);
    switch (j->state) {
    case AIP_JOB_FAILED:
        av_log(h, AV_LOG_ERROR, "%s %s %s failed (%s): %s\n", d->label, d->what, c->id, j->status, msg);
        return AVERROR_EXTERNAL;
    case AIP_JOB_CANCELLED:
        av_log(h, AV_LOG_ERROR, "%s %s %s was cancelled or deleted (%s)%s%s\n", d->label, d->what, c->id,
               j->status, j->message ? ": " : "", j->message ? msg : "");
        return AVERROR(ECANCELED);
    case AIP_JOB_MODERATED:
        av_log(h, AV_LOG_ERROR, "%s %s %s was refused by the provider's moderation (%s): %s; "
               "a retry of the same request will be refused too\n", d->label, d->what, c->id, j->status, msg);
        return AVERROR(EPERM);
    case AIP_JOB_REFUSED:
        av_log(h, AV_LOG_ERROR, "%s refused the request for %s %s: %s\n", d->label, d->what, c->id, msg);
        /* MiniMax answers a bad key with a 200 and code 1004. */
        if (j->code && d->kind == AIP_HAILUO && !strcmp(j->code, "1004"))
            av_log(h, AV_LOG_ERROR, "the key was refused: check %s or the api_key option\n", d->key_env[0]);
        return AVERROR(EACCES);
    default:
        return AVERROR_BUG;
    }
}

/**
 * Poll the job until it is finished (or fails, or the deadline passes, or
 * at once with wait=0), then work out the result URL.
 */
static int resolve(AIPContext *c, URLContext *h)
{
    const AIPProviderDesc *d = c->desc;
    double interval = c->poll_interval, retry = c->retry_delay;
    char what[600], err[512];
    int polls = 0, retries = 0, last_look = 0, ret;
    char *url = NULL;

    c->deadline = av_gettime_relative() + (int64_t)(c->timeout * 1e6);
    snprintf(what, sizeof(what), "%s %s", d->what, c->id);
    if ((ret = status_url(c, &url)) < 0)
        return ret;

    for (;;) {
        const AIPJob *j = &c->job;
        AIPHttpHead head;
        json_t *root;
        char state[128];
        double pause;

        ret = api_get_json(c, h, what, url, &root, &head);
        if (ret < 0)
            goto end;
        polls++;
        aip_job_free(&c->job);
        ret = aip_job_parse(d->kind, root, c->index, &c->job, err, sizeof(err));
        json_decref(root);
        if (ret < 0) {
            redact(c, err);
            av_log(h, AV_LOG_ERROR, "%s %s: %s\n", d->label, what, err);
            ret = AVERROR_INVALIDDATA;
            goto end;
        }
        if (j->state == AIP_JOB_DONE)
            break;
        if (j->state == AIP_JOB_FAILED || j->state == AIP_JOB_CANCELLED ||
            j->state == AIP_JOB_MODERATED || j->state == AIP_JOB_REFUSED) {
            ret = job_error(c, h);
            goto end;
        }

        snprintf(state, sizeof(state), "%s", j->status);
        if (j->progress >= 0)
            av_strlcatf(state, sizeof(state), ", %.0f %%", j->progress * 100);
        if (j->state == AIP_JOB_RETRY) {
            /* A rate limit reported inside a 200 (MiniMax, Kling). */
            char msg[300];
            snprintf(msg, sizeof(msg), "%s", j->message ? j->message : "");
            redact(c, msg);
            if (++retries > c->retries) {
                av_log(h, AV_LOG_ERROR, "%s %s: still rate-limited after %d attempts: %s [%s]\n",
                       d->label, what, retries, msg, j->code ? j->code : "");
                ret = AVERROR(EAGAIN);
                goto end;
            }
            pause = jitter(retry);
            retry = FFMIN(retry * 2, 8);
            av_log(h, AV_LOG_WARNING, "%s %s: rate-limited (%s [%s]); retrying in %.2f s\n",
                   d->label, what, msg, j->code ? j->code : "", pause);
        } else {
            retries = 0;
            if (!c->wait) {
                av_log(h, AV_LOG_ERROR, "%s %s is not finished (%s) and wait=0\n", d->label, what, state);
                ret = AVERROR(EAGAIN);
                goto end;
            }
            /* The provider's own hint first (Sora's openai-poll-after-ms),
             * then a pause growing from poll_interval to poll_max. */
            pause = head.poll_after >= 0 ? head.poll_after : jitter(interval);
            interval = FFMIN(interval * 1.5, c->poll_max);
            av_log(h, polls == 1 ? AV_LOG_INFO : AV_LOG_VERBOSE,
                   "%s %s is %s; next look in %.2f s\n", d->label, what, state, pause);
        }
        if (last_look || seconds_left(c) <= 0) {
            av_log(h, AV_LOG_ERROR, "%s %s is still %s after %d look(s); timeout=%g s reached\n",
                   d->label, what, state, polls, c->timeout);
            ret = AVERROR(ETIMEDOUT);
            goto end;
        }
        /* The last pause ends at the deadline, for one more look there. */
        if (pause >= seconds_left(c)) {
            pause = seconds_left(c);
            last_look = 1;
        }
        if ((ret = pause_for(h, pause)) < 0)
            goto end;
    }

    /* Where the bytes are. */
    av_freep(&c->result_url);
    switch (d->kind) {
    case AIP_HAILUO: {
        /* The finished task names a file; files/retrieve gives its URL. */
        AIPHttpHead head;
        json_t *root;
        char furl[1024], fwhat[300];
        snprintf(furl, sizeof(furl), "%s/v1/files/retrieve?file_id=%s", c->base, c->job.file_id);
        snprintf(fwhat, sizeof(fwhat), "file %s", c->job.file_id);
        if ((ret = api_get_json(c, h, fwhat, furl, &root, &head)) < 0)
            goto end;
        ret = aip_hailuo_file_parse(root, &c->job, err, sizeof(err));
        json_decref(root);
        if (ret < 0) {
            redact(c, err);
            av_log(h, AV_LOG_ERROR, "%s %s: %s\n", d->label, fwhat, err);
            ret = AVERROR_INVALIDDATA;
            goto end;
        }
        if (c->job.state != AIP_JOB_DONE) {
            ret = job_error(c, h);
            goto end;
        }
        ret = absolute_url(&c->result_url, c->base, c->job.result);
        break;
    }
    case AIP_SORA: {
        char rel[700];
        snprintf(rel, sizeof(rel), "%s/videos/%s/content%s%s", c->base, c->id,
                 strcmp(c->variant, "video") ? "?variant=" : "", strcmp(c->variant, "video") ? c->variant : "");
        ret = (c->result_url = av_strdup(rel)) ? 0 : AVERROR(ENOMEM);
        break;
    }
    case AIP_ELEVENLABS: {
        char rel[700];
        snprintf(rel, sizeof(rel), "%s/v1/history/%s/audio", c->base, c->id);
        ret = (c->result_url = av_strdup(rel)) ? 0 : AVERROR(ENOMEM);
        break;
    }
    default:
        ret = absolute_url(&c->result_url, c->base, c->job.result);
        break;
    }
    if (ret < 0) {
        av_log(h, AV_LOG_ERROR, "%s %s: unusable result URL\n", d->label, what);
        goto end;
    }
    if (holds_secret(c, c->result_url)) {
        /* A URL carrying the key must not reach FFmpeg's http (which logs
         * requests) nor another host. */
        av_log(h, AV_LOG_ERROR, "%s %s: the result URL carries the credential; refusing to open it\n",
               d->label, what);
        ret = AVERROR(EPERM);
        goto end;
    }
    av_log(h, AV_LOG_VERBOSE, "%s %s is finished after %d look(s)\n", d->label, what, polls);
    ret = 0;
end:
    av_free(url);
    return ret;
}

/* ---------------------------------------------------------- the stream */

static void stream_close(AIPContext *c)
{
    ffurl_closep(&c->inner);
    conn_close(&c->conn);
}

static void note_host(AIPContext *c, const char *url)
{
    AIPUrl u;
    if (aip_url_parse(url, &u) >= 0)
        snprintf(c->result_host, sizeof(c->result_host), "%.*s", (int)u.host_len, u.host);
}

/* Through FFmpeg's http/https: the result is on a host that needs no
 * credential (a signed URL), so none is given to it. */
static int lavf_open(AIPContext *c, URLContext *h, const char *url, int64_t pos)
{
    AVDictionary *opts = NULL;
    uint8_t *s = NULL;
    int ret;

    set_tls_options(c, &opts);
    av_dict_set_int(&opts, "offset", pos, 0);
    ret = ffurl_open_whitelist(&c->inner, url, AVIO_FLAG_READ, &h->interrupt_callback, &opts,
                               h->protocol_whitelist, h->protocol_blacklist, h);
    av_dict_free(&opts);
    if (ret < 0)
        return ret;
    c->size = ffurl_size(c->inner);
    if (c->size < 0)
        c->size = -1;
    c->seekable = !c->inner->is_streamed;
    if (av_opt_get(c->inner->priv_data, "location", AV_OPT_SEARCH_CHILDREN, &s) >= 0 && s)
        note_host(c, (const char *)s);
    else
        note_host(c, url);
    av_freep(&s);
    if (av_opt_get(c->inner->priv_data, "mime_type", AV_OPT_SEARCH_CHILDREN, &s) >= 0 && s)
        av_strlcpy(c->content_type, (const char *)s, sizeof(c->content_type));
    av_freep(&s);
    if (pos > 0 && !c->seekable) {
        av_log(h, AV_LOG_ERROR, "%s does not serve ranges: cannot go on at byte %"PRId64"\n",
               c->result_host, pos);
        ffurl_closep(&c->inner);
        return AVERROR(ENOSYS);
    }
    return 0;
}

/* Open the result at byte pos. On the API origin our client carries the
 * credential; a redirect to another host drops it there. */
static int stream_open(AIPContext *c, URLContext *h, int64_t pos)
{
    char *url = av_strdup(c->result_url);
    int ret;

    if (!url)
        return AVERROR(ENOMEM);
    stream_close(c);
    for (int redirects = 0;; redirects++) {
        AIPConn *k;
        const AIPHttpHead *hd;
        if (!aip_url_same_origin(url, c->base)) {
            ret = lavf_open(c, h, url, pos);
            break;
        }
        if ((ret = conn_open(c, h, "GET", url, pos, &k)) < 0)
            break;
        hd = &k->head;
        if (hd->status >= 300 && hd->status <= 399 && hd->location[0]) {
            char *next = NULL;
            /* hd lives in k: take the location before closing k. */
            ret = redirects == MAX_REDIRECTS ? AVERROR(ELOOP) : absolute_url(&next, url, hd->location);
            conn_close(&k);
            if (ret == AVERROR(ELOOP))
                av_log(h, AV_LOG_ERROR, "result: more than %d redirects\n", MAX_REDIRECTS);
            if (ret < 0)
                break;
            av_free(url);
            url = next;
            if (holds_secret(c, url)) {
                av_log(h, AV_LOG_ERROR, "result: a redirect carries the credential; refusing it\n");
                ret = AVERROR(EPERM);
                break;
            }
            continue;
        }
        if (hd->status != 200 && hd->status != 206) {
            char *body = NULL, msg[512], code[64];
            size_t len = 0;
            conn_read_all(k, MAX_ERROR_BODY, &body, &len);
            aip_error_message(c->desc->kind, body ? body : "", len, msg, sizeof(msg), code, sizeof(code));
            redact(c, msg);
            av_free(body);
            av_log(h, AV_LOG_WARNING, "result: HTTP %d%s%s\n", hd->status, msg[0] ? ": " : "", msg);
            ret = ff_http_averror(hd->status, AVERROR(EIO));
            conn_close(&k);
            break;
        }
        if (hd->status == 200 && pos > 0) {
            av_log(h, AV_LOG_ERROR, "the result's server ignored a range request: cannot go on at byte %"PRId64"\n", pos);
            conn_close(&k);
            ret = AVERROR(ENOSYS);
            break;
        }
        c->conn = k;
        c->seekable = hd->status == 206 || hd->accept_ranges;
        if (hd->status == 206 && hd->range_start != pos) {
            av_log(h, AV_LOG_ERROR, "asked for byte %"PRId64", got a range from %"PRId64"\n", pos, hd->range_start);
            ret = AVERROR_INVALIDDATA;
            conn_close(&c->conn);
            break;
        }
        c->size = hd->status == 206 ? hd->range_total : hd->content_length;
        if (hd->content_type[0])
            av_strlcpy(c->content_type, hd->content_type, sizeof(c->content_type));
        note_host(c, url);
        ret = 0;
        break;
    }
    av_free(url);
    if (ret >= 0)
        c->pos = pos;
    return ret;
}

/* Does this error say the result URL is no longer good (an expired
 * signature answers 400, 401, 403, 404 or 410 depending on the store)? */
static int url_refused(int err)
{
    return err == AVERROR_HTTP_BAD_REQUEST || err == AVERROR_HTTP_UNAUTHORIZED ||
           err == AVERROR_HTTP_FORBIDDEN || err == AVERROR_HTTP_NOT_FOUND ||
           err == AVERROR_HTTP_OTHER_4XX;
}

/* Open at pos; when the result URL is refused, ask the job for a fresh
 * one: once, and again only after the fresh one has carried bytes. */
static int stream_start(AIPContext *c, URLContext *h, int64_t pos)
{
    int ret = stream_open(c, h, pos);
    if (ret >= 0 || !url_refused(ret) || ret == AVERROR_EXIT)
        return ret;
    if (c->resolved_at_pos >= 0 && c->resolved_at_pos >= pos) {
        av_log(h, AV_LOG_ERROR, "%s %s: the result URL is refused (%s) again after asking for a fresh one\n",
               c->desc->label, c->id, av_err2str(ret));
        return ret;
    }
    av_log(h, AV_LOG_WARNING, "%s %s: the result URL is refused (%s), its signature may have expired; "
           "asking the %s for a fresh one\n", c->desc->label, c->id, av_err2str(ret), c->desc->what);
    c->resolved_at_pos = pos;
    if ((ret = resolve(c, h)) < 0)
        return ret;
    ret = stream_open(c, h, pos);
    if (ret < 0)
        av_log(h, AV_LOG_ERROR, "%s %s: the fresh result URL fails too (%s)\n", c->desc->label, c->id, av_err2str(ret));
    return ret;
}

/* Read from the stream, resuming a broken transfer at its byte. */
static int stream_read(AIPContext *c, URLContext *h, uint8_t *buf, int size)
{
    int resumes = 0;
    for (;;) {
        int n = AVERROR_EOF, ret;
        if (c->inner)
            n = ffurl_read(c->inner, buf, size);
        else if (c->conn)
            n = conn_read(c->conn, buf, size);
        else if (c->size < 0 || c->pos < c->size)
            n = AVERROR(EIO);               /* closed by a seek: reopen */
        if (n > 0) {
            c->pos += n;
            return n;
        }
        if (n == 0 || n == AVERROR_EOF) {
            if (c->size < 0 || c->pos >= c->size)
                return AVERROR_EOF;
            n = AVERROR(EIO);               /* short of the announced size */
        }
        if (n == AVERROR_EXIT)
            return n;
        if (c->inner || c->conn) {
            if (!c->seekable) {
                av_log(h, AV_LOG_ERROR, "the transfer broke at byte %"PRId64" (%s) and %s serves no ranges to go on\n",
                       c->pos, av_err2str(n), c->result_host);
                return n;
            }
            if (++resumes > MAX_RESUMES) {
                av_log(h, AV_LOG_ERROR, "the transfer broke at byte %"PRId64" %d times in a row (%s)\n",
                       c->pos, MAX_RESUMES, av_err2str(n));
                return n;
            }
            av_log(h, AV_LOG_WARNING, "the transfer broke at byte %"PRId64" (%s); going on from there\n",
                   c->pos, av_err2str(n));
        }
        ret = stream_start(c, h, c->pos);
        if (ret < 0)
            return ret;
    }
}

/* ------------------------------------------------------------ the cache */

static int mkdirs(const char *path)
{
    char buf[4096];
    if (av_strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
        return AVERROR(ENAMETOOLONG);
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || !*p) {
            const char save = *p;
            *p = 0;
            if (mkdir(buf, 0777) < 0 && errno != EEXIST)
                return AVERROR(errno);
            *p = save;
            if (!save)
                break;
        }
    }
    return 0;
}

static void hex(char *out, const uint8_t *in, int n)
{
    for (int i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

static int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        const ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return AVERROR(errno);
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* SHA-256 of a whole file; its size in *size. */
static int file_sha256(const char *path, char out[65], int64_t *size)
{
    struct AVSHA *sha = av_sha_alloc();
    uint8_t buf[65536], dig[32];
    int64_t total = 0;
    int ret = 0;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || !sha) {
        ret = fd < 0 ? AVERROR(errno) : AVERROR(ENOMEM);
        goto end;
    }
    av_sha_init(sha, 256);
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            ret = AVERROR(errno);
            goto end;
        }
        if (!n)
            break;
        av_sha_update(sha, buf, (size_t)n);
        total += n;
    }
    av_sha_final(sha, dig);
    hex(out, dig, 32);
    *size = total;
end:
    if (fd >= 0)
        close(fd);
    av_free(sha);
    return ret;
}

static char *join_path(const char *dir, const char *name)
{
    return av_asprintf("%s/%s", dir, name);
}

static int path_exists(const char *path)
{
    struct stat st;
    return !lstat(path, &st);
}

/* The cached copy of this generation, if one is there and whole: open it. */
static int cache_lookup(AIPContext *c, URLContext *h)
{
    for (int n = 0; n < 1000; n++) {
        char stem[700], *side, *media = NULL;
        const char *prov, *id, *file, *sha;
        json_t *doc, *jsize;
        if (aip_cache_stem(stem, sizeof(stem) - 8, c->desc->name, c->id, n) < 0)
            return 0;
        av_strlcat(stem, ".json", sizeof(stem));
        if (!(side = join_path(c->cache_dir, stem)))
            return AVERROR(ENOMEM);
        if (!path_exists(side)) {
            av_free(side);
            return 0;
        }
        doc   = json_load_file(side, 0, NULL);
        prov  = json_string_value(json_object_get(doc, "provider"));
        id    = json_string_value(json_object_get(doc, "id"));
        file  = json_string_value(json_object_get(doc, "file"));
        sha   = json_string_value(json_object_get(doc, "sha256"));
        jsize = json_object_get(doc, "size");
        if (prov && id && file && sha && json_is_integer(jsize) && !strcmp(prov, c->desc->name) &&
            !strcmp(id, c->id) && !strchr(file, '/') && (media = join_path(c->cache_dir, file))) {
            struct stat st;
            char got[65];
            int64_t size;
            int ok = !stat(media, &st) && st.st_size == json_integer_value(jsize);
            if (ok && c->cache_verify)
                ok = file_sha256(media, got, &size) >= 0 && !strcmp(got, sha);
            if (ok) {
                c->cache_fd = open(media, O_RDONLY | O_CLOEXEC);
                if (c->cache_fd >= 0) {
                    c->size = st.st_size;
                    c->seekable = 1;
                    av_log(h, AV_LOG_INFO, "%s %s from the cache: %s%s\n", c->desc->label, c->id, media,
                           c->cache_verify ? " (SHA-256 checked)" : "");
                    av_free(media);
                    av_free(side);
                    json_decref(doc);
                    return 1;
                }
            }
            av_log(h, AV_LOG_WARNING, "the cached copy %s does not match its record %s; fetching the %s again "
                   "(both are kept)\n", media, side, c->desc->what);
        }
        av_free(media);
        av_free(side);
        json_decref(doc);
    }
    return 0;
}

static const char *file_extension(const AIPContext *c)
{
    static const struct { const char *type, *ext; } types[] = {
        { "video/mp4", "mp4" }, { "video/quicktime", "mov" }, { "video/webm", "webm" },
        { "audio/mpeg", "mp3" }, { "audio/mp3", "mp3" }, { "audio/wav", "wav" }, { "audio/x-wav", "wav" },
        { "audio/wave", "wav" }, { "audio/ogg", "ogg" }, { "audio/flac", "flac" }, { "audio/aac", "aac" },
        { "audio/mp4", "m4a" }, { "image/webp", "webp" }, { "image/jpeg", "jpg" }, { "image/png", "png" },
    };
    for (size_t i = 0; i < FF_ARRAY_ELEMS(types); i++)
        if (!av_strcasecmp(c->content_type, types[i].type))
            return types[i].ext;
    return c->desc->kind == AIP_ELEVENLABS ? "mp3" : "mp4";
}

/* A TSV field: no tab, no line break; "-" when empty. */
static void tsv(AVBPrint *bp, const char *s, int last)
{
    if (!s || !*s)
        s = "-";
    for (; *s; s++)
        av_bprint_chars(bp, (unsigned char)*s < 0x20 ? ' ' : *s, 1);
    av_bprint_chars(bp, last ? '\n' : '\t', 1);
}

static int append_log(AIPContext *c, URLContext *h, const char *fetched, const char *file,
                      int64_t size, const char *sha, const char *created)
{
    char *path = c->provenance_log ? av_strdup(c->provenance_log) : join_path(c->cache_dir, "provenance.log");
    AVBPrint bp;
    char sz[32];
    int fd, ret = 0, fresh = 1;

    if (!path)
        return AVERROR(ENOMEM);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) {
        fresh = 0;
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    }
    if (fd < 0) {
        ret = AVERROR(errno);
        av_log(h, AV_LOG_ERROR, "cannot append to the provenance log %s: %s\n", path, av_err2str(ret));
        av_free(path);
        return ret;
    }
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    if (fresh)
        av_bprintf(&bp, "# aipost provenance log: fetched\tprovider\tid\tfile\tsize\tsha256\tmodel\tcreated\tresult_host\n");
    snprintf(sz, sizeof(sz), "%"PRId64, size);
    tsv(&bp, fetched, 0);
    tsv(&bp, c->desc->name, 0);
    tsv(&bp, c->id, 0);
    tsv(&bp, file, 0);
    tsv(&bp, sz, 0);
    tsv(&bp, sha, 0);
    tsv(&bp, c->job.model, 0);
    tsv(&bp, created, 0);
    tsv(&bp, c->result_host, 1);
    /* One write of the whole line: appends from several processes do not
     * interleave within it. */
    ret = av_bprint_is_complete(&bp) ? write_all(fd, bp.str, bp.len) : AVERROR(ENOMEM);
    if (ret >= 0 && fsync(fd) < 0)
        ret = AVERROR(errno);
    close(fd);
    if (ret < 0)
        av_log(h, AV_LOG_ERROR, "cannot append to the provenance log %s: %s\n", path, av_err2str(ret));
    av_bprint_finalize(&bp, NULL);
    av_free(path);
    return ret;
}

/* Give the file at tmp the name dir/name without replacing anything there:
 * link() fails rather than overwrite. 1: done, 0: the name is taken. */
static int link_new(const char *tmp, const char *dir, const char *name)
{
    char *path = join_path(dir, name);
    int ret;
    if (!path)
        return AVERROR(ENOMEM);
    ret = link(tmp, path) < 0 ? (errno == EEXIST ? 0 : AVERROR(errno)) : 1;
    av_free(path);
    return ret;
}

static int write_tmp(const char *dir, const char *data, size_t len, char **tmp_out)
{
    char *tmp = av_asprintf("%s/.aipost-XXXXXX", dir);
    int fd, ret;
    if (!tmp)
        return AVERROR(ENOMEM);
    if ((fd = mkstemp(tmp)) < 0) {
        ret = AVERROR(errno);
        av_free(tmp);
        return ret;
    }
    ret = write_all(fd, data, len);
    if (ret >= 0 && fsync(fd) < 0)
        ret = AVERROR(errno);
    close(fd);
    if (ret < 0) {
        unlink(tmp);
        av_free(tmp);
        return ret;
    }
    *tmp_out = tmp;
    return 0;
}

/* The JSON record beside a fetched file: written to a temporary file,
 * then linked to its name. 1: done, 0: the name is taken. */
static int write_record(AIPContext *c, const char *name, const char *side, int64_t total,
                        const char *digest, const char *created, const char *fetched, int64_t t0)
{
    char *text, *line, *tmp = NULL;
    int ret;
    json_t *doc = json_object();

    if (!doc)
        return AVERROR(ENOMEM);
    json_object_set_new(doc, "provider", json_string(c->desc->name));
    json_object_set_new(doc, "id", json_string(c->id));
    json_object_set_new(doc, "url", json_sprintf("%s://%s", c->desc->name, c->id));
    json_object_set_new(doc, "model", c->job.model ? json_string(c->job.model) : json_null());
    json_object_set_new(doc, "prompt", c->job.prompt ? json_string(c->job.prompt) : json_null());
    json_object_set_new(doc, "created", created[0] ? json_string(created) : json_null());
    json_object_set_new(doc, "fetched", json_string(fetched));
    json_object_set_new(doc, "status", json_string(c->job.status));
    json_object_set_new(doc, "result_host", json_string(c->result_host));
    json_object_set_new(doc, "content_type", c->content_type[0] ? json_string(c->content_type) : json_null());
    json_object_set_new(doc, "file", json_string(name));
    json_object_set_new(doc, "size", json_integer(total));
    json_object_set_new(doc, "sha256", json_string(digest));
    json_object_set_new(doc, "index", json_integer(c->index));
    if (c->job.fields)
        json_object_set(doc, "provider_fields", c->job.fields);
    json_object_set_new(doc, "fetch_seconds", json_real((av_gettime_relative() - t0) / 1e6));
    json_object_set_new(doc, "aipost", json_string("FFmpeg " LIBAVFORMAT_IDENT));
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(doc);
    if (!text)
        return AVERROR(ENOMEM);
    line = av_asprintf("%s\n", text);
    free(text);
    if (!line)
        return AVERROR(ENOMEM);
    ret = write_tmp(c->cache_dir, line, strlen(line), &tmp);
    av_free(line);
    if (ret < 0)
        return ret;
    ret = link_new(tmp, c->cache_dir, side);
    unlink(tmp);
    av_free(tmp);
    return ret;
}

/**
 * Fetch the whole result into the cache: a temporary file, hashed as it is
 * written, then given its name without replacing any file (a new name on
 * conflict), its JSON record beside it, a line in the provenance log. The
 * stream is left closed and the cached copy open for reading.
 */
static int cache_fetch(AIPContext *c, URLContext *h)
{
    char *tmp = NULL, *media = NULL;
    struct AVSHA *sha = av_sha_alloc();
    uint8_t *buf = av_malloc(1 << 16), dig[32];
    char digest[65], fetched[32], created[32] = "", stem[700], name[720], side[720];
    const int64_t t0 = av_gettime_relative();
    int64_t total = 0;
    int fd = -1, ret, n;

    if (!sha || !buf) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if (!(tmp = av_asprintf("%s/.aipost-XXXXXX", c->cache_dir))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((fd = mkstemp(tmp)) < 0) {
        ret = AVERROR(errno);
        av_log(h, AV_LOG_ERROR, "cannot create a file in cache_dir %s: %s\n", c->cache_dir, av_err2str(ret));
        av_freep(&tmp);
        goto end;
    }
    av_sha_init(sha, 256);
    for (;;) {
        n = stream_read(c, h, buf, 1 << 16);
        if (n == AVERROR_EOF)
            break;
        if (n < 0) {
            ret = n;
            av_log(h, AV_LOG_ERROR, "fetching %s %s into the cache failed at byte %"PRId64": %s "
                   "(nothing was kept)\n", c->desc->label, c->id, total, av_err2str(n));
            goto end;
        }
        av_sha_update(sha, buf, n);
        if ((ret = write_all(fd, buf, n)) < 0) {
            av_log(h, AV_LOG_ERROR, "writing into cache_dir %s failed: %s\n", c->cache_dir, av_err2str(ret));
            goto end;
        }
        total += n;
    }
    stream_close(c);
    if (c->size >= 0 && total != c->size) {
        av_log(h, AV_LOG_ERROR, "fetched %"PRId64" bytes of %"PRId64"\n", total, c->size);
        ret = AVERROR(EIO);
        goto end;
    }
    av_sha_final(sha, dig);
    hex(digest, dig, 32);
    if (fsync(fd) < 0) {
        ret = AVERROR(errno);
        goto end;
    }

    /* Keep the generation's time as the file's time. */
    if (c->job.created_ms != INT64_MIN) {
        struct timespec ts[2];
        ts[0].tv_sec = ts[1].tv_sec = (time_t)(c->job.created_ms / 1000);
        ts[0].tv_nsec = ts[1].tv_nsec = (long)(c->job.created_ms % 1000) * 1000000;
        if (c->job.created_ms >= 0)
            futimens(fd, ts);
        aip_iso8601(created, c->job.created_ms, c->job.created_has_ms);
    }
    aip_iso8601(fetched, av_gettime() / 1000, 0);

    /* The name: the first PROVIDER_ID[_N] whose media file and record are
     * both free; link() never replaces a file. */
    for (n = 0; ; n++) {
        char *p;
        int taken;
        if (n == 1000 || aip_cache_stem(stem, sizeof(stem), c->desc->name, c->id, n) < 0) {
            av_log(h, AV_LOG_ERROR, "no free file name for %s in %s\n", c->id, c->cache_dir);
            ret = AVERROR(EEXIST);
            goto end;
        }
        snprintf(side, sizeof(side), "%s.json", stem);
        snprintf(name, sizeof(name), "%s.%s", stem, file_extension(c));
        if (!(p = join_path(c->cache_dir, side))) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        taken = path_exists(p);
        av_free(p);
        if (taken)
            continue;
        if ((ret = link_new(tmp, c->cache_dir, name)) < 0) {
            av_log(h, AV_LOG_ERROR, "cannot name the fetched file %s/%s: %s\n", c->cache_dir, name, av_err2str(ret));
            goto end;
        }
        if (!ret)
            continue;
        ret = write_record(c, name, side, total, digest, created, fetched, t0);
        if (ret == 1)
            break;
        /* The record's name was taken meanwhile (another process), or it
         * could not be written: the media name just made is ours to undo. */
        if ((p = join_path(c->cache_dir, name)))
            unlink(p);
        av_free(p);
        if (ret < 0) {
            av_log(h, AV_LOG_ERROR, "cannot write the record %s/%s: %s\n", c->cache_dir, side, av_err2str(ret));
            goto end;
        }
    }
    unlink(tmp);
    av_freep(&tmp);

    av_freep(&media);
    if (!(media = join_path(c->cache_dir, name))) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    ret = append_log(c, h, fetched, name, total, digest, created[0] ? created : NULL);
    if (ret < 0)
        goto end;
    c->cache_fd = open(media, O_RDONLY | O_CLOEXEC);
    if (c->cache_fd < 0) {
        ret = AVERROR(errno);
        goto end;
    }
    c->size = total;
    c->seekable = 1;
    c->pos = 0;
    av_log(h, AV_LOG_INFO, "%s %s kept as %s (%"PRId64" bytes, sha256 %s)\n",
           c->desc->label, c->id, media, total, digest);
    ret = 0;
end:
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        av_free(tmp);
    }
    av_free(media);
    av_free(sha);
    av_free(buf);
    return ret;
}

/* ----------------------------------------------------------- URLProtocol */

static int get_credentials(AIPContext *c, URLContext *h)
{
    const AIPProviderDesc *d = c->desc;
    const char *key = c->api_key;
    int ret;

    if (d->auth == AIP_AUTH_KLING && !key) {
        const char *ak = c->access_key ? c->access_key : getenv("KLING_ACCESS_KEY");
        const char *sk = c->secret_key ? c->secret_key : getenv("KLING_SECRET_KEY");
        const char *static_key = getenv("KLING_API_KEY");
        /* The legacy queries want the JWT, the new standard a static key:
         * each takes the other when its own is not there. */
        const int want_static = !strcmp(c->kind, "tasks") && static_key && *static_key &&
                                !c->access_key && !c->secret_key;
        if (ak && *ak && sk && *sk && !want_static) {
            if (ak != c->access_key) {
                av_freep(&c->access_key);
                if (!(c->access_key = av_strdup(ak)))
                    return AVERROR(ENOMEM);
            }
            if (sk != c->secret_key) {
                av_freep(&c->secret_key);
                if (!(c->secret_key = av_strdup(sk)))
                    return AVERROR(ENOMEM);
            }
            if (!valid_header_value(c->access_key)) {
                av_log(h, AV_LOG_ERROR, "the Kling access key holds control characters\n");
                return AVERROR(EINVAL);
            }
            if ((ret = add_secret(c, c->access_key)) < 0 || (ret = add_secret(c, c->secret_key)) < 0)
                return ret;
            return 0;
        }
        key = static_key;
        if (!key || !*key) {
            av_log(h, AV_LOG_ERROR, "no Kling credential: set KLING_ACCESS_KEY and KLING_SECRET_KEY "
                   "(or the access_key and secret_key options), or KLING_API_KEY (or api_key)\n");
            return AVERROR(EINVAL);
        }
    }
    for (int i = 0; i < 2 && (!key || !*key) && d->key_env[i]; i++)
        key = getenv(d->key_env[i]);
    if (!key || !*key) {
        av_log(h, AV_LOG_ERROR, "no %s API key: set %s%s%s or the api_key option\n", d->label,
               d->key_env[0], d->key_env[1] ? " or " : "", d->key_env[1] ? d->key_env[1] : "");
        return AVERROR(EINVAL);
    }
    if (!valid_header_value(key)) {
        av_log(h, AV_LOG_ERROR, "the %s API key holds control characters\n", d->label);
        return AVERROR(EINVAL);
    }
    if (!(c->key = av_strdup(key)))
        return AVERROR(ENOMEM);
    return add_secret(c, c->key);
}

static int aip_open(URLContext *h, const char *uri, int flags, const AIPProviderDesc *desc)
{
    AIPContext *c = h->priv_data;
    const char *id;
    AIPUrl u;
    int ret;

    c->desc = desc;
    c->cache_fd = -1;
    c->size = -1;
    c->resolved_at_pos = -1;
    aip_job_init(&c->job);

    if (flags & AVIO_FLAG_WRITE) {
        av_log(h, AV_LOG_ERROR, "%s:// is read-only\n", desc->name);
        return AVERROR(ENOSYS);
    }
    if (!av_strstart(uri, desc->name, &id) || !av_strstart(id, "://", &id)) {
        av_log(h, AV_LOG_ERROR, "expected %s://%s\n", desc->name,
               desc->kind == AIP_KLING ? "KIND/TASK_ID" : "ID");
        return AVERROR(EINVAL);
    }
    if (!aip_id_valid(id, desc->kind == AIP_VEO || desc->kind == AIP_KLING)) {
        av_log(h, AV_LOG_ERROR, "'%s' is not a %s %s id (letters, digits, . _ ~ : -%s; up to 512)\n",
               id, desc->label, desc->what, desc->kind == AIP_VEO ? ", / between segments" : "");
        return AVERROR(EINVAL);
    }
    if (!(c->id = av_strdup(id)))
        return AVERROR(ENOMEM);
    if (desc->kind == AIP_KLING) {
        const char *slash = strchr(id, '/');
        if (!slash || strchr(slash + 1, '/')) {
            av_log(h, AV_LOG_ERROR, "expected kling://KIND/TASK_ID (KIND: text2video, image2video, ... "
                   "for the legacy API, tasks for the new one), not kling://%s\n", id);
            return AVERROR(EINVAL);
        }
        if (!(c->kind = av_strndup(id, slash - id)) || !(c->job_id = av_strdup(slash + 1)))
            return AVERROR(ENOMEM);
    }

    if (!(c->base = av_strdup(c->api_base ? c->api_base : desc->default_base)))
        return AVERROR(ENOMEM);
    for (size_t n = strlen(c->base); n > 0 && c->base[n - 1] == '/'; n--)
        c->base[n - 1] = 0;
    if (aip_url_parse(c->base, &u) < 0 || strchr(u.path, '?') || strchr(u.path, '#')) {
        av_log(h, AV_LOG_ERROR, "api_base=%s is not an http:// or https:// URL without user info, query "
               "or fragment\n", c->base);
        return AVERROR(EINVAL);
    }
    if (!c->tls_verify)
        av_log(h, AV_LOG_WARNING, "tls_verify=0: the servers' certificates are not checked\n");

    if (c->cache_dir) {
        if ((ret = mkdirs(c->cache_dir)) < 0) {
            av_log(h, AV_LOG_ERROR, "cannot make cache_dir %s: %s\n", c->cache_dir, av_err2str(ret));
            return ret;
        }
        if ((ret = cache_lookup(c, h)) != 0)
            return ret < 0 ? ret : 0;
    }

    if ((ret = get_credentials(c, h)) < 0)
        return ret;
    if ((ret = resolve(c, h)) < 0)
        return ret;
    if ((ret = stream_start(c, h, 0)) < 0)
        return ret;
    if (c->cache_dir)
        return cache_fetch(c, h);
    h->is_streamed = !c->seekable;
    if (!c->seekable)
        av_log(h, AV_LOG_WARNING, "%s serves no range requests: the result can only be read from start "
               "to end (an MP4 with its index at the end cannot play so); cache_dir= fetches it whole "
               "first\n", c->result_host);
    return 0;
}

int ff_aip_open(URLContext *h, const char *uri, int flags, AVDictionary **options,
                const AIPProviderDesc *desc)
{
    /* FFmpeg closes a protocol only when its open succeeded. */
    const int ret = aip_open(h, uri, flags, desc);
    if (ret < 0)
        ff_aip_close(h);
    return ret;
}

int ff_aip_read(URLContext *h, unsigned char *buf, int size)
{
    AIPContext *c = h->priv_data;
    if (c->cache_fd >= 0) {
        for (;;) {
            const ssize_t n = read(c->cache_fd, buf, size);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return AVERROR(errno);
            return n ? (int)n : AVERROR_EOF;
        }
    }
    return stream_read(c, h, buf, size);
}

int64_t ff_aip_seek(URLContext *h, int64_t pos, int whence)
{
    AIPContext *c = h->priv_data;
    int64_t target;
    int ret;

    if (c->cache_fd >= 0) {
        off_t r;
        if (whence == AVSEEK_SIZE)
            return c->size;
        r = lseek(c->cache_fd, pos, whence & ~AVSEEK_FORCE);
        return r < 0 ? AVERROR(errno) : r;
    }
    if (whence == AVSEEK_SIZE)
        return c->size >= 0 ? c->size : AVERROR(ENOSYS);
    switch (whence & ~AVSEEK_FORCE) {
    case SEEK_SET: target = pos; break;
    case SEEK_CUR: target = c->pos + pos; break;
    case SEEK_END:
        if (c->size < 0)
            return AVERROR(ENOSYS);
        target = c->size + pos;
        break;
    default:
        return AVERROR(EINVAL);
    }
    if (target < 0)
        return AVERROR(EINVAL);
    if (target == c->pos)
        return target;
    if (!c->seekable)
        return AVERROR(ENOSYS);
    if (c->inner) {
        const int64_t r = ffurl_seek(c->inner, target, SEEK_SET);
        if (r >= 0) {
            c->pos = r;
            return r;
        }
        if (r == AVERROR_EXIT)
            return r;
        /* The old connection is still there but the URL may have expired:
         * reopen (and re-resolve when refused). */
    }
    ret = stream_start(c, h, target);
    return ret < 0 ? ret : target;
}

int ff_aip_get_short_seek(URLContext *h)
{
    AIPContext *c = h->priv_data;
    if (c->inner)
        return ffurl_get_short_seek(c->inner);
    /* Our client reconnects for each seek: read through short ones. */
    return c->cache_fd >= 0 ? 0 : 65536;
}

int ff_aip_close(URLContext *h)
{
    AIPContext *c = h->priv_data;
    stream_close(c);
    if (c->cache_fd >= 0)
        close(c->cache_fd);
    c->cache_fd = -1;
    aip_job_free(&c->job);
    wipe_free(&c->key);
    /* The option strings are freed by FFmpeg: wipe them first. */
    if (c->api_key)
        memset(c->api_key, 0, strlen(c->api_key));
    if (c->access_key)
        memset(c->access_key, 0, strlen(c->access_key));
    if (c->secret_key)
        memset(c->secret_key, 0, strlen(c->secret_key));
    for (int i = 0; i < c->nb_secrets; i++)
        wipe_free(&c->secrets[i]);
    c->nb_secrets = 0;
    av_freep(&c->id);
    av_freep(&c->kind);
    av_freep(&c->job_id);
    av_freep(&c->base);
    av_freep(&c->result_url);
    return 0;
}
