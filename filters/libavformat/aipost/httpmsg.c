/*
 * HTTP/1.1 response heads and bodies, URL origins, dates and names for the
 * provider protocols. See httpmsg.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"

long aip_http_head_end(const char *buf, size_t len)
{
    /* Tolerate bare LF line ends (RFC 9112 2.2 allows a recipient to). */
    for (size_t i = 0; i < len && i < AIP_HTTP_MAX_HEAD; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < len && buf[i + 1] == '\n')
            return (long)(i + 2);
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return (long)(i + 3);
    }
    return len >= AIP_HTTP_MAX_HEAD ? -1 : 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int name_is(const char *name, size_t n, const char *want)
{
    size_t i;
    for (i = 0; i < n && want[i]; i++)
        if (lower((unsigned char)name[i]) != want[i])
            return 0;
    return i == n && !want[i];
}

/* Non-negative decimal of at most 18 digits filling [s, end); -1 otherwise. */
static int64_t parse_uint(const char *s, const char *end)
{
    int64_t v = 0;
    if (s >= end || end - s > 18)
        return -1;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static void trim(const char **s, const char **end)
{
    while (*s < *end && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*end > *s && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

static void copy_field(char *dst, size_t size, const char *s, const char *end)
{
    size_t n = (size_t)(end - s);
    if (n >= size)
        n = size - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

static const char *const month_names[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    const int64_t ym  = y - (m <= 2);
    const int64_t era = (ym >= 0 ? ym : ym - 399) / 400;
    const int64_t yoe = ym - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int64_t aip_http_date(const char *s)
{
    int day, year, hh, mm, ss, mon = -1;

    /* "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters exactly. */
    if (strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || strcmp(s + 25, " GMT"))
        return -1;
    day  = digits(s + 5, 2);
    year = digits(s + 12, 4);
    hh   = digits(s + 17, 2);
    mm   = digits(s + 20, 2);
    ss   = digits(s + 23, 2);
    for (int i = 0; i < 12; i++)
        if (!memcmp(s + 8, month_names[i], 3))
            mon = i + 1;
    if (mon < 0 || day < 1 || year < 1970 || day > days_in_month(year, mon) ||
        hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return -1;
    return days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss;
}

double aip_http_retry_after(const char *value, int64_t now)
{
    const char *s = value, *end = value + strlen(value);
    char date[32];
    int64_t t;

    trim(&s, &end);
    if (s < end && *s >= '0' && *s <= '9') {
        /* delay-seconds is 1*DIGIT; a fraction is read too, as some
         * gateways send one. */
        char *e;
        const double v = strtod(s, &e);
        if (e != end || v < 0 || v > 1e9)
            return -1;
        return v;
    }
    if (end - s >= (long)sizeof(date))
        return -1;
    copy_field(date, sizeof(date), s, end);
    t = aip_http_date(date);
    if (t < 0)
        return -1;
    return t > now ? (double)(t - now) : 0;
}

int aip_http_parse_head(const char *buf, size_t len, int64_t now, AIPHttpHead *head)
{
    const char *p = buf, *end = buf + len;
    const char *eol;
    int code;

    memset(head, 0, sizeof(*head));
    head->content_length = -1;
    head->range_start = head->range_end = head->range_total = -1;
    head->retry_after = head->poll_after = -1;

    /* Status line: HTTP/1.x SP 3DIGIT [SP reason] */
    eol = memchr(p, '\n', len);
    if (!eol || eol - p < 12 || memcmp(p, "HTTP/1.", 7) || p[8] != ' ')
        return -1;
    code = digits(p + 9, 3);
    if (code < 100 || code > 599 || (p[12] != ' ' && p[12] != '\r' && p[12] != '\n'))
        return -1;
    head->status = code;
    p = eol + 1;

    while (p < end) {
        const char *le, *colon;

        eol = memchr(p, '\n', (size_t)(end - p));
        le = eol ? eol : end;
        if (le > p && le[-1] == '\r')
            le--;
        if (le == p)
            break;                              /* the blank line */
        colon = memchr(p, ':', (size_t)(le - p));
        if (colon && colon > p) {
            const char *name = p;
            const size_t nlen = (size_t)(colon - p);
            const char *v = colon + 1, *ve = le;
            trim(&v, &ve);
            if (name_is(name, nlen, "content-length")) {
                const int64_t cl = parse_uint(v, ve);
                if (cl < 0 || (head->content_length >= 0 && head->content_length != cl))
                    return -1;
                head->content_length = cl;
            } else if (name_is(name, nlen, "transfer-encoding")) {
                /* The last coding decides (RFC 9112 6.3 item 4). */
                const char *last = ve;
                while (last > v && last[-1] != ',' && last[-1] != ' ')
                    last--;
                head->chunked = ve - last == 7 && name_is(last, 7, "chunked");
                if (!head->chunked)
                    return -1;              /* no other coding is asked for */
            } else if (name_is(name, nlen, "content-range")) {
                /* bytes START-END/TOTAL or bytes START-END/'*' */
                if (ve - v > 6 && name_is(v, 6, "bytes ")) {
                    const char *a = v + 6, *dash = memchr(a, '-', (size_t)(ve - a));
                    const char *slash = dash ? memchr(dash, '/', (size_t)(ve - dash)) : NULL;
                    if (dash && slash) {
                        const int64_t s0 = parse_uint(a, dash), s1 = parse_uint(dash + 1, slash);
                        const int64_t t = (ve - slash == 2 && slash[1] == '*') ? -1 : parse_uint(slash + 1, ve);
                        if (s0 >= 0 && s1 >= s0 && (t < 0 || s1 < t)) {
                            head->range_start = s0;
                            head->range_end = s1;
                            head->range_total = t;
                        }
                    }
                }
            } else if (name_is(name, nlen, "accept-ranges")) {
                head->accept_ranges = ve - v == 5 && name_is(v, 5, "bytes");
            } else if (name_is(name, nlen, "retry-after")) {
                char tmp[64];
                if (ve - v < (long)sizeof(tmp)) {
                    copy_field(tmp, sizeof(tmp), v, ve);
                    head->retry_after = aip_http_retry_after(tmp, now);
                }
            } else if (name_is(name, nlen, "openai-poll-after-ms")) {
                const int64_t ms = parse_uint(v, ve);
                if (ms >= 0)
                    head->poll_after = ms / 1000.0;
            } else if (name_is(name, nlen, "location")) {
                if (ve - v >= (long)sizeof(head->location))
                    return -1;
                copy_field(head->location, sizeof(head->location), v, ve);
            } else if (name_is(name, nlen, "content-type")) {
                const char *semi = memchr(v, ';', (size_t)(ve - v));
                const char *te = semi ? semi : ve;
                trim(&v, &te);
                copy_field(head->content_type, sizeof(head->content_type), v, te);
                for (char *c = head->content_type; *c; c++)
                    *c = (char)lower((unsigned char)*c);
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    /* Chunked wins over a length (RFC 9112 6.3 item 3). */
    if (head->chunked)
        head->content_length = -1;
    return 0;
}

void aip_body_init(AIPBody *b, const AIPHttpHead *head, int head_request)
{
    memset(b, 0, sizeof(*b));
    if (head_request || head->status == 204 || head->status == 304 ||
        (head->status >= 100 && head->status < 200)) {
        b->mode = AIP_BODY_NONE;
        b->done = 1;
    } else if (head->chunked) {
        b->mode = AIP_BODY_CHUNKED;
    } else if (head->content_length >= 0) {
        b->mode = AIP_BODY_LENGTH;
        b->left = head->content_length;
        b->done = b->left == 0;
    } else {
        b->mode = AIP_BODY_CLOSE;
    }
}

enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER };

long aip_body_decode(AIPBody *b, const uint8_t *in, size_t in_len,
                     uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t used = 0, produced = 0;

    *out_len = 0;
    if (b->done)
        return 0;
    if (b->mode == AIP_BODY_CLOSE || b->mode == AIP_BODY_LENGTH) {
        size_t n = in_len < out_cap ? in_len : out_cap;
        if (b->mode == AIP_BODY_LENGTH && (int64_t)n > b->left)
            n = (size_t)b->left;
        memcpy(out, in, n);
        if (b->mode == AIP_BODY_LENGTH) {
            b->left -= (int64_t)n;
            b->done = b->left == 0;
        }
        *out_len = n;
        return (long)n;
    }

    while (used < in_len && !b->done) {
        const uint8_t c = in[used];
        switch (b->state) {
        case CH_SIZE:
        case CH_TRAILER:
            used++;
            if (c != '\n') {
                /* Only a line's first bytes matter (the size, or whether a
                 * trailer line is empty); a line that never ends is an
                 * error rather than a way to keep a reader busy. */
                if (++b->line_seen > 4096)
                    return -1;
                if (b->line_len < (int)sizeof(b->line) - 1)
                    b->line[b->line_len++] = (char)c;
                continue;
            }
            b->line_seen = 0;
            if (b->line_len && b->line[b->line_len - 1] == '\r')
                b->line_len--;
            b->line[b->line_len] = 0;
            if (b->state == CH_TRAILER) {
                if (!b->line_len)
                    b->done = 1;
                b->line_len = 0;
                continue;
            } else {
                int64_t size = 0;
                int nd = 0;
                for (const char *s = b->line; *s && *s != ';' && *s != ' ' && *s != '\t'; s++, nd++) {
                    const int h = isxdigit((unsigned char)*s) ?
                        (*s <= '9' ? *s - '0' : lower((unsigned char)*s) - 'a' + 10) : -1;
                    if (h < 0 || nd >= 15)
                        return -1;
                    size = size * 16 + h;
                }
                if (!nd)
                    return -1;
                b->line_len = 0;
                b->left = size;
                b->state = size ? CH_DATA : CH_TRAILER;
            }
            break;
        case CH_DATA: {
            size_t n = in_len - used;
            if (produced == out_cap)
                goto out;
            if ((int64_t)n > b->left)
                n = (size_t)b->left;
            if (n > out_cap - produced)
                n = out_cap - produced;
            memcpy(out + produced, in + used, n);
            produced += n;
            used += n;
            b->left -= (int64_t)n;
            if (!b->left)
                b->state = CH_DATA_END;
            break;
        }
        case CH_DATA_END:
            used++;
            if (c == '\r')
                break;
            if (c != '\n')
                return -1;
            b->state = CH_SIZE;
            break;
        }
    }
out:
    *out_len = produced;
    return (long)used;
}

int aip_body_eof(AIPBody *b)
{
    if (b->mode == AIP_BODY_CLOSE)
        b->done = 1;
    return b->done ? 0 : -1;
}

int aip_url_parse(const char *url, AIPUrl *u)
{
    const char *p, *aend, *port = NULL;
    size_t alen;

    memset(u, 0, sizeof(*u));
    if (!strncmp(url, "https://", 8)) {
        u->https = 1;
        p = url + 8;
    } else if (!strncmp(url, "http://", 7)) {
        p = url + 7;
    } else {
        return -1;
    }
    alen = strcspn(p, "/?#");
    if (memchr(p, '@', alen))
        return -1;
    aend = p + alen;
    if (*p == '[') {
        const char *rb = memchr(p, ']', alen);
        if (!rb)
            return -1;
        u->host = p + 1;
        u->host_len = (size_t)(rb - p - 1);
        if (rb + 1 < aend) {
            if (rb[1] != ':')
                return -1;
            port = rb + 2;
        }
    } else {
        const char *colon = memchr(p, ':', alen);
        u->host = p;
        u->host_len = (size_t)((colon ? colon : aend) - p);
        if (colon)
            port = colon + 1;
    }
    if (!u->host_len)
        return -1;
    u->port = u->https ? 443 : 80;
    if (port) {
        const int64_t v = parse_uint(port, aend);
        if (v < 1 || v > 65535)
            return -1;
        u->port = (int)v;
    }
    u->path = aend;
    return 0;
}

int aip_url_same_origin(const char *a, const char *b)
{
    AIPUrl ua, ub;
    if (aip_url_parse(a, &ua) < 0 || aip_url_parse(b, &ub) < 0)
        return 0;
    if (ua.https != ub.https || ua.port != ub.port || ua.host_len != ub.host_len)
        return 0;
    for (size_t i = 0; i < ua.host_len; i++)
        if (lower((unsigned char)ua.host[i]) != lower((unsigned char)ub.host[i]))
            return 0;
    return 1;
}

int aip_id_valid(const char *id, int allow_slash)
{
    const size_t n = strlen(id);
    const char *seg = id;

    if (!n || n > 512)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        const char c = id[i];
        if (c == '/' || !c) {
            const size_t sl = (size_t)(id + i - seg);
            if (!sl || (sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
                return 0;
            if (c == '/' && !allow_slash)
                return 0;
            seg = id + i + 1;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '~' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

int aip_cache_stem(char *out, size_t size, const char *provider, const char *id, int n)
{
    int len = n > 0 ? snprintf(out, size, "%s_%s_%d", provider, id, n)
                    : snprintf(out, size, "%s_%s", provider, id);
    if (len < 0 || (size_t)len >= size)
        return -1;
    for (char *c = out; *c; c++)
        if (*c == '/' || *c == ':')
            *c = '_';
    return 0;
}

void aip_iso8601(char *out, int64_t unix_ms, int with_ms)
{
    const int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
    const int ms = (int)(unix_ms - secs * 1000);
    const int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    const int64_t rem = secs - days * 86400;
    /* civil_from_days (H. Hinnant) */
    const int64_t z   = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    const int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    const int64_t y = yoe + era * 400 + (m <= 2);
    const int hh = (int)(rem / 3600), mi = (int)(rem / 60 % 60), ss = (int)(rem % 60);
    char tmp[80];   /* as long as any int could print; a real date takes 24 */
    if (with_ms)
        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)y, m, d, hh, mi, ss, ms);
    else
        snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d, hh, mi, ss);
    snprintf(out, 32, "%.31s", tmp);
}

int64_t aip_iso8601_parse(const char *s)
{
    const size_t n = strlen(s);
    const char *p = s + 19;
    int y, mo, d, hh, mi, ss, ms = 0;

    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return INT64_MIN;
    y  = digits(s, 4);
    mo = digits(s + 5, 2);
    d  = digits(s + 8, 2);
    hh = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    ss = digits(s + 17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
        return INT64_MIN;
    if (*p == '.') {
        int scale = 100, nd = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, nd++) {
            ms += (*p - '0') * scale;
            scale /= 10;
        }
        if (!nd)
            return INT64_MIN;
    }
    if (strcmp(p, "Z") && strcmp(p, "z") && strcmp(p, "+00:00"))
        return INT64_MIN;
    return (days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss) * 1000 + ms;
}
