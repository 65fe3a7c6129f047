/*
 * Unit tests of the tone and colour curves (aipost/tonecurve.*): the
 * S-curve's fixed points, symmetry and slopes; the black floor (nothing
 * below it, monotonic, meets the identity with slope 1 at the knee); the
 * luma table in both ranges and depths; the saturation trim (identity below
 * the knee, monotonic, hue kept, the stated landing point); the AVX2 chroma
 * row bit-exact against C.
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/tonecurve.h"

START_TEST(test_identity_when_off)
{
    const AIPToneCurve off = { 0, 0, 0 };
    uint16_t lut[1 << AIP_TONE_LUT_BITS];

    for (int i = 0; i <= 1000; i++)
        ck_assert(fabs(aip_tone_eval(&off, i / 1000.0) - i / 1000.0) < 1e-15);
    /* 8- and 10-bit limited range map to the 14-bit scale exactly. */
    aip_tone_luma_lut(lut, 8, 16, 235, &off);
    for (int v = 16; v <= 235; v++)
        ck_assert_int_eq(lut[v], v << 6);
    aip_tone_luma_lut(lut, 10, 64, 940, &off);
    for (int v = 64; v <= 940; v++)
        ck_assert_int_eq(lut[v], v << 4);
    /* super-black and super-white are clipped */
    ck_assert_int_eq(lut[0], 64 << 4);
    ck_assert_int_eq(lut[1023], 940 << 4);
}
END_TEST

START_TEST(test_scurve)
{
    for (int k = 0; k <= 5; k++) {
        const AIPToneCurve c = { k * 0.1, 0, 0 };
        double prev = -1;
        ck_assert(aip_tone_eval(&c, 0) == 0);
        ck_assert(aip_tone_eval(&c, 1) == 1);
        ck_assert(fabs(aip_tone_eval(&c, 0.5) - 0.5) < 1e-15);
        for (int i = 0; i <= 1000; i++) {
            const double n = i / 1000.0, v = aip_tone_eval(&c, n);
            ck_assert_msg(fabs(v + aip_tone_eval(&c, 1 - n) - 1) < 1e-12, "symmetry at %g", n);
            ck_assert_msg(v >= prev, "monotonic at %g (contrast %g)", n, c.contrast);
            prev = v;
        }
        /* midtone slope 1 + contrast, end slope 1 - 2 contrast */
        {
            const double h = 1e-6;
            const double mid = (aip_tone_eval(&c, 0.5 + h) - aip_tone_eval(&c, 0.5 - h)) / (2 * h);
            const double end = (aip_tone_eval(&c, h) - aip_tone_eval(&c, 0)) / h;
            ck_assert_msg(fabs(mid - (1 + c.contrast)) < 1e-5, "mid slope %g", mid);
            ck_assert_msg(fabs(end - (1 - 2 * c.contrast)) < 1e-5, "end slope %g", end);
        }
    }
}
END_TEST

START_TEST(test_floor_and_knee)
{
    static const double floors[] = { 0.01, 4 / 219.0, 0.05, 0.2 };
    for (unsigned i = 0; i < sizeof(floors) / sizeof(*floors); i++) {
        for (int kk = 0; kk < 3; kk++) {
            const double f = floors[i];
            const double knee = kk == 0 ? f : kk == 1 ? 2 * f : 4 * f;   /* f: raised to 2 f */
            const AIPToneCurve c = { 0.1, f, knee };
            const double k = knee < 2 * f ? 2 * f : knee;
            double prev = -1, h = 1e-7;
            ck_assert_msg(fabs(aip_tone_eval(&c, 0) - f) < 1e-15, "f(0) = floor");
            ck_assert_msg(fabs(aip_tone_eval(&c, -0.3) - f) < 1e-15, "below black: floor");
            for (int j = 0; j <= 2000; j++) {
                const double v = aip_tone_eval(&c, j / 2000.0);
                ck_assert_msg(v >= f - 1e-15, "floor %g: %g at %g", f, v, j / 2000.0);
                ck_assert_msg(v >= prev - 1e-15, "monotonic");
                prev = v;
            }
            /* Above the knee (in S-curve output terms) the floor does not
             * act; at the knee value and slope are continuous. */
            {
                const AIPToneCurve s_only = { 0.1, 0, 0 };
                double n = 0;
                while (aip_tone_eval(&s_only, n) < k)
                    n += 1e-5;
                ck_assert(fabs(aip_tone_eval(&c, n + 0.01) - aip_tone_eval(&s_only, n + 0.01)) < 1e-12);
                {
                    const double below = (aip_tone_eval(&c, n - 1e-5) - aip_tone_eval(&c, n - 1e-5 - h)) / h;
                    const double above = (aip_tone_eval(&s_only, n + 1e-5 + h) - aip_tone_eval(&s_only, n + 1e-5)) / h;
                    ck_assert_msg(fabs(below - above) < 0.01 * above, "slope %g vs %g at the knee", below, above);
                }
            }
        }
    }
}
END_TEST

START_TEST(test_luma_lut)
{
    const AIPToneCurve c = { 0.12, 4 / 219.0, 16 / 219.0 };
    uint16_t lut[1 << AIP_TONE_LUT_BITS];
    const int floor14 = (int)floor(1024 + 4 / 219.0 * (15040 - 1024) + 0.5);

    for (int depth = 8; depth <= 16; depth += 2) {
        for (int full = 0; full < 2; full++) {
            const int black = full ? 0 : 16 << (depth - 8);
            const int white = full ? (1 << depth) - 1 : 235 << (depth - 8);
            const int shift = aip_tone_luma_lut(lut, depth, black, white, &c);
            const int n = 1 << (depth - shift);
            ck_assert_int_eq(shift, depth > 12 ? depth - 12 : 0);
            ck_assert_int_ge(lut[0], floor14);
            ck_assert_int_le(lut[0], floor14 + 2);
            ck_assert_int_ge(lut[n - 1], 15030);   /* deep inputs: the last bucket's centre */
            ck_assert_int_le(lut[n - 1], 15040);
            for (int j = 1; j < n; j++) {
                ck_assert_int_ge(lut[j], lut[j - 1]);
                ck_assert_int_ge(lut[j], floor14);
            }
        }
    }
}
END_TEST

START_TEST(test_sat_trim)
{
    for (int k = 2; k <= 8; k += 3) {
        for (int st = 0; st <= 4; st++) {
            const AIPSatTrim t = { k / 10.0, st * 0.5 };
            double prev = -1;
            for (int i = 0; i <= 1414; i++) {
                const double r = i / 1000.0, v = aip_sat_trim_eval(&t, r);
                if (r <= t.knee)
                    ck_assert(v == r);
                ck_assert(v <= r);
                ck_assert(v >= prev);
                prev = v;
            }
            ck_assert(fabs(aip_sat_trim_eval(&t, 1) - (t.knee + (1 - t.knee) / (1 + t.strength))) < 1e-12);
        }
    }
}
END_TEST

START_TEST(test_chroma_row)
{
    const AIPSatTrim off = { 0.6, 0 }, on = { 0.6, 1.0 };
    uint16_t gain[AIP_SAT_LUT_SIZE];
    uint8_t u8[512], v8[512];
    uint16_t u10[512], v10[512];
    int16_t ou[600], ov[600];
    AIPToneDSP c;

    aip_tone_dsp_init(&c, 0);
    for (int i = 0; i < 512; i++) {
        u8[i] = (uint8_t)(16 + rnd() % 225);
        v8[i] = (uint8_t)(16 + rnd() % 225);
        u10[i] = (uint16_t)(u8[i] * 4 + rnd() % 4);
        v10[i] = (uint16_t)(v8[i] * 4 + rnd() % 4);
    }

    /* limited in, no trim: exact */
    aip_sat_gain_lut(gain, 112 * 64, &off);
    c.chroma_row(ou, ov, u8, v8, 8, gain, 512);
    for (int i = 0; i < 512; i++) {
        ck_assert_int_eq(ou[i], u8[i] << 6);
        ck_assert_int_eq(ov[i], v8[i] << 6);
    }
    c.chroma_row(ou, ov, u10, v10, 10, gain, 512);
    for (int i = 0; i < 512; i++)
        ck_assert_int_eq(ou[i], u10[i] << 4);

    /* full range in: 0 and 255 become about 16 and 240 */
    aip_sat_gain_lut(gain, 127.5 * 64, &off);
    {
        const uint8_t a[2] = { 0, 255 }, b[2] = { 128, 128 };
        c.chroma_row(ou, ov, a, b, 8, gain, 2);
        ck_assert_msg(abs(ou[0] - (16 << 6)) < 40 && abs(ou[1] - (240 << 6)) < 40, "%d %d", ou[0], ou[1]);
    }

    /* trim: saturated colours lose saturation, hue kept, greys untouched */
    aip_sat_gain_lut(gain, 112 * 64, &on);
    c.chroma_row(ou, ov, u8, v8, 8, gain, 512);
    for (int i = 0; i < 512; i++) {
        const double u = (u8[i] << 6) - 8192.0, v = (v8[i] << 6) - 8192.0;
        const double uo = ou[i] - 8192.0, vo = ov[i] - 8192.0;
        const double r = sqrt(u * u + v * v) / 7168, ro = sqrt(uo * uo + vo * vo) / 7168;
        ck_assert(ro <= r + 1e-3);
        if (r < 0.55)
            ck_assert_msg(fabs(ro - r) < 2e-3, "below the knee: %g -> %g", r, ro);
        if (r > 0.3)
            ck_assert_msg(fabs(atan2(vo, uo) - atan2(v, u)) < 0.01, "hue moved");
        if (r > 0.95 && r < 1.05)
            ck_assert_msg(fabs(ro - (0.6 + (r - 0.6) / (1 + (r - 0.6) / 0.4))) < 0.01, "trim %g -> %g", r, ro);
    }

    if (have_avx2()) {
        AIPToneDSP a;
        int16_t au[600], av[600];
        uint8_t bu[600], bv[600];
        aip_tone_dsp_init(&a, AIP_CPU_AVX2);
        ck_assert_ptr_ne((void *)a.chroma_row, (void *)c.chroma_row);
        for (int iter = 0; iter < 2000; iter++) {
            const int n = 1 + rnd() % 600;
            const AIPSatTrim t = { 0.1 + (rnd() % 90) / 100.0, (rnd() % 400) / 100.0 };
            aip_sat_gain_lut(gain, iter & 1 ? 127.5 * 64 : 112 * 64, &t);
            for (int i = 0; i < n; i++) {
                bu[i] = (uint8_t)(rnd() & 255);
                bv[i] = (uint8_t)(rnd() & 255);
            }
            c.chroma_row(ou, ov, bu, bv, 8, gain, n);
            a.chroma_row(au, av, bu, bv, 8, gain, n);
            ck_assert(!memcmp(ou, au, n * 2));
            ck_assert(!memcmp(ov, av, n * 2));
        }
    } else {
        fprintf(stderr, "test_chroma_row: no AVX2 on this CPU, C only\n");
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tonecurve");
    TCase *tc = tcase_create("kernels");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_identity_when_off);
    tcase_add_test(tc, test_scurve);
    tcase_add_test(tc, test_floor_and_knee);
    tcase_add_test(tc, test_luma_lut);
    tcase_add_test(tc, test_sat_trim);
    tcase_add_test(tc, test_chroma_row);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
