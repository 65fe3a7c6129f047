/*
 * Unit tests of the analysis-plane and motion kernels
 * (filters/libavfilter/aipost/pyramid.* and motion.*), without FFmpeg:
 * reductions against hand sums, SAD AVX2 against C bit-exact, and block
 * matching on synthetic pictures moved by known amounts (whole pixels,
 * half pixels, none, a zoom).
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/motion.h"
#include "aipost/pyramid.h"

/* ------------------------------------------------------------ pyramid */

START_TEST(test_reduce_means_and_edges)
{
    /* 5 x 3 plane reduced by 2 x 2: blocks past the edge repeat it */
    static const uint8_t src[3][5] = {
        { 10, 20, 30, 40, 50 },
        { 30, 40, 50, 60, 70 },
        { 90, 90, 90, 90, 91 },
    };
    uint8_t dst[2][3];
    aip_reduce_to8(&dst[0][0], 3, src, 5, 5, 3, 8, 1, 1, 0, 2);
    ck_assert_int_eq(dst[0][0], 25);                /* (10+20+30+40+2)/4 */
    ck_assert_int_eq(dst[0][1], 45);
    ck_assert_int_eq(dst[0][2], 60);                /* (50+50+70+70+2)/4 */
    ck_assert_int_eq(dst[1][0], 90);                /* row 2 twice */
    ck_assert_int_eq(dst[1][2], 91);
}
END_TEST

START_TEST(test_reduce_deep_samples)
{
    /* 10-bit 1020 and 16-bit 65535 scale to 255 (the rounding of the
     * latter would reach 256 without the clip) */
    uint16_t s10[4] = { 1020, 1020, 1020, 1020 }, s16[2] = { 65535, 32768 };
    uint8_t d[4];
    aip_reduce_to8(d, 4, s10, 4, 2, 2, 10, 1, 1, 0, 1);
    ck_assert_int_eq(d[0], 255);
    aip_reduce_to8(d, 2, s16, 4, 2, 1, 16, 0, 0, 0, 1);
    ck_assert_int_eq(d[0], 255);
    ck_assert_int_eq(d[1], 128);
    /* 4 x 2 blocks of 9-bit values: mean 300 / 2 = 150 */
    {
        uint16_t s9[8] = { 300, 300, 300, 300, 290, 310, 300, 300 };
        aip_reduce_to8(d, 1, s9, 8, 4, 2, 9, 2, 1, 0, 1);
        ck_assert_int_eq(d[0], 150);
    }
}
END_TEST

START_TEST(test_pyramid_levels)
{
    AIPPyramid p;
    ck_assert_int_eq(aip_pyramid_init(&p, 33, 17, 4), 0);
    ck_assert_int_eq(p.w[3], 5);
    ck_assert_int_eq(p.h[3], 3);
    for (int y = 0; y < 17; y++)
        for (int x = 0; x < 33; x++)
            p.data[0][y * p.stride[0] + x] = 77;
    aip_pyramid_build(&p);
    for (int l = 1; l < 4; l++)
        for (int y = 0; y < p.h[l]; y++)
            for (int x = 0; x < p.w[l]; x++)
                ck_assert_int_eq(p.data[l][y * p.stride[l] + x], 77);
    aip_pyramid_uninit(&p);
    ck_assert_int_eq(aip_pyramid_init(&p, 0, 17, 4), -EINVAL);
}
END_TEST

/* ------------------------------------------------------------ SAD */

START_TEST(test_sad_simd_bitexact)
{
    AIPMotionDSP c, simd;
    uint8_t *a = malloc(80 * 70), *b = malloc(80 * 70);
    if (!have_avx2())
        return;
    aip_motion_dsp_init(&c, 0);
    aip_motion_dsp_init(&simd, AIP_CPU_AVX2);
    for (int i = 0; i < 80 * 70; i++) {
        a[i] = rnd() & 0xff;
        b[i] = rnd() & 0xff;
    }
    for (int w = 1; w <= 40; w++)
        for (int h = 1; h <= 33; h += 4) {
            const int ox = rnd() % 8, oy = rnd() % 8, stride = 71 + (w & 7);
            const uint32_t ref = c.sad(a + oy * stride + ox, stride, b + ox, stride, w, h);
            ck_assert_msg(simd.sad(a + oy * stride + ox, stride, b + ox, stride, w, h) == ref,
                          "SAD %dx%d differs", w, h);
        }
    free(a);
    free(b);
}
END_TEST

/* ------------------------------------------------------------ matching */

#define W 320
#define H 240

/* A random picture: white noise blurred at two scales (structure of every
 * size from 2 to 20 pixels, nothing periodic), on a 1024 x 1024 canvas that
 * is sampled bilinearly at any position. */
#define CANVAS 1024
static double *canvas;

static void make_canvas(void)
{
    double *a = malloc(sizeof(*a) * CANVAS * CANVAS), *t = malloc(sizeof(*t) * CANVAS * CANVAS);
    canvas = malloc(sizeof(*canvas) * CANVAS * CANVAS);
    for (int i = 0; i < CANVAS * CANVAS; i++)
        a[i] = (double)(rnd() & 0xffff) / 65535.0 - 0.5;
    for (int pass = 0; pass < 2; pass++) {
        const int r = pass ? 8 : 2;
        double *src = a, *dst = t;
        for (int dir = 0; dir < 2; dir++) {
            for (int y = 0; y < CANVAS; y++)
                for (int x = 0; x < CANVAS; x++) {
                    double acc = 0;
                    for (int k = -r; k <= r; k++) {
                        const int xx = dir ? x : (x + k) & (CANVAS - 1), yy = dir ? (y + k) & (CANVAS - 1) : y;
                        acc += src[yy * CANVAS + xx];
                    }
                    dst[y * CANVAS + x] = acc / (2 * r + 1);
                }
            src = t;
            dst = a;
        }
        for (int i = 0; i < CANVAS * CANVAS; i++)
            canvas[i] = pass ? canvas[i] + 400 * a[i] : 200 * a[i];
        if (!pass)
            for (int i = 0; i < CANVAS * CANVAS; i++)
                a[i] = (double)(rnd() & 0xffff) / 65535.0 - 0.5;
    }
    free(a);
    free(t);
}

static double texture_at(double x, double y)
{
    const int ix = (int)floor(x), iy = (int)floor(y);
    const double fx = x - ix, fy = y - iy;
    const int x0 = (ix + 300) & (CANVAS - 1), x1 = (ix + 301) & (CANVAS - 1);
    const int y0 = (iy + 300) & (CANVAS - 1), y1 = (iy + 301) & (CANVAS - 1);
    if (!canvas)
        make_canvas();
    return 128 + (canvas[y0 * CANVAS + x0] * (1 - fx) + canvas[y0 * CANVAS + x1] * fx) * (1 - fy) +
                 (canvas[y1 * CANVAS + x0] * (1 - fx) + canvas[y1 * CANVAS + x1] * fx) * fy;
}

static void render(AIPPyramid *p, double dx, double dy, double zoom)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const double sx = (x - W / 2.0) / zoom + W / 2.0 - dx, sy = (y - H / 2.0) / zoom + H / 2.0 - dy;
            const double v = texture_at(sx, sy);
            p->data[0][y * p->stride[0] + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
        }
    aip_pyramid_build(p);
}

/* Vectors of every node whose block lies inside the picture. */
static void match(AIPMotion *m, AIPPyramid *cur, AIPPyramid *prev, AIPMotionVector *vec)
{
    aip_motion_coarse(m, cur, prev, NULL, 0, m->super_h);
    aip_motion_nodes(m, cur, prev, NULL, NULL, vec, 0, m->nodes_h, NULL);
}

static void check_field(const AIPMotion *m, const AIPMotionVector *vec, double zoom,
                        double dx, double dy, double tol, const char *what)
{
    int checked = 0;
    for (int j = 2; j < m->nodes_h - 2; j++)
        for (int i = 2; i < m->nodes_w - 2; i++) {
            const AIPMotionVector *v = vec + j * m->nodes_w + i;
            const double px = i << m->grid_log2, py = j << m->grid_log2;
            /* content at p now was at c + (p - c) / zoom - d */
            const double ex = px - ((px - W / 2.0) / zoom + W / 2.0 - dx);
            const double ey = py - ((py - H / 2.0) / zoom + H / 2.0 - dy);
            ck_assert_msg(v->refined, "%s: node %d,%d not refined", what, i, j);
            ck_assert_msg(fabs(v->x / 16.0 - ex) <= tol && fabs(v->y / 16.0 - ey) <= tol,
                          "%s: node %d,%d: %.3f %.3f, expected %.3f %.3f", what, i, j,
                          v->x / 16.0, v->y / 16.0, ex, ey);
            checked++;
        }
    ck_assert_int_gt(checked, 100);
}

START_TEST(test_match_shifts)
{
    static const double shifts[][2] = { { 0, 0 }, { 3, -2 }, { -17, 9 }, { 0.5, 0 }, { 1.5, -0.5 }, { -6.25, 2.75 } };
    AIPPyramid a, b;
    AIPMotion m;
    AIPMotionVector *vec;

    ck_assert_int_eq(aip_pyramid_init(&a, W, H, 4), 0);
    ck_assert_int_eq(aip_pyramid_init(&b, W, H, 4), 0);
    ck_assert_int_eq(aip_motion_init(&m, W, H, 4, 4, have_avx2() ? AIP_CPU_AVX2 : 0), 0);
    vec = calloc((size_t)m.nodes_w * m.nodes_h, sizeof(*vec));
    render(&a, 0, 0, 1);
    for (unsigned k = 0; k < sizeof(shifts) / sizeof(*shifts); k++) {
        const int whole = shifts[k][0] == floor(shifts[k][0]) && shifts[k][1] == floor(shifts[k][1]);
        char what[64];
        render(&b, shifts[k][0], shifts[k][1], 1);
        match(&m, &b, &a, vec);
        snprintf(what, sizeof(what), "shift %g,%g", shifts[k][0], shifts[k][1]);
        /* whole pixels exactly, fractions within 3/16 */
        check_field(&m, vec, 1, shifts[k][0], shifts[k][1], whole ? 0 : 3 / 16.0, what);
    }
    free(vec);
    aip_motion_uninit(&m);
    aip_pyramid_uninit(&a);
    aip_pyramid_uninit(&b);
}
END_TEST

START_TEST(test_match_zoom)
{
    AIPPyramid a, b;
    AIPMotion m;
    AIPMotionVector *vec;

    ck_assert_int_eq(aip_pyramid_init(&a, W, H, 4), 0);
    ck_assert_int_eq(aip_pyramid_init(&b, W, H, 4), 0);
    ck_assert_int_eq(aip_motion_init(&m, W, H, 4, 4, 0), 0);
    vec = calloc((size_t)m.nodes_w * m.nodes_h, sizeof(*vec));
    render(&a, 0, 0, 1);
    render(&b, 0, 0, 1.02);     /* 2 % zoom in: up to 3 px at the edges */
    match(&m, &b, &a, vec);
    check_field(&m, vec, 1.02, 0, 0, 0.35, "zoom 1.02");
    free(vec);
    aip_motion_uninit(&m);
    aip_pyramid_uninit(&a);
    aip_pyramid_uninit(&b);
}
END_TEST

START_TEST(test_still_with_noise_is_still)
{
    /* the same picture with +-1 code value of independent noise: zero,
     * exactly, everywhere */
    AIPPyramid a, b;
    AIPMotion m;
    AIPMotionVector *vec;

    ck_assert_int_eq(aip_pyramid_init(&a, W, H, 4), 0);
    ck_assert_int_eq(aip_pyramid_init(&b, W, H, 4), 0);
    ck_assert_int_eq(aip_motion_init(&m, W, H, 4, 4, 0), 0);
    vec = calloc((size_t)m.nodes_w * m.nodes_h, sizeof(*vec));
    render(&a, 0, 0, 1);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const int v = a.data[0][y * a.stride[0] + x] + (int)(rnd() % 3) - 1;
            b.data[0][y * b.stride[0] + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    aip_pyramid_build(&b);
    match(&m, &b, &a, vec);
    for (int n = 0; n < m.nodes_w * m.nodes_h; n++)
        ck_assert_msg(!vec[n].x && !vec[n].y, "node %d moved %d %d", n, vec[n].x, vec[n].y);
    free(vec);
    aip_motion_uninit(&m);
    aip_pyramid_uninit(&a);
    aip_pyramid_uninit(&b);
}
END_TEST

START_TEST(test_unreliable_and_fill)
{
    /* an unrelated picture: most nodes unreliable (what a cut looks like) */
    AIPPyramid a, b;
    AIPMotion m;
    AIPMotionVector *vec, *tmp;
    int bad;

    ck_assert_int_eq(aip_pyramid_init(&a, W, H, 4), 0);
    ck_assert_int_eq(aip_pyramid_init(&b, W, H, 4), 0);
    ck_assert_int_eq(aip_motion_init(&m, W, H, 4, 4, 0), 0);
    vec = calloc((size_t)m.nodes_w * m.nodes_h, sizeof(*vec));
    tmp = calloc((size_t)m.nodes_w * m.nodes_h, sizeof(*tmp));
    render(&a, 0, 0, 1);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            b.data[0][y * b.stride[0] + x] = rnd() & 0xff;
    aip_pyramid_build(&b);
    aip_motion_coarse(&m, &b, &a, NULL, 0, m.super_h);
    bad = aip_motion_nodes(&m, &b, &a, NULL, NULL, vec, 0, m.nodes_h, NULL);
    ck_assert_int_gt(bad * 10, m.nodes_w * m.nodes_h * 9);

    /* one unreliable node among good ones takes their median */
    render(&b, 3, 1, 1);
    match(&m, &b, &a, vec);
    vec[5 * m.nodes_w + 5].x = 999;
    vec[5 * m.nodes_w + 5].reliable = 0;
    aip_motion_fill_unreliable(&m, vec, tmp, NULL);
    ck_assert_int_eq(vec[5 * m.nodes_w + 5].x, 3 * 16);
    free(vec);
    free(tmp);
    aip_motion_uninit(&m);
    aip_pyramid_uninit(&a);
    aip_pyramid_uninit(&b);
}
END_TEST

START_TEST(test_field_and_warp)
{
    /* a uniform field of (2, -1) samples at level 1 moves a plane by that */
    AIPMotion m;
    AIPMotionVector *vec;
    const int w = 40, h = 30;
    int16_t *fx = calloc(w * h, 2), *fy = calloc(w * h, 2);
    uint8_t *src = malloc(w * h), *dst = malloc(w * h), rowmax[30];
    int maxd;

    ck_assert_int_eq(aip_motion_init(&m, 80, 60, 3, 3, 0), 0);
    vec = calloc((size_t)m.nodes_w * m.nodes_h, sizeof(*vec));
    for (int n = 0; n < m.nodes_w * m.nodes_h; n++) {
        vec[n].x = 4 * 16;      /* 4 px = 2 samples of level 1 */
        vec[n].y = -2 * 16;
    }
    maxd = aip_motion_field(&m, vec, 1, fx, fy, w, h, 0, h);
    ck_assert_int_eq(maxd, 2);
    for (int i = 0; i < w * h; i++)
        src[i] = rnd() & 0xff;
    memset(rowmax, 255, sizeof(rowmax));
    aip_motion_warp8(fx, fy, maxd, dst, src, rowmax, w, w, h, 0, h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const int sx = x - 2 < 0 ? 0 : x - 2, sy = y + 1 > h - 1 ? h - 1 : y + 1;
            ck_assert_int_eq(dst[y * w + x], src[sy * w + sx]);
        }
    /* all-zero source rows out of reach: zero rows */
    memset(src, 0, w * h);
    memset(rowmax, 0, sizeof(rowmax));
    memset(dst, 1, w * h);
    aip_motion_warp8(fx, fy, maxd, dst, src, rowmax, w, w, h, 0, h);
    for (int i = 0; i < w * h; i++)
        ck_assert_int_eq(dst[i], 0);
    free(vec);
    free(fx);
    free(fy);
    free(src);
    free(dst);
    aip_motion_uninit(&m);
}
END_TEST

START_TEST(test_bad_arguments)
{
    AIPMotion m;
    ck_assert_int_eq(aip_motion_init(&m, 64, 64, 1, 4, 0), -EINVAL);
    ck_assert_int_eq(aip_motion_init(&m, 64, 64, 4, 2, 0), -EINVAL);
    ck_assert_int_eq(aip_motion_init(&m, 0, 64, 4, 4, 0), -EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("motion");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_reduce_means_and_edges);
    tcase_add_test(tc, test_reduce_deep_samples);
    tcase_add_test(tc, test_pyramid_levels);
    tcase_add_test(tc, test_sad_simd_bitexact);
    tcase_add_test(tc, test_match_shifts);
    tcase_add_test(tc, test_match_zoom);
    tcase_add_test(tc, test_still_with_noise_is_still);
    tcase_add_test(tc, test_unreliable_and_fill);
    tcase_add_test(tc, test_field_and_warp);
    tcase_add_test(tc, test_bad_arguments);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
