/*
 * Unit tests of the provider protocols' HTTP and naming rules, without
 * FFmpeg (aipost/httpmsg.c):
 *   - response heads: status line, framing headers (Content-Length,
 *     chunked wins, conflicting lengths refused), Content-Range, Retry-After
 *     as seconds and as an IMF-fixdate, openai-poll-after-ms, Location,
 *     Content-Type without parameters, bare LF line ends, a head too long;
 *   - bodies: by length, chunked with extensions and trailers, fed one byte
 *     at a time and with a full output, malformed chunk sizes, endless
 *     chunk-size lines, truncation detected at EOF, bodies to the close;
 *   - URLs: origin comparison (scheme, host case, default ports), user
 *     info refused; ids safe for paths and file names; cache names; ISO 8601
 *     both ways, against known dates.
 */

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/httpmsg.h"

static int parse(const char *text, AIPHttpHead *h)
{
    const long end = aip_http_head_end(text, strlen(text));
    if (end <= 0)
        return -2;
    return aip_http_parse_head(text, (size_t)end, 1700000000, h);
}

START_TEST(head_status_and_framing)
{
    AIPHttpHead h;

    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 42\r\nContent-Type: Application/JSON; charset=utf-8\r\n\r\nbody", &h), 0);
    ck_assert_int_eq(h.status, 200);
    ck_assert_int_eq(h.content_length, 42);
    ck_assert_int_eq(h.chunked, 0);
    ck_assert_str_eq(h.content_type, "application/json");
    ck_assert(h.retry_after < 0 && h.poll_after < 0 && !h.location[0]);

    /* chunked wins over a length; bare LF line ends */
    ck_assert_int_eq(parse("HTTP/1.0 206 Partial\nTransfer-Encoding: gzip, chunked\ncontent-length: 10\n\n", &h), 0);
    ck_assert_int_eq(h.status, 206);
    ck_assert_int_eq(h.chunked, 1);
    ck_assert_int_eq(h.content_length, -1);

    /* two different lengths, a bad length, a coding we do not ask for */
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 4x\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", &h), -1);
    /* the same length twice is fine */
    ck_assert_int_eq(parse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\n", &h), 0);

    /* status lines */
    ck_assert_int_eq(parse("HTTP/1.1 99 Low\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("HTTP/1.1 600 High\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("HTTP/2 200 OK\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("ICY 200 OK\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("HTTP/1.1 2000 OK\r\n\r\n", &h), -1);
    ck_assert_int_eq(parse("HTTP/1.1 204\r\n\r\n", &h), 0);
    ck_assert_int_eq(h.status, 204);
}
END_TEST

START_TEST(head_ranges_hints_location)
{
    AIPHttpHead h;
    char big[3000], text[3200];

    ck_assert_int_eq(parse("HTTP/1.1 206 P\r\nContent-Range: bytes 100-199/5000\r\nAccept-Ranges: bytes\r\n\r\n", &h), 0);
    ck_assert_int_eq(h.range_start, 100);
    ck_assert_int_eq(h.range_end, 199);
    ck_assert_int_eq(h.range_total, 5000);
    ck_assert_int_eq(h.accept_ranges, 1);
    ck_assert_int_eq(parse("HTTP/1.1 206 P\r\nContent-Range: bytes 100-199/*\r\n\r\n", &h), 0);
    ck_assert_int_eq(h.range_start, 100);
    ck_assert_int_eq(h.range_total, -1);
    /* end before start, end past the total: ignored */
    ck_assert_int_eq(parse("HTTP/1.1 206 P\r\nContent-Range: bytes 200-100/5000\r\n\r\n", &h), 0);
    ck_assert_int_eq(h.range_start, -1);
    ck_assert_int_eq(parse("HTTP/1.1 206 P\r\nContent-Range: bytes 0-5000/5000\r\nAccept-Ranges: none\r\n\r\n", &h), 0);
    ck_assert_int_eq(h.range_start, -1);
    ck_assert_int_eq(h.accept_ranges, 0);

    ck_assert_int_eq(parse("HTTP/1.1 429 T\r\nRetry-After: 7\r\nopenai-poll-after-ms: 1500\r\n\r\n", &h), 0);
    ck_assert(h.retry_after == 7);
    ck_assert(h.poll_after == 1.5);
    /* 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT */
    ck_assert_int_eq(parse("HTTP/1.1 503 U\r\nRetry-After: Tue, 14 Nov 2023 22:13:50 GMT\r\n\r\n", &h), 0);
    ck_assert(h.retry_after == 30);
    ck_assert_int_eq(parse("HTTP/1.1 503 U\r\nRetry-After: Tue, 14 Nov 2023 22:00:00 GMT\r\n\r\n", &h), 0);
    ck_assert(h.retry_after == 0);
    ck_assert_int_eq(parse("HTTP/1.1 503 U\r\nRetry-After: soon\r\n\r\n", &h), 0);
    ck_assert(h.retry_after < 0);

    ck_assert_int_eq(parse("HTTP/1.1 302 F\r\nLocation:  https://cdn.example/x?sig=1  \r\n\r\n", &h), 0);
    ck_assert_str_eq(h.location, "https://cdn.example/x?sig=1");
    /* a Location longer than the field is an error, not a cut URL */
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    snprintf(text, sizeof(text), "HTTP/1.1 302 F\r\nLocation: http://h/%s\r\n\r\n", big);
    ck_assert_int_eq(parse(text, &h), -1);
}
END_TEST

START_TEST(head_end_limits)
{
    char *big = malloc(AIP_HTTP_MAX_HEAD + 10);
    ck_assert_int_eq(aip_http_head_end("HTTP/1.1 200 OK\r\nA: b\r\n", 24), 0);
    ck_assert_int_eq(aip_http_head_end("HTTP/1.1 200 OK\r\n\r\nxyz", 22), 19);
    ck_assert_int_eq(aip_http_head_end("HTTP/1.1 200 OK\n\nxyz", 20), 17);
    memset(big, 'a', AIP_HTTP_MAX_HEAD + 10);
    ck_assert_int_eq(aip_http_head_end(big, AIP_HTTP_MAX_HEAD + 10), -1);
    free(big);
}
END_TEST

START_TEST(retry_after_and_dates)
{
    ck_assert(aip_http_retry_after("0", 0) == 0);
    ck_assert(aip_http_retry_after(" 120 ", 0) == 120);
    ck_assert(aip_http_retry_after("1.5", 0) == 1.5);
    ck_assert(aip_http_retry_after("-1", 0) < 0);
    ck_assert(aip_http_retry_after("12abc", 0) < 0);
    ck_assert(aip_http_retry_after("", 0) < 0);
    /* RFC 9110's example: Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
    ck_assert_int_eq(aip_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    ck_assert_int_eq(aip_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
    ck_assert_int_eq(aip_http_date("Tue, 29 Feb 2000 12:00:00 GMT"), 951825600);
    ck_assert_int_eq(aip_http_date("Thu, 29 Feb 2001 12:00:00 GMT"), -1);      /* not a leap year */
    ck_assert_int_eq(aip_http_date("Sun, 06 Nov 1994 08:49:37 UTC"), -1);
    ck_assert_int_eq(aip_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), -1);     /* RFC 850: not sent */
    ck_assert_int_eq(aip_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), -1);
    ck_assert_int_eq(aip_http_date("Sun, 06 Nov 1994 24:49:37 GMT"), -1);
}
END_TEST

/* Decode wire bytes fed in pieces of `step` into out (cap out_cap per call). */
static long decode_all(AIPBody *b, const char *wire, size_t len, size_t step, size_t out_cap,
                       char *out, size_t *out_len)
{
    size_t pos = 0;
    *out_len = 0;
    while (pos < len && !b->done) {
        size_t n = len - pos < step ? len - pos : step;
        while (n) {
            size_t produced;
            const long used = aip_body_decode(b, (const uint8_t *)wire + pos, n,
                                              (uint8_t *)out + *out_len, out_cap, &produced);
            if (used < 0)
                return -1;
            *out_len += produced;
            pos += (size_t)used;
            n -= (size_t)used;
            if (!used && !produced)
                break;
            if (b->done)
                break;
        }
    }
    return (long)pos;
}

START_TEST(body_chunked)
{
    static const char wire[] = "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-T: 1\r\n\r\nNEXT";
    AIPHttpHead h = { .status = 200, .chunked = 1, .content_length = -1 };
    AIPBody b;
    char out[256];
    size_t n;

    for (size_t step = 1; step <= sizeof(wire); step += 3) {
        for (size_t cap = 1; cap <= 64; cap *= 4) {
            aip_body_init(&b, &h, 0);
            ck_assert_int_eq(b.mode, AIP_BODY_CHUNKED);
            const long used = decode_all(&b, wire, sizeof(wire) - 1, step, cap, out, &n);
            ck_assert_int_eq(b.done, 1);
            /* stops at the end of the body: "NEXT" is not consumed */
            ck_assert_int_eq(used, (long)sizeof(wire) - 1 - 4);
            ck_assert_uint_eq(n, 23);
            ck_assert(!memcmp(out, "Wikipedia in\r\n\r\nchunks.", 23));
            ck_assert_int_eq(aip_body_eof(&b), 0);
        }
    }

    /* malformed sizes */
    static const char *const bad[] = { "g\r\nx\r\n0\r\n\r\n", "\r\n", ";x\r\n", "1234567890abcdef0\r\n",
                                       "2\r\nabX\r\n0\r\n\r\n" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        aip_body_init(&b, &h, 0);
        ck_assert_int_eq(decode_all(&b, bad[i], strlen(bad[i]), 100, 100, out, &n), -1);
    }
    /* a chunk-size line that never ends */
    char *endless = malloc(10000);
    memset(endless, '1', 10000);
    aip_body_init(&b, &h, 0);
    ck_assert_int_eq(decode_all(&b, endless, 10000, 10000, 100, out, &n), -1);
    /* ... but a long extension after a size is fine */
    memset(endless, 'e', 10000);
    memcpy(endless, "3;", 2);
    memcpy(endless + 3000, "\r\nabc\r\n0\r\n\r\n", 12);
    aip_body_init(&b, &h, 0);
    ck_assert_int_eq(decode_all(&b, endless, 3012, 500, 100, out, &n), 3012);
    ck_assert(b.done && n == 3 && !memcmp(out, "abc", 3));
    free(endless);

    /* cut short: the connection closes inside a chunk */
    aip_body_init(&b, &h, 0);
    decode_all(&b, "5\r\nab", 5, 100, 100, out, &n);
    ck_assert_int_eq(b.done, 0);
    ck_assert_int_eq(aip_body_eof(&b), -1);
}
END_TEST

START_TEST(body_length_close_none)
{
    AIPHttpHead h = { .status = 200, .content_length = 5 };
    AIPBody b;
    char out[16];
    size_t n;

    aip_body_init(&b, &h, 0);
    ck_assert_int_eq(decode_all(&b, "helloEXTRA", 10, 3, 16, out, &n), 5);
    ck_assert(b.done && n == 5 && !memcmp(out, "hello", 5));

    aip_body_init(&b, &h, 0);
    decode_all(&b, "hel", 3, 3, 16, out, &n);
    ck_assert_int_eq(aip_body_eof(&b), -1);             /* truncated */

    h.content_length = -1;                              /* to the close */
    aip_body_init(&b, &h, 0);
    ck_assert_int_eq(b.mode, AIP_BODY_CLOSE);
    decode_all(&b, "anything", 8, 2, 16, out, &n);
    ck_assert_uint_eq(n, 8);
    ck_assert_int_eq(aip_body_eof(&b), 0);

    h.status = 204;
    aip_body_init(&b, &h, 0);
    ck_assert(b.done && b.mode == AIP_BODY_NONE);
    h.status = 200;
    h.content_length = 100;
    aip_body_init(&b, &h, 1);                           /* HEAD */
    ck_assert(b.done);
    h.content_length = 0;
    aip_body_init(&b, &h, 0);
    ck_assert(b.done);
}
END_TEST

START_TEST(urls_and_origins)
{
    AIPUrl u;

    ck_assert_int_eq(aip_url_parse("https://api.dev.runwayml.com/v1/tasks/x", &u), 0);
    ck_assert(u.https && u.port == 443 && u.host_len == 20 && !strncmp(u.host, "api.dev.runwayml.com", 20));
    ck_assert_str_eq(u.path, "/v1/tasks/x");
    ck_assert_int_eq(aip_url_parse("http://127.0.0.1:8080?x=1", &u), 0);
    ck_assert(!u.https && u.port == 8080 && !strcmp(u.path, "?x=1"));
    ck_assert_int_eq(aip_url_parse("http://[::1]:81/p", &u), 0);
    ck_assert(u.port == 81 && u.host_len == 3 && !strncmp(u.host, "::1", 3));
    ck_assert_int_eq(aip_url_parse("http://user:pw@host/", &u), -1);
    ck_assert_int_eq(aip_url_parse("ftp://host/", &u), -1);
    ck_assert_int_eq(aip_url_parse("http:///path", &u), -1);
    ck_assert_int_eq(aip_url_parse("http://host:0/", &u), -1);
    ck_assert_int_eq(aip_url_parse("http://host:65536/", &u), -1);
    ck_assert_int_eq(aip_url_parse("http://host:12a/", &u), -1);

    ck_assert(aip_url_same_origin("https://API.example.com/v1", "https://api.example.com:443/other?q"));
    ck_assert(aip_url_same_origin("http://h/a", "http://h:80/b"));
    ck_assert(!aip_url_same_origin("http://h/a", "https://h/a"));
    ck_assert(!aip_url_same_origin("http://h:81/a", "http://h/a"));
    ck_assert(!aip_url_same_origin("https://api.example.com/", "https://api.example.com.evil.net/"));
    ck_assert(!aip_url_same_origin("https://api.example.com/", "https://x@api.example.com/"));
    ck_assert(!aip_url_same_origin("https://api.example.com/", "localhost"));
}
END_TEST

START_TEST(ids_and_names)
{
    char name[64];

    ck_assert(aip_id_valid("2272f1f2-dbb8-4083-a126-d9a8f0524bb2", 0));
    ck_assert(aip_id_valid("video_abc123", 0));
    ck_assert(aip_id_valid("models/veo-3.1-generate-preview/operations/abc", 1));
    ck_assert(!aip_id_valid("models/veo/operations/abc", 0));
    ck_assert(!aip_id_valid("", 1));
    ck_assert(!aip_id_valid("a/../b", 1));
    ck_assert(!aip_id_valid("a/./b", 1));
    ck_assert(!aip_id_valid("..", 1));
    ck_assert(!aip_id_valid("/a", 1));
    ck_assert(!aip_id_valid("a/", 1));
    ck_assert(!aip_id_valid("a//b", 1));
    ck_assert(!aip_id_valid("a?b", 1));
    ck_assert(!aip_id_valid("a b", 1));
    ck_assert(!aip_id_valid("a%2Fb", 1));
    ck_assert(!aip_id_valid("a\nb", 1));
    ck_assert(aip_id_valid("...", 0));                  /* not a path segment of its own */

    char *long_id = malloc(514);
    memset(long_id, 'a', 513);
    long_id[513] = 0;
    ck_assert(!aip_id_valid(long_id, 0));
    long_id[512] = 0;
    ck_assert(aip_id_valid(long_id, 0));
    free(long_id);

    ck_assert_int_eq(aip_cache_stem(name, sizeof(name), "veo", "models/veo-3/operations/x:1", 0), 0);
    ck_assert_str_eq(name, "veo_models_veo-3_operations_x_1");
    ck_assert_int_eq(aip_cache_stem(name, sizeof(name), "runway", "abc", 2), 0);
    ck_assert_str_eq(name, "runway_abc_2");
    ck_assert_int_eq(aip_cache_stem(name, 8, "runway", "abc", 0), -1);
}
END_TEST

START_TEST(iso8601_both_ways)
{
    char s[32];

    aip_iso8601(s, INT64_C(1731641691751), 1);
    ck_assert_str_eq(s, "2024-11-15T03:34:51.751Z");
    aip_iso8601(s, INT64_C(1731641691751), 0);
    ck_assert_str_eq(s, "2024-11-15T03:34:51Z");
    aip_iso8601(s, 0, 0);
    ck_assert_str_eq(s, "1970-01-01T00:00:00Z");
    aip_iso8601(s, INT64_C(951782400000), 0);
    ck_assert_str_eq(s, "2000-02-29T00:00:00Z");
    aip_iso8601(s, -1, 1);
    ck_assert_str_eq(s, "1969-12-31T23:59:59.999Z");

    ck_assert_int_eq(aip_iso8601_parse("2024-11-15T03:34:51.751Z"), INT64_C(1731641691751));
    ck_assert_int_eq(aip_iso8601_parse("2024-11-15T03:34:51Z"), INT64_C(1731641691000));
    ck_assert_int_eq(aip_iso8601_parse("2024-11-15T03:34:51.7519Z"), INT64_C(1731641691751));
    ck_assert_int_eq(aip_iso8601_parse("2024-11-15T03:34:51+00:00"), INT64_C(1731641691000));
    ck_assert_int_eq(aip_iso8601_parse("2024-11-15T03:34:51+02:00"), INT64_MIN);   /* not UTC */
    ck_assert_int_eq(aip_iso8601_parse("2024-02-30T00:00:00Z"), INT64_MIN);
    ck_assert_int_eq(aip_iso8601_parse("2024-11-15"), INT64_MIN);
    ck_assert_int_eq(aip_iso8601_parse("2024-11-15T03:34:51.Z"), INT64_MIN);
    /* round trip over a spread of times */
    for (int64_t t = -86400000; t < INT64_C(4102444800000); t += INT64_C(86399999937)) {
        aip_iso8601(s, t, 1);
        ck_assert_int_eq(aip_iso8601_parse(s), t);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("httpmsg");
    TCase *tc = tcase_create("http, urls, names, dates");

    tcase_add_test(tc, head_status_and_framing);
    tcase_add_test(tc, head_ranges_hints_location);
    tcase_add_test(tc, head_end_limits);
    tcase_add_test(tc, retry_after_and_dates);
    tcase_add_test(tc, body_chunked);
    tcase_add_test(tc, body_length_close_none);
    tcase_add_test(tc, urls_and_origins);
    tcase_add_test(tc, ids_and_names);
    tcase_add_test(tc, iso8601_both_ways);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
