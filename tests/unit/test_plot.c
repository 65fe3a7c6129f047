/*
 * Unit tests of qcdetect's picture report kernels, without FFmpeg:
 *   - png: CRC-32 and Adler-32 against their published check values and
 *     split into pieces; the file structure (signature, IHDR, PLTE, IDAT,
 *     IEND, every chunk CRC, zlib header and Adler-32); stored blocks hold
 *     the rows verbatim, also past one 65535-byte block; the run-coded
 *     stream is deterministic and far smaller on a flat picture; bad
 *     arguments refused. (That ffmpeg decodes both kinds to the same pixels
 *     is tests/graph/test_qcdetect.sh, with tests/tools/pngpattern.)
 *   - plot: geometry, event shading exactly at aip_plot_x of its span and
 *     nowhere else, the dashed threshold, a one-frame spike kept when points
 *     outnumber columns, the font (lower case drawn as capitals, unknown
 *     characters as '?'), bad reports refused.
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/plot.h"
#include "aipost/png.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

START_TEST(crc32_and_adler32_check_values)
{
    const uint8_t *digits = (const uint8_t *)"123456789";
    const uint8_t *wiki = (const uint8_t *)"Wikipedia";
    uint8_t big[70000];
    uint32_t a = 1, b = 0, adler = 1, crc = 0;

    ck_assert_uint_eq(aip_png_crc32(0, digits, 9), 0xCBF43926u);
    ck_assert_uint_eq(aip_png_crc32(aip_png_crc32(0, digits, 4), digits + 4, 5), 0xCBF43926u);
    ck_assert_uint_eq(aip_png_crc32(0, digits, 0), 0);
    ck_assert_uint_eq(aip_png_adler32(1, wiki, 9), 0x11E60398u);
    ck_assert_uint_eq(aip_png_adler32(aip_png_adler32(1, wiki, 3), wiki + 3, 6), 0x11E60398u);
    ck_assert_uint_eq(aip_png_adler32(1, wiki, 0), 1);

    /* long input of large bytes: the deferred modulo must not overflow;
     * against the definition, modulo at every byte */
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(255 - (rnd() & 3));
    for (size_t i = 0; i < sizeof(big); i++) {
        a = (a + big[i]) % 65521;
        b = (b + a) % 65521;
    }
    ck_assert_uint_eq(aip_png_adler32(1, big, sizeof(big)), b << 16 | a);
    for (size_t i = 0; i < sizeof(big); i += 7000) {
        adler = aip_png_adler32(adler, big + i, 7000);
        crc = aip_png_crc32(crc, big + i, 7000);
    }
    ck_assert_uint_eq(adler, b << 16 | a);
    ck_assert_uint_eq(crc, aip_png_crc32(0, big, sizeof(big)));
}
END_TEST

/* Walk the chunks: each CRC right, the order IHDR [PLTE] IDAT IEND.
 * Returns the IDAT data and its length. */
static const uint8_t *check_chunks(const uint8_t *png, size_t size, int w, int h, int colour,
                                   int nb_colours, size_t *idat_len)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    const char *want[4] = { "IHDR", colour == AIP_PNG_PALETTE ? "PLTE" : "IDAT",
                            colour == AIP_PNG_PALETTE ? "IDAT" : "IEND", "IEND" };
    const int nb_chunks = colour == AIP_PNG_PALETTE ? 4 : 3;
    const uint8_t *idat = NULL;
    size_t pos = 8;

    ck_assert(size > 8 && !memcmp(png, sig, 8));
    for (int i = 0; i < nb_chunks; i++) {
        uint32_t len;
        ck_assert(pos + 12 <= size);
        len = be32(png + pos);
        ck_assert(pos + 12 + len <= size);
        ck_assert_msg(!memcmp(png + pos + 4, want[i], 4), "chunk %d is %.4s, not %s", i, png + pos + 4, want[i]);
        ck_assert_uint_eq(be32(png + pos + 8 + len), aip_png_crc32(0, png + pos + 4, len + 4));
        if (i == 0) {
            ck_assert_uint_eq(len, 13);
            ck_assert_uint_eq(be32(png + pos + 8), w);
            ck_assert_uint_eq(be32(png + pos + 12), h);
            ck_assert_int_eq(png[pos + 16], 8);
            ck_assert_int_eq(png[pos + 17], colour);
        } else if (!memcmp(want[i], "PLTE", 4)) {
            ck_assert_uint_eq(len, 3 * nb_colours);
        } else if (!memcmp(want[i], "IDAT", 4)) {
            idat = png + pos + 8;
            *idat_len = len;
        } else {
            ck_assert_uint_eq(len, 0);
        }
        pos += 12 + len;
    }
    ck_assert_uint_eq(pos, size);
    ck_assert_ptr_nonnull(idat);
    /* zlib: deflate, 32 KiB window, header check a multiple of 31 */
    ck_assert_int_eq(idat[0] & 0x0f, 8);
    ck_assert_int_eq((idat[0] << 8 | idat[1]) % 31, 0);
    return idat;
}

START_TEST(png_stored_holds_the_rows)
{
    /* 300 x 250 RGB: 225250 bytes of rows, four stored blocks */
    enum { W = 300, H = 250 };
    const ptrdiff_t stride = 3 * W + 5;
    uint8_t *px = malloc(stride * H), *raw = malloc((3 * W + 1) * H), *png;
    size_t size, idat_len, pos = 2, got = 0;
    const uint8_t *idat;
    int last = 0;

    ck_assert(px && raw);
    for (int i = 0; i < stride * H; i++)
        px[i] = (uint8_t)rnd();
    for (int y = 0; y < H; y++) {
        raw[y * (3 * W + 1)] = 0;
        memcpy(raw + y * (3 * W + 1) + 1, px + y * stride, 3 * W);
    }
    ck_assert_int_eq(aip_png_encode(px, stride, W, H, AIP_PNG_RGB, NULL, 0, AIP_PNG_STORED, &png, &size), 0);
    idat = check_chunks(png, size, W, H, AIP_PNG_RGB, 0, &idat_len);
    while (!last) {
        uint32_t len, nlen;
        ck_assert(pos + 5 <= idat_len);
        last = idat[pos] & 1;
        ck_assert_int_eq(idat[pos] >> 1, 0);        /* BTYPE 00: stored */
        len = idat[pos + 1] | idat[pos + 2] << 8;
        nlen = idat[pos + 3] | idat[pos + 4] << 8;
        ck_assert_uint_eq(len ^ 0xffff, nlen);
        ck_assert(pos + 5 + len <= idat_len && got + len <= (size_t)(3 * W + 1) * H);
        ck_assert(!memcmp(idat + pos + 5, raw + got, len));
        got += len;
        pos += 5 + len;
    }
    ck_assert_uint_eq(got, (size_t)(3 * W + 1) * H);
    ck_assert_uint_eq(pos + 4, idat_len);
    ck_assert_uint_eq(be32(idat + pos), aip_png_adler32(1, raw, got));
    free(png);
    free(px);
    free(raw);
}
END_TEST

START_TEST(png_runs_small_and_deterministic)
{
    enum { W = 640, H = 200 };
    static const uint8_t pal[3 * 4] = { 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255 };
    uint8_t *px = calloc(W, H), *a, *b, *stored;
    size_t na, nb, ns, idat_len;

    ck_assert_ptr_nonnull(px);
    for (int y = 0; y < H; y++)     /* a flat page with a few lines, like a plot */
        for (int x = 0; x < W; x++)
            px[y * W + x] = y % 50 == 0 ? 1 : x == (y * 3) % W ? 2 : (x / 200 + y / 100) % 2 * 3;
    ck_assert_int_eq(aip_png_encode(px, W, W, H, AIP_PNG_PALETTE, pal, 4, AIP_PNG_RUNS, &a, &na), 0);
    ck_assert_int_eq(aip_png_encode(px, W, W, H, AIP_PNG_PALETTE, pal, 4, AIP_PNG_RUNS, &b, &nb), 0);
    ck_assert_int_eq(aip_png_encode(px, W, W, H, AIP_PNG_PALETTE, pal, 4, AIP_PNG_STORED, &stored, &ns), 0);
    ck_assert_uint_eq(na, nb);
    ck_assert(!memcmp(a, b, na));
    check_chunks(a, na, W, H, AIP_PNG_PALETTE, 4, &idat_len);
    /* BFINAL 1, BTYPE 01 (fixed Huffman) in the first three bits */
    ck_assert_int_eq(a[8 + 25 + 12 + 12 + 8 + 2] & 7, 3);
    ck_assert_msg(na * 20 < ns, "runs %zu bytes, stored %zu", na, ns);
    free(a);
    free(b);
    free(stored);
    free(px);
}
END_TEST

START_TEST(png_rejects_bad_arguments)
{
    static const uint8_t pal[6] = { 0, 0, 0, 255, 255, 255 };
    uint8_t px[4] = { 0, 1, 1, 2 }, *out = (uint8_t *)1;
    size_t n = 1;

    ck_assert_int_eq(aip_png_encode(px, 2, 2, 2, AIP_PNG_PALETTE, pal, 2, AIP_PNG_RUNS, &out, &n), -EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(aip_png_encode(px, 2, 0, 2, AIP_PNG_PALETTE, pal, 3, AIP_PNG_RUNS, &out, &n), -EINVAL);
    ck_assert_int_eq(aip_png_encode(px, 2, 2, 2, AIP_PNG_PALETTE, NULL, 3, AIP_PNG_RUNS, &out, &n), -EINVAL);
    ck_assert_int_eq(aip_png_encode(px, 2, 2, 2, (enum AIPPngColour)4, pal, 3, AIP_PNG_RUNS, &out, &n), -EINVAL);
    ck_assert_int_eq(aip_png_encode(px, 2, 2, 2, AIP_PNG_PALETTE, pal, 2, (enum AIPPngDeflate)2, &out, &n), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------ plot */

static int count_colour(const AIPPlotImage *img, int x0, int x1, int y0, int y1, int colour)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            n += img->px[y * img->stride + x] == colour;
    return n;
}

START_TEST(plot_geometry_spans_threshold)
{
    enum { N = 100 };
    double t[N];
    float v[N];
    const AIPPlotSpan span = { 2.0, 2.1, AIP_PLOT_SEV_MAJOR };
    AIPPlotStrip st[2] = {
        { .label = "flicker", .value = v, .value_stride = 1, .threshold = 2, .spans = &span, .nb_spans = 1 },
        { .label = "black", .value = v, .value_stride = 1, .threshold = NAN },
    };
    AIPPlotReport r = { .title = "test", .fail = 1, .time = t, .nb_points = N,
                        .t0 = 0, .t1 = 4, .strips = st, .nb_strips = 2 };
    AIPPlotImage img;
    const int top = AIP_PLOT_TITLE_H, x0 = aip_plot_x(2.0, 0, 4), x1 = aip_plot_x(2.1, 0, 4);
    int dash_row = -1;

    for (int i = 0; i < N; i++) {
        t[i] = i * 0.04;
        v[i] = 1;
    }
    ck_assert_int_eq(x0, AIP_PLOT_X0 + 440);
    ck_assert_int_eq(x1, AIP_PLOT_X0 + 462);
    ck_assert_int_eq(aip_plot_x(-1, 0, 4), AIP_PLOT_X0);
    ck_assert_int_eq(aip_plot_x(9, 0, 4), AIP_PLOT_X0 + AIP_PLOT_AREA_W - 1);
    ck_assert_int_eq(aip_plot_x(NAN, 0, 4), AIP_PLOT_X0);

    ck_assert_int_eq(aip_plot_render(&r, &img), 0);
    ck_assert_int_eq(img.width, AIP_PLOT_WIDTH);
    ck_assert_int_eq(img.height, AIP_PLOT_TITLE_H + 2 * AIP_PLOT_STRIP_PITCH + AIP_PLOT_AXIS_H);
    for (int i = 0; i < img.height * img.stride; i++)
        ck_assert_int_lt(img.px[i], AIP_PLOT_NB_COLOURS);

    /* shading: whole columns x0..x1-1 of strip 0 (the line crosses them,
     * so count per column), none elsewhere in either strip */
    for (int x = x0; x < x1; x++)
        ck_assert_int_ge(count_colour(&img, x, x + 1, top, top + AIP_PLOT_STRIP_H, AIP_PLOT_MAJOR),
                         AIP_PLOT_STRIP_H - 2);
    ck_assert_int_eq(count_colour(&img, AIP_PLOT_X0, x0, top, top + AIP_PLOT_STRIP_H, AIP_PLOT_MAJOR), 0);
    ck_assert_int_eq(count_colour(&img, x1, AIP_PLOT_WIDTH, top, top + AIP_PLOT_STRIP_H, AIP_PLOT_MAJOR), 0);
    ck_assert_int_eq(count_colour(&img, 0, AIP_PLOT_WIDTH, top + AIP_PLOT_STRIP_PITCH, img.height, AIP_PLOT_MAJOR), 0);

    /* the threshold: one dashed row in strip 0 (5 on, 3 off), none in strip 1 */
    for (int y = top; y < top + AIP_PLOT_STRIP_H; y++)
        if (count_colour(&img, AIP_PLOT_X0, AIP_PLOT_X0 + AIP_PLOT_AREA_W, y, y + 1, AIP_PLOT_THRESHOLD) > 400)
            dash_row = y;
    ck_assert_int_ge(dash_row, 0);
    ck_assert_int_eq(count_colour(&img, AIP_PLOT_X0, AIP_PLOT_X0 + 8, dash_row, dash_row + 1, AIP_PLOT_THRESHOLD), 5);
    ck_assert_int_eq(count_colour(&img, AIP_PLOT_X0, AIP_PLOT_X0 + AIP_PLOT_AREA_W,
                                  top + AIP_PLOT_STRIP_PITCH, top + AIP_PLOT_STRIP_PITCH + AIP_PLOT_STRIP_H,
                                  AIP_PLOT_THRESHOLD), 0);
    /* the line in both strips, the verdict box red, labels drawn */
    ck_assert_int_ge(count_colour(&img, AIP_PLOT_X0, AIP_PLOT_WIDTH, top, top + AIP_PLOT_STRIP_H, AIP_PLOT_LINE),
                     AIP_PLOT_AREA_W);
    ck_assert_int_gt(count_colour(&img, 0, 100, 0, AIP_PLOT_TITLE_H, AIP_PLOT_FAIL), 100);
    ck_assert_int_eq(count_colour(&img, 0, AIP_PLOT_WIDTH, 0, img.height, AIP_PLOT_PASS), 0);
    ck_assert_int_gt(count_colour(&img, 0, AIP_PLOT_X0, top, top + 20, AIP_PLOT_TEXT), 50);
    aip_plot_free(&img);
}
END_TEST

START_TEST(plot_keeps_a_one_frame_spike)
{
    enum { N = 5000 };
    double *t = malloc(N * sizeof(*t));
    float *v = malloc(N * sizeof(*v));
    AIPPlotStrip st = { .label = "microjump", .value = v, .value_stride = 1, .threshold = 3 };
    AIPPlotReport r = { .time = t, .nb_points = N, .t0 = 0, .t1 = N / 25.0, .strips = &st, .nb_strips = 1 };
    AIPPlotImage img;
    const int top = AIP_PLOT_TITLE_H, x = aip_plot_x(2500 / 25.0, r.t0, r.t1);

    ck_assert(t && v);
    for (int i = 0; i < N; i++) {
        t[i] = i / 25.0;
        v[i] = i == 2500 ? 9 : i % 2 ? NAN : 1;
    }
    ck_assert_int_eq(aip_plot_render(&r, &img), 0);
    /* top = 9 (the peak: above 2 x 3, under 6 x 3): the spike reaches row top + 1 in its
     * column and, where the step line joins back down, the next one */
    ck_assert_int_eq(img.px[(top + 1) * img.stride + x], AIP_PLOT_LINE);
    ck_assert_int_eq(img.px[(top + 1) * img.stride + x + 1], AIP_PLOT_LINE);
    ck_assert_int_eq(count_colour(&img, AIP_PLOT_X0, AIP_PLOT_WIDTH, top + 1, top + 2, AIP_PLOT_LINE), 2);
    aip_plot_free(&img);
    free(t);
    free(v);
}
END_TEST

START_TEST(plot_font)
{
    uint8_t px[40 * 12];
    AIPPlotImage img = { .px = px, .stride = 40, .width = 40, .height = 12 };
    uint8_t upper[sizeof(px)];

    memset(px, 0, sizeof(px));
    ck_assert_int_eq(aip_plot_text(&img, 1, 1, "QC 7", 1, 1), 24);
    ck_assert_int_eq(aip_plot_text_width("QC 7", 2), 48);
    memcpy(upper, px, sizeof(px));
    memset(px, 0, sizeof(px));
    aip_plot_text(&img, 1, 1, "qc 7", 1, 1);
    ck_assert(!memcmp(upper, px, sizeof(px)));
    /* nothing drawn for the space */
    ck_assert_int_eq(count_colour(&img, 13, 19, 0, 12, 1), 0);
    /* every capital and digit has a glyph of its own, not '?' */
    memset(px, 0, sizeof(px));
    aip_plot_text(&img, 0, 0, "?", 1, 1);
    memcpy(upper, px, sizeof(px));
    for (const char *c = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:-/()%+=_<>"; *c; c++) {
        char s[2] = { *c, 0 };
        memset(px, 0, sizeof(px));
        aip_plot_text(&img, 0, 0, s, 1, 1);
        ck_assert_msg(count_colour(&img, 0, 6, 0, 9, 1) > 0, "'%c' draws nothing", *c);
        ck_assert_msg(memcmp(upper, px, sizeof(px)), "'%c' drawn as '?'", *c);
    }
    /* unknown characters are '?'; text is clipped at the edges */
    memset(px, 0, sizeof(px));
    aip_plot_text(&img, 0, 0, "~", 1, 1);
    ck_assert(!memcmp(upper, px, sizeof(px)));
    aip_plot_text(&img, 30, 8, "WWWW", 1, 3);
    aip_plot_text(&img, -10, -5, "WWWW", 1, 3);
}
END_TEST

START_TEST(plot_rejects_bad_reports)
{
    float v = 1;
    double t = 0;
    AIPPlotStrip st = { .label = "x", .value = &v, .value_stride = 1 };
    AIPPlotReport r = { .time = &t, .nb_points = 1, .t0 = 0, .t1 = 1, .strips = &st, .nb_strips = 0 };
    AIPPlotImage img;

    ck_assert_int_eq(aip_plot_render(&r, &img), -EINVAL);
    r.nb_strips = AIP_PLOT_MAX_STRIPS + 1;
    ck_assert_int_eq(aip_plot_render(&r, &img), -EINVAL);
    r.nb_strips = 1;
    r.t1 = 0;
    ck_assert_int_eq(aip_plot_render(&r, &img), -EINVAL);
    r.t1 = NAN;
    ck_assert_int_eq(aip_plot_render(&r, &img), -EINVAL);
    r.t1 = 1;
    ck_assert_int_eq(aip_plot_render(&r, &img), 0);
    aip_plot_free(&img);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("png and plot");

    tcase_add_test(tc, crc32_and_adler32_check_values);
    tcase_add_test(tc, png_stored_holds_the_rows);
    tcase_add_test(tc, png_runs_small_and_deterministic);
    tcase_add_test(tc, png_rejects_bad_arguments);
    tcase_add_test(tc, plot_geometry_spans_threshold);
    tcase_add_test(tc, plot_keeps_a_one_frame_spike);
    tcase_add_test(tc, plot_font);
    tcase_add_test(tc, plot_rejects_bad_reports);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
