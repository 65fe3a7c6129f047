/*
 * Unit tests of the skin likelihood (filters/libavfilter/aipost/skinmask.*),
 * without FFmpeg: skin tones of every complexion against fabrics, flags,
 * greys and blue; white-balance casts and exposure; the neutral point; the
 * opening and the edge-aware smoothing.
 */

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/skinmask.h"

static AIPSkinMaskModel model;

/* 8-bit limited-range BT.601 Y'CbCr of an sRGB-coded colour. */
static void ycbcr(double r, double g, double b, int *y, int *cb, int *cr)
{
    *y  = (int)lrint(16  + ( 65.481 * r + 128.553 * g +  24.966 * b) / 255);
    *cb = (int)lrint(128 + (-37.797 * r -  74.203 * g + 112.0   * b) / 255);
    *cr = (int)lrint(128 + (112.0   * r -  93.786 * g -  18.214 * b) / 255);
}

static int likelihood(double r, double g, double b, int nb, int nr)
{
    int y, cb, cr;
    uint8_t out;
    uint8_t py, pb, pr;
    ycbcr(r, g, b, &y, &cb, &cr);
    py = (uint8_t)y;
    pb = (uint8_t)cb;
    pr = (uint8_t)cr;
    aip_skinmask_likelihood(&model, &out, 1, &py, &pb, &pr, 1, 1, 0, nb, nr, 0, 1);
    return out;
}

/* Skin tones of the Fitzpatrick scale, types I to VI (sRGB), and the
 * portrait's face. */
static const double skin_tones[][3] = {
    { 244, 208, 177 }, { 231, 180, 143 }, { 209, 158, 119 },
    { 187, 120,  80 }, { 142,  85,  54 }, {  90,  56,  37 },
};

START_TEST(test_skin_tones_are_skin)
{
    for (unsigned i = 0; i < sizeof(skin_tones) / sizeof(*skin_tones); i++) {
        const int l = likelihood(skin_tones[i][0], skin_tones[i][1], skin_tones[i][2], 0, 0);
        ck_assert_msg(l >= 192, "skin tone %u (%g %g %g): likelihood %d", i,
                      skin_tones[i][0], skin_tones[i][1], skin_tones[i][2], l);
    }
    {
        /* the bundled portrait's cheek: Y' 175, Cb 112, Cr 144 (median) */
        uint8_t y = 175, cb = 112, cr = 144, out;
        aip_skinmask_likelihood(&model, &out, 1, &y, &cb, &cr, 1, 1, 0, 0, 0, 0, 1);
        ck_assert_int_ge(out, 192);
    }
}
END_TEST

START_TEST(test_other_colours_are_not)
{
    static const double others[][3] = {
        { 235, 100,  40 },  /* the suit's orange */
        { 178,  34,  52 },  /* flag red */
        {  60,  59, 110 },  /* flag blue */
        { 128, 128, 128 },  /* grey */
        { 240, 240, 235 },  /* white */
        {  40, 160,  60 },  /* foliage */
        { 120, 160, 220 },  /* sky */
        { 230, 200,  40 },  /* yellow */
        {  20,  15,  12 },  /* near black: no chroma to trust */
    };
    for (unsigned i = 0; i < sizeof(others) / sizeof(*others); i++) {
        const int l = likelihood(others[i][0], others[i][1], others[i][2], 0, 0);
        ck_assert_msg(l <= 32, "colour %u (%g %g %g): likelihood %d", i,
                      others[i][0], others[i][1], others[i][2], l);
    }
}
END_TEST

/* The same skin under a white-balance cast, measured from the cast's own
 * neutral point, stays skin. */
START_TEST(test_cast_compensated_by_neutral_point)
{
    /* warm (tungsten-ish), cool (shade), magenta; the last beyond what the
     * neutral point corrects (AIP_SKINMASK_NEUTRAL_MAX), relying on the hue
     * window for the rest */
    static const double casts[][3] = { { 1.06, 1.0, 0.93 }, { 0.94, 1.0, 1.07 }, { 1.05, 1.0, 1.05 },
                                       { 1.10, 1.0, 0.90 } };
    for (unsigned c = 0; c < sizeof(casts) / sizeof(*casts); c++) {
        int gy, gb, gr, nb, nr;
        uint8_t ys[64], cbs[64], crs[64];
        ycbcr(150 * casts[c][0], 150 * casts[c][1], 150 * casts[c][2], &gy, &gb, &gr);
        /* a picture of that grey: its neutral point is the cast */
        for (int i = 0; i < 64; i++) {
            ys[i] = (uint8_t)gy;
            cbs[i] = (uint8_t)gb;
            crs[i] = (uint8_t)gr;
        }
        aip_skinmask_neutral(&model, ys, cbs, crs, 8, 8, 8, 0, &nb, &nr);
        if ((gb - 128) * (gb - 128) + (gr - 128) * (gr - 128) <= AIP_SKINMASK_NEUTRAL_MAX * AIP_SKINMASK_NEUTRAL_MAX) {
            ck_assert_int_eq(nb, gb - 128);
            ck_assert_int_eq(nr, gr - 128);
        } else {
            ck_assert_int_le(nb * nb + nr * nr, AIP_SKINMASK_NEUTRAL_MAX * AIP_SKINMASK_NEUTRAL_MAX);
        }
        for (unsigned i = 0; i < sizeof(skin_tones) / sizeof(*skin_tones); i++) {
            const int l = likelihood(skin_tones[i][0] * casts[c][0], skin_tones[i][1] * casts[c][1] > 255 ? 255 :
                                     skin_tones[i][1] * casts[c][1], skin_tones[i][2] * casts[c][2] > 255 ? 255 :
                                     skin_tones[i][2] * casts[c][2], nb, nr);
            /* a cast scales R'G'B', which moves saturated skin further than
             * grey: the compensation is close, not exact (the darkest
             * tones under a warm cast drop the most: type V to 117); beyond
             * the corrected range skin keeps part of its likelihood */
            ck_assert_msg(l >= (c < 3 ? 112 : 64), "cast %u, tone %u: likelihood %d", c, i, l);
        }
    }
}
END_TEST

START_TEST(test_exposure)
{
    /* a stop darker or a third brighter, the face stays skin */
    for (unsigned i = 0; i < 3; i++) {
        static const double gains[] = { 0.5, 0.7, 1.1 };
        for (unsigned k = 0; k < 3; k++) {
            const double *t = skin_tones[k];
            const int l = likelihood(fmin(255, t[0] * gains[i]), fmin(255, t[1] * gains[i]),
                                     fmin(255, t[2] * gains[i]), 0, 0);
            ck_assert_msg(l >= 128, "gain %g, tone %u: likelihood %d", gains[i], k, l);
        }
    }
}
END_TEST

START_TEST(test_neutral_needs_greys_and_is_bounded)
{
    uint8_t ys[100], cbs[100], crs[100];
    int nb, nr;
    /* all skin: no grey samples, no neutral point */
    for (int i = 0; i < 100; i++) {
        ys[i] = 170;
        cbs[i] = 112;
        crs[i] = 144;
    }
    aip_skinmask_neutral(&model, ys, cbs, crs, 10, 10, 10, 0, &nb, &nr);
    ck_assert_int_eq(nb, 0);
    ck_assert_int_eq(nr, 0);
    /* a strong cast within the grey radius is pulled back to the limit */
    for (int i = 0; i < 100; i++) {
        cbs[i] = 128 - 9;
        crs[i] = 128 + 7;
    }
    aip_skinmask_neutral(&model, ys, cbs, crs, 10, 10, 10, 0, &nb, &nr);
    ck_assert_int_le(nb * nb + nr * nr, AIP_SKINMASK_NEUTRAL_MAX * AIP_SKINMASK_NEUTRAL_MAX);
    ck_assert_int_lt(nb, 0);
    ck_assert_int_gt(nr, 0);
}
END_TEST

START_TEST(test_full_range)
{
    /* the same colour coded full range reads the same */
    int y, cb, cr;
    uint8_t l0, l1, py, pb, pr, fy, fb, fr;
    ycbcr(209, 158, 119, &y, &cb, &cr);
    py = (uint8_t)y;
    pb = (uint8_t)cb;
    pr = (uint8_t)cr;
    fy = (uint8_t)lrint((y - 16) * 255.0 / 219);
    fb = (uint8_t)lrint((cb - 128) * 255.0 / 224 + 128);
    fr = (uint8_t)lrint((cr - 128) * 255.0 / 224 + 128);
    aip_skinmask_likelihood(&model, &l0, 1, &py, &pb, &pr, 1, 1, 0, 0, 0, 0, 1);
    aip_skinmask_likelihood(&model, &l1, 1, &fy, &fb, &fr, 1, 1, 1, 0, 0, 0, 1);
    ck_assert_int_le(abs(l0 - l1), 8);
}
END_TEST

START_TEST(test_open_removes_lines_keeps_areas)
{
    enum { S = 48 };
    uint8_t src[S * S], dst[S * S];
    uint8_t *tmp = malloc(AIP_SKINMASK_OPEN_SCRATCH(S, S, AIP_SKINMASK_OPEN_RADIUS));
    memset(src, 0, sizeof(src));
    for (int y = 0; y < S; y++)           /* a 3-wide vertical line */
        for (int x = 5; x < 8; x++)
            src[y * S + x] = 200;
    for (int y = 20; y < 32; y++)         /* a 12 x 12 square */
        for (int x = 20; x < 32; x++)
            src[y * S + x] = 220;
    aip_skinmask_open(dst, src, tmp, S, S, S, AIP_SKINMASK_OPEN_RADIUS);
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            const int in_square = y >= 20 && y < 32 && x >= 20 && x < 32;
            ck_assert_int_eq(dst[y * S + x], in_square ? 220 : 0);
        }
    free(tmp);
}
END_TEST

START_TEST(test_smoothing_stops_at_edges)
{
    enum { S = 32 };
    uint8_t like[S * S], guide[S * S], tmp[S * S], out[S * S];
    /* likelihood 255 on the left half; the guide has a strong edge at
     * x = 16 (skin against a dark collar) */
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            like[y * S + x] = x < 16 ? 255 : 0;
            guide[y * S + x] = x < 16 ? 180 : 40;
        }
    aip_skinmask_smooth_h(&model, tmp, like, guide, S, S, 0, S);
    aip_skinmask_smooth_v(&model, out, tmp, guide, S, S, S, 0, S);
    ck_assert_int_ge(out[10 * S + 15], 250);     /* no bleeding out ... */
    ck_assert_int_le(out[10 * S + 16], 5);       /* ... or in */
    /* without an edge in the guide, it blurs */
    memset(guide, 128, sizeof(guide));
    aip_skinmask_smooth_h(&model, tmp, like, guide, S, S, 0, S);
    aip_skinmask_smooth_v(&model, out, tmp, guide, S, S, S, 0, S);
    ck_assert_int_lt(out[10 * S + 15], 230);
    ck_assert_int_gt(out[10 * S + 16], 20);
    /* a flat plane is unchanged */
    memset(like, 77, sizeof(like));
    aip_skinmask_smooth_h(&model, tmp, like, guide, S, S, 0, S);
    aip_skinmask_smooth_v(&model, out, tmp, guide, S, S, S, 0, S);
    for (int i = 0; i < S * S; i++)
        ck_assert_int_eq(out[i], 77);
}
END_TEST

static void setup(void)
{
    aip_skinmask_model_init(&model);
}

int main(void)
{
    Suite *s = suite_create("skinmask");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_skin_tones_are_skin);
    tcase_add_test(tc, test_other_colours_are_not);
    tcase_add_test(tc, test_cast_compensated_by_neutral_point);
    tcase_add_test(tc, test_exposure);
    tcase_add_test(tc, test_neutral_needs_greys_and_is_bounded);
    tcase_add_test(tc, test_full_range);
    tcase_add_test(tc, test_open_removes_lines_keeps_areas);
    tcase_add_test(tc, test_smoothing_stops_at_edges);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
