/*
 * HTTP/1.1 response heads and bodies for the provider protocols' own API
 * client, plus the small URL, date and naming rules they share. Pure C
 * without FFmpeg, so the unit tests drive every parser alone.
 *
 * The provider protocols talk to the providers' JSON APIs themselves (over
 * FFmpeg's tcp/tls) rather than through FFmpeg's http protocol because they
 * need what http.c does not give a caller: the body and headers of an error
 * response (the provider's message, Retry-After, poll hints), redirects
 * answered by hand so that a credential never follows one to another host,
 * and no request header ever written to the log (http.c logs each request
 * whole at debug level). Result bytes on storage hosts, which need no
 * credential, still stream through FFmpeg's http/https.
 *
 * Nothing here allocates except where said; every parser is bounded by the
 * length it is given.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_HTTPMSG_H
#define AIPOST_HTTPMSG_H

#include <stddef.h>
#include <stdint.h>

/* Longest response head accepted (status line and headers). */
#define AIP_HTTP_MAX_HEAD 65536

typedef struct AIPHttpHead {
    int status;                 /* 100..599 */
    int64_t content_length;     /* -1: absent */
    int chunked;                /* Transfer-Encoding ends in chunked */
    int64_t range_start;        /* Content-Range: bytes START-END/TOTAL; -1 absent */
    int64_t range_end;
    int64_t range_total;        /* -1: absent or '*' */
    int accept_ranges;          /* Accept-Ranges: bytes */
    double retry_after;         /* seconds from now; -1 absent or unreadable */
    double poll_after;          /* openai-poll-after-ms in seconds; -1 absent */
    char location[2048];        /* "" when absent */
    char content_type[128];     /* media type without parameters, lower case */
} AIPHttpHead;

/**
 * Find the end of a response head.
 * @return the head's length through the blank line, 0 when buf does not
 *         hold a whole head yet, -1 when it is longer than AIP_HTTP_MAX_HEAD
 */
long aip_http_head_end(const char *buf, size_t len);

/**
 * Parse a response head of len bytes (as measured by aip_http_head_end).
 * now: the current Unix time, for a Retry-After given as an HTTP date.
 * @return 0, -1 for a malformed status line or framing header (conflicting
 *         or unreadable Content-Length, a Location too long)
 */
int aip_http_parse_head(const char *buf, size_t len, int64_t now, AIPHttpHead *head);

/**
 * Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP date.
 * @return seconds from now (0 for a date in the past), -1 when unreadable
 */
double aip_http_retry_after(const char *value, int64_t now);

/**
 * IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form senders must
 * use (RFC 9110 5.6.7). @return Unix seconds, -1 when not one
 */
int64_t aip_http_date(const char *s);

/* Body framing (RFC 9112 6.3). */
enum AIPBodyMode { AIP_BODY_NONE, AIP_BODY_LENGTH, AIP_BODY_CHUNKED, AIP_BODY_CLOSE };

typedef struct AIPBody {
    enum AIPBodyMode mode;
    int64_t left;               /* LENGTH: bytes to come; CHUNKED: of this chunk */
    int state;                  /* chunked parser state */
    char line[64];              /* chunk-size line being read */
    int line_len;
    int line_seen;              /* bytes of the line so far, kept or not */
    int done;                   /* the whole body has been seen */
} AIPBody;

/* Framing of the body that follows head (head_request: a HEAD request's). */
void aip_body_init(AIPBody *b, const AIPHttpHead *head, int head_request);

/**
 * Decode wire bytes into body bytes: consumes from in (in_len bytes),
 * writes at most out_cap bytes to out and sets *out_len.
 * @return the wire bytes consumed (less than in_len when out is full or
 *         the body ended), -1 for malformed chunked framing
 */
long aip_body_decode(AIPBody *b, const uint8_t *in, size_t in_len,
                     uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * The connection closed: was the body complete?
 * @return 0 complete, -1 truncated
 */
int aip_body_eof(AIPBody *b);

/* Parts of an absolute http(s) URL, pointing into the string. */
typedef struct AIPUrl {
    int https;
    const char *host;           /* without brackets for an IPv6 literal */
    size_t host_len;
    int port;                   /* explicit or the scheme's default */
    const char *path;           /* from the first '/', '?' or end ("" when none) */
} AIPUrl;

/* @return 0, -1 when url is not an absolute http:// or https:// URL with a
 * host, or carries userinfo ("user@host": never sent anywhere). */
int aip_url_parse(const char *url, AIPUrl *u);

/* Same scheme, host (case-insensitive) and port: the only hosts a
 * provider's credential is sent to are its api_base's origin. */
int aip_url_same_origin(const char *a, const char *b);

/**
 * A provider's identifier as given in the URL: 1..512 characters of
 * [A-Za-z0-9._~:-], '/' only when allow_slash (and never "." or ".." as a
 * segment, nor leading, trailing or doubled), so that it can go into a
 * request path and a file name unescaped.
 */
int aip_id_valid(const char *id, int allow_slash);

/* The file name stem of a generation: "PROVIDER_ID" with '/' and ':' as
 * '_'; a conflict counter n > 0 appends "_n". @return 0, -1 too long */
int aip_cache_stem(char *out, size_t size, const char *provider, const char *id, int n);

/* Unix time (ms) as ISO 8601 UTC: "2024-11-15T03:34:51.751Z", or without
 * the fraction when with_ms is 0. out needs 32 bytes. */
void aip_iso8601(char *out, int64_t unix_ms, int with_ms);

/* Parse an ISO 8601 UTC time ("YYYY-MM-DDTHH:MM:SS[.fff]Z" or "+00:00").
 * @return Unix ms, INT64_MIN when not one */
int64_t aip_iso8601_parse(const char *s);

#endif /* AIPOST_HTTPMSG_H */
