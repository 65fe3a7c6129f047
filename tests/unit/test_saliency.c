/*
 * Unit tests of the saliency and skin-tone kernels (aipost/saliency.*,
 * aipost/skintone.*): the skin model at known colours, the row sums C vs
 * AVX2, cells independent of how rows are split, a moving patch found by
 * the window search over a textured backdrop, a patch that stops still
 * found (the background model), scene change, and the window's geometry.
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/saliency.h"
#include "aipost/skintone.h"

START_TEST(test_skin_model)
{
    AIPSkinTables t;
    aip_skin_tables(&t, &aip_skin_default);
    /* the centre of Chai & Ngan's box, lit */
    ck_assert_int_eq(aip_skin_likelihood8(&t, 150, 102, 153), AIP_SKIN_ONE);
    /* inside the box, off centre: some */
    ck_assert_int_gt(aip_skin_likelihood8(&t, 150, 115, 160), 64);
    /* grey, blue, green, saturated red: none */
    ck_assert_int_eq(aip_skin_likelihood8(&t, 128, 128, 128), 0);
    ck_assert_int_eq(aip_skin_likelihood8(&t, 60, 200, 110), 0);
    ck_assert_int_eq(aip_skin_likelihood8(&t, 130, 90, 90), 0);
    ck_assert_int_eq(aip_skin_likelihood8(&t, 80, 100, 220), 0);
    /* deep shadow fades out */
    ck_assert_int_eq(aip_skin_likelihood8(&t, 20, 102, 153), 0);
    ck_assert_int_eq(aip_skin_likelihood8(&t, 48, 102, 153), AIP_SKIN_ONE / 2);
    {
        /* the row form at 10 bits, full range, agrees with the sample form */
        const uint16_t y[4] = { 600, 600, 100, 1023 }, cb[2] = { 400, 512 }, cr[2] = { 610, 512 };
        uint16_t out[2];
        aip_skin_row(out, &t, y, 2, cb, cr, 10, 1, 2);
        ck_assert_int_gt(out[0], 128);
        ck_assert_int_eq(out[1], 0);
    }
}
END_TEST

START_TEST(test_row_sums_simd)
{
    static uint8_t row[2100], below[2100], prev[2100];
    if (!have_avx2()) {
        fprintf(stderr, "test_row_sums_simd: no AVX2 on this CPU, C only\n");
        return;
    }
    for (int iter = 0; iter < 5000; iter++) {
        const int w = 3 + rnd() % 2000;
        const int x0 = rnd() % w, x1 = x0 + 1 + rnd() % (w - x0);
        uint64_t a[3] = { 1, 2, 3 }, b[3] = { 1, 2, 3 };
        for (int i = 0; i < w + 40; i++) {
            row[i] = (uint8_t)rnd();
            below[i] = (uint8_t)rnd();
            prev[i] = (uint8_t)rnd();
        }
        aip_saliency_row_8_c(a, row, iter & 1 ? below : NULL, iter & 2 ? prev : NULL, x0, x1, w);
        aip_saliency_row_8_avx2(b, row, iter & 1 ? below : NULL, iter & 2 ? prev : NULL, x0, x1, w);
        ck_assert_msg(a[0] == b[0] && a[1] == b[1] && a[2] == b[2], "w %d [%d, %d)", w, x0, x1);
    }
}
END_TEST

/* A 640x360 yuv420p picture: wood-like texture (skin-coloured noise), a
 * grey patch of detail at (px, py). */
#define W 640
#define H 360
typedef struct Pic {
    uint8_t y[W * H], u[W * H / 4], v[W * H / 4];
    AIPSaliencyFrame f;
} Pic;

static void picture(Pic *p, int px, int py, int seed)
{
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            const uint32_t r = (uint32_t)(aip_mix64((uint64_t)(y * W + x) * 7 + 1) >> 40);
            int v = 90 + (int)(r % 30) + (int)(12 * sin(x * 0.2));
            if (x >= px && x < px + 80 && y >= py && y < py + 80)
                v = ((x / 6 + y / 6) & 1) ? 200 : 40;
            p->y[y * W + x] = (uint8_t)v;
        }
    for (int i = 0; i < W * H / 4; i++) {
        p->u[i] = 105;
        p->v[i] = 155;
    }
    for (int y = py / 2; y < (py + 80) / 2; y++)
        for (int x = px / 2; x < (px + 80) / 2; x++)
            if (x >= 0 && x < W / 2 && y >= 0 && y < H / 2)
                p->u[y * W / 2 + x] = p->v[y * W / 2 + x] = 128;
    (void)seed;
    p->f = (AIPSaliencyFrame){ .data = { p->y, p->u, p->v }, .linesize = { W, W / 2, W / 2 },
                               .depth = 8, .hsub = 1, .vsub = 1 };
}

START_TEST(test_cells_any_split)
{
    static Pic a, b;
    AIPSaliency s1, s2;
    picture(&a, 100, 100, 0);
    picture(&b, 130, 100, 1);
    ck_assert_int_eq(aip_saliency_init(&s1, W, H, 0), 0);
    ck_assert_int_eq(aip_saliency_init(&s2, W, H, have_avx2() ? AIP_CPU_AVX2 : 0), 0);
    aip_saliency_cells(&s1, &b.f, &a.f, 0, s1.rows);
    for (int r = 0; r < s2.rows; r += 3)
        aip_saliency_cells(&s2, &b.f, &a.f, r, r + 3);
    ck_assert(!memcmp(s1.cells, s2.cells, sizeof(*s1.cells) * s1.cols * s1.rows));
    aip_saliency_uninit(&s1);
    aip_saliency_uninit(&s2);
}
END_TEST

START_TEST(test_tracks_moving_then_still_patch)
{
    static Pic p[2];
    const AIPSaliencyWeights w = { 2.0, 0.3, 0.2, 0.6 };
    const double win = H * 9.0 / 16;
    AIPSaliency s;
    double prev = W / 2.0;

    ck_assert_int_eq(aip_saliency_init(&s, W, H, 0), 0);
    ck_assert_int_eq(s.cell % 8, 0);
    for (int n = 0; n < 100; n++) {
        /* moves 4 px a frame for 60 frames, then stands */
        const int px = 40 + 4 * (n < 60 ? n : 60);
        AIPSaliencyTarget t;
        picture(&p[n & 1], px, 140, n);
        aip_saliency_cells(&s, &p[n & 1].f, n ? &p[(n - 1) & 1].f : NULL, 0, s.rows);
        if (n)
            ck_assert_msg(aip_saliency_change(&s) < 5, "frame %d: change %g", n, aip_saliency_change(&s));
        aip_saliency_map(&s, &w, n == 0);
        aip_saliency_window(&s, 0, win, prev, 0.05, &t);
        prev = t.centre;
        ck_assert(t.centre >= win / 2 && t.centre <= W - win / 2);
        if (n >= 2)
            ck_assert_msg(t.centre - win / 2 <= px && t.centre + win / 2 >= px + 80,
                          "frame %d: patch %d..%d outside the window about %.1f", n, px, px + 80, t.centre);
    }
    aip_saliency_uninit(&s);
}
END_TEST

START_TEST(test_scene_change)
{
    static Pic a, b;
    AIPSaliency s;
    const AIPSaliencyWeights w = { 2.0, 0.3, 0.2, 0.6 };

    picture(&a, 100, 100, 0);
    picture(&b, 100, 100, 0);
    for (int i = 0; i < W * H; i++)
        b.y[i] = (uint8_t)(255 - b.y[i]);
    ck_assert_int_eq(aip_saliency_init(&s, W, H, 0), 0);
    aip_saliency_cells(&s, &a.f, NULL, 0, s.rows);
    ck_assert(aip_saliency_change(&s) == 0);
    aip_saliency_map(&s, &w, 1);
    aip_saliency_cells(&s, &a.f, &a.f, 0, s.rows);
    ck_assert(aip_saliency_change(&s) == 0);
    aip_saliency_map(&s, &w, 0);
    aip_saliency_cells(&s, &b.f, &a.f, 0, s.rows);
    ck_assert_msg(aip_saliency_change(&s) > 30, "cut: change %g", aip_saliency_change(&s));
    aip_saliency_uninit(&s);
}
END_TEST

START_TEST(test_window_geometry)
{
    AIPSaliency s;
    AIPSaliencyTarget t;
    ck_assert_int_eq(aip_saliency_init(&s, W, H, 0), 0);

    /* nothing salient: the previous centre, no confidence */
    memset(s.map, 0, sizeof(*s.map) * s.cols * s.rows);
    aip_saliency_window(&s, 0, 200, 321.5, 0.05, &t);
    ck_assert(t.centre == 321.5 && t.confidence == 0);

    /* one salient cell: the window centres on it, all of the saliency in it */
    s.map[5 * s.cols + 30] = 1;
    aip_saliency_window(&s, 0, 200, 100, 0.05, &t);
    ck_assert_msg(fabs(t.centre - (30.5 * s.cell)) < 1e-9, "centre %g", t.centre);
    ck_assert(fabs(t.confidence - 1) < 1e-12);

    /* at the edge: the window is kept inside the frame */
    memset(s.map, 0, sizeof(*s.map) * s.cols * s.rows);
    s.map[3 * s.cols] = 1;
    aip_saliency_window(&s, 0, 200, 300, 0.05, &t);
    ck_assert(t.centre == 100);
    /* along y */
    memset(s.map, 0, sizeof(*s.map) * s.cols * s.rows);
    s.map[(s.rows - 1) * s.cols + 4] = 1;
    aip_saliency_window(&s, 1, 100, 100, 0.05, &t);
    ck_assert(t.centre == H - 50);

    /* two equal subjects: the one near the previous centre is kept */
    memset(s.map, 0, sizeof(*s.map) * s.cols * s.rows);
    s.map[5 * s.cols + 5] = s.map[5 * s.cols + 35] = 1;
    aip_saliency_window(&s, 0, 100, 5.5 * s.cell, 0.05, &t);
    ck_assert(fabs(t.centre - 5.5 * s.cell) < 1e-9);
    aip_saliency_window(&s, 0, 100, 35.5 * s.cell, 0.05, &t);
    ck_assert(fabs(t.centre - 35.5 * s.cell) < 1e-9);

    ck_assert_int_eq(aip_saliency_init(&s, 10, 10, 0), -EINVAL);
    aip_saliency_uninit(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("saliency");
    TCase *tc = tcase_create("kernels");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_skin_model);
    tcase_add_test(tc, test_row_sums_simd);
    tcase_add_test(tc, test_cells_any_split);
    tcase_add_test(tc, test_tracks_moving_then_still_patch);
    tcase_add_test(tc, test_scene_change);
    tcase_add_test(tc, test_window_geometry);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
