/*
 * Unit tests of the resampling kernels (filters/libavfilter/aipost/resample.*),
 * without FFmpeg: the filter's weights, exactness on constants, copies and
 * ramps, sub-pixel shifts, low-pass when shrinking, the row generator's
 * independence of row order and of how rows are split, the box blur, and
 * every AVX2 pass bit-exact against the C reference.
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/resample.h"

#define MAXW 700
#define PAD 64

static double urand(void)
{
    return rnd() / 4294967296.0;
}

START_TEST(test_kernel_known_points)
{
    ck_assert(aip_resample_kernel(0) == 1.0);
    ck_assert(aip_resample_kernel(1) == 0.0);
    ck_assert(aip_resample_kernel(-1) == 0.0);
    ck_assert(aip_resample_kernel(2) == 0.0);
    ck_assert(aip_resample_kernel(2.5) == 0.0);
    /* Catmull-Rom at half a sample: 9/16 and -1/16 */
    ck_assert(fabs(aip_resample_kernel(0.5) - 0.5625) < 1e-12);
    ck_assert(fabs(aip_resample_kernel(1.5) + 0.0625) < 1e-12);
    /* partition of unity at any phase */
    for (int i = 0; i < 100; i++) {
        const double f = i / 100.0;
        const double sum = aip_resample_kernel(f + 1) + aip_resample_kernel(f) +
                           aip_resample_kernel(1 - f) + aip_resample_kernel(2 - f);
        ck_assert_msg(fabs(sum - 1) < 1e-12, "phase %g: sum %g", f, sum);
    }
}
END_TEST

START_TEST(test_filter_weights_and_windows)
{
    AIPResampleFilter f = { 0 };

    for (int iter = 0; iter < 500; iter++) {
        const int src = 1 + rnd() % 600, dst = 1 + rnd() % 600;
        const double step = 0.05 + urand() * (AIP_RESAMPLE_MAX_STEP - 0.05);
        const double start = -3 + urand() * (src + 6);
        ck_assert_int_eq(aip_resample_filter_init(&f, dst, start, step, src), 0);
        ck_assert_int_eq(f.taps, aip_resample_taps(step) < src ? aip_resample_taps(step) : src);
        ck_assert(f.taps == src || f.taps % 4 == 0);
        for (int i = 0; i < dst; i++) {
            int sum = 0;
            ck_assert_int_ge(f.pos[i], 0);
            ck_assert_int_le(f.pos[i] + f.taps, src);
            ck_assert_int_ge(f.pos[i], f.src_first);
            ck_assert_int_le(f.pos[i] + f.taps, f.src_end);
            for (int k = 0; k < f.taps; k++)
                sum += f.coef[i * f.taps + k];
            ck_assert_int_eq(sum, 1 << AIP_RESAMPLE_COEF_BITS);
        }
    }
    ck_assert_int_eq(aip_resample_filter_init(&f, 10, 0, 0, 10), -EINVAL);
    ck_assert_int_eq(aip_resample_filter_init(&f, 10, 0, AIP_RESAMPLE_MAX_STEP * 1.01, 10), -EINVAL);
    ck_assert_int_eq(aip_resample_filter_init(&f, 0, 0, 1, 10), -EINVAL);
    ck_assert_int_eq(aip_resample_filter_init(&f, 10, NAN, 1, 10), -EINVAL);
    aip_resample_filter_uninit(&f);
}
END_TEST

static void hpass(const AIPResampleDSP *d, int16_t *dst, const int16_t *src, const AIPResampleFilter *f)
{
    d->h(dst, src, f);
}

START_TEST(test_copy_constant_and_ramp)
{
    AIPResampleDSP c;
    AIPResampleFilter f = { 0 };
    int16_t src[MAXW + PAD], dst[MAXW + PAD];

    aip_resample_dsp_init(&c, 0);

    /* Whole-sample positions at step 1 copy exactly. */
    for (int i = 0; i < MAXW + PAD; i++)
        src[i] = rnd() % (AIP_RESAMPLE_MAX + 1);
    ck_assert_int_eq(aip_resample_filter_init(&f, 300, 17, 1.0, 400), 0);
    hpass(&c, dst, src, &f);
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq(dst[i], src[17 + i]);

    /* A constant stays exactly constant, edges included, at any geometry. */
    for (int i = 0; i < MAXW + PAD; i++)
        src[i] = 9000;
    for (int iter = 0; iter < 100; iter++) {
        const double step = 0.1 + urand() * 7.5;
        const int n = 1 + rnd() % 500;
        ck_assert_int_eq(aip_resample_filter_init(&f, n, -5 + urand() * 400, step, 400), 0);
        hpass(&c, dst, src, &f);
        for (int i = 0; i < n; i++)
            ck_assert_int_eq(dst[i], 9000);
    }

    /* Catmull-Rom reproduces a linear ramp: within a code value (weights
     * are rounded to Q14) away from the edges, at sub-pixel positions. */
    for (int i = 0; i < MAXW + PAD; i++)
        src[i] = (int16_t)(1000 + 20 * i);
    for (int iter = 0; iter < 100; iter++) {
        const double step = 0.3 + urand() * 0.7, start = 5 + urand() * 3;
        ck_assert_int_eq(aip_resample_filter_init(&f, 400, start, step, 600), 0);
        hpass(&c, dst, src, &f);
        for (int i = 0; i < 400; i++) {
            const double want = 1000 + 20 * (start + i * step);
            ck_assert_msg(fabs(dst[i] - want) <= 1.0, "step %g start %g i %d: %d, want %.2f",
                          step, start, i, dst[i], want);
        }
    }
    aip_resample_filter_uninit(&f);
}
END_TEST

START_TEST(test_subpixel_shift)
{
    /* A smooth bump moved by a quarter sample moves its centroid by a
     * quarter sample: what lets a crop window pan smoothly. */
    AIPResampleDSP c;
    AIPResampleFilter f = { 0 };
    int16_t src[MAXW + PAD], dst[MAXW + PAD];

    aip_resample_dsp_init(&c, 0);
    for (int i = 0; i < MAXW + PAD; i++)
        src[i] = (int16_t)(2000 + 8000 * exp(-(i - 200.0) * (i - 200.0) / 200.0));
    for (int q = 0; q < 8; q++) {
        const double shift = q * 0.25;
        double m = 0, mx = 0;
        ck_assert_int_eq(aip_resample_filter_init(&f, 400, shift, 1.0, 500), 0);
        hpass(&c, dst, src, &f);
        for (int i = 0; i < 400; i++) {
            m += dst[i] - 2000;
            mx += (dst[i] - 2000) * (double)i;
        }
        ck_assert_msg(fabs(mx / m - (200 - shift)) < 0.01, "shift %g: centroid %.4f", shift, mx / m);
    }
    aip_resample_filter_uninit(&f);
}
END_TEST

START_TEST(test_shrink_low_passes)
{
    /* Alternating samples (the source's Nyquist) shrunk by 2 come out
     * nearly flat: the widened filter removes what would alias. */
    AIPResampleDSP c;
    AIPResampleFilter f = { 0 };
    int16_t src[MAXW + PAD], dst[MAXW + PAD];
    int lo = 32767, hi = -32768;

    aip_resample_dsp_init(&c, 0);
    for (int i = 0; i < MAXW + PAD; i++)
        src[i] = (i & 1) ? 12000 : 4000;
    ck_assert_int_eq(aip_resample_filter_init(&f, 300, 0.5, 2.0, 620), 0);
    ck_assert_int_eq(f.taps, 8);
    hpass(&c, dst, src, &f);
    for (int i = 4; i < 296; i++) {
        lo = dst[i] < lo ? dst[i] : lo;
        hi = dst[i] > hi ? dst[i] : hi;
    }
    ck_assert_msg(hi - lo < 80, "ripple %d of a swing of 8000", hi - lo);
    ck_assert_msg(abs((hi + lo) / 2 - 8000) < 50, "mean %d", (hi + lo) / 2);
    aip_resample_filter_uninit(&f);
}
END_TEST

START_TEST(test_simd_bitexact)
{
    AIPResampleDSP c, a;
    AIPResampleFilter f = { 0 };
    static int16_t src[MAXW * 8 + PAD], d1[MAXW + PAD], d2[MAXW + PAD];
    static int16_t rows[AIP_RESAMPLE_MAX_TAPS][MAXW + PAD];
    static uint8_t p8a[MAXW + PAD], p8b[MAXW + PAD];
    static uint16_t p16a[MAXW + PAD], p16b[MAXW + PAD];
    const int16_t *rp[AIP_RESAMPLE_MAX_TAPS];
    int16_t coef[AIP_RESAMPLE_MAX_TAPS];
    int shuf_seen = 0;

    if (!have_avx2()) {
        fprintf(stderr, "test_simd_bitexact: no AVX2 on this CPU, C only\n");
        return;
    }
    aip_resample_dsp_init(&c, 0);
    aip_resample_dsp_init(&a, AIP_CPU_AVX2);
    ck_assert_ptr_ne((void *)c.h, (void *)a.h);

    for (int iter = 0; iter < 3000; iter++) {
        const int srcw = 4 + rnd() % (MAXW * 4);
        const int w = 1 + rnd() % MAXW;
        const double step = iter % 3 ? 0.2 + urand() * 1.1 : 0.2 + urand() * 7.7;
        const double start = -4 + urand() * srcw;
        /* full 14-bit range, and some overshoot as the vertical pass gets */
        const int lo = iter & 1 ? -3000 : 0, span = iter & 1 ? 25000 : AIP_RESAMPLE_MAX + 1;
        for (int i = 0; i < srcw + PAD; i++)
            src[i] = (int16_t)(lo + (int)(rnd() % span));
        ck_assert_int_eq(aip_resample_filter_init(&f, w, start, step, srcw), 0);
        shuf_seen += f.has_shuf;
        c.h(d1, src, &f);
        a.h(d2, src, &f);
        for (int i = 0; i < w; i++)
            ck_assert_msg(d1[i] == d2[i], "h: iter %d w %d taps %d step %g i %d: %d vs %d",
                          iter, w, f.taps, step, i, d1[i], d2[i]);

        {
            const int taps = 1 + rnd() % AIP_RESAMPLE_MAX_TAPS;
            const int shift = 4 + (rnd() % 3);      /* 10-, 9- and 8-bit packs */
            const int hi = (1 << (14 - shift)) - 1, plo = rnd() % 40;
            int sum = 0;
            for (int k = 0; k < taps; k++) {
                for (int x = 0; x < w + PAD; x++)
                    rows[k][x] = (int16_t)(-32768 + (int)(rnd() % 65536));
                coef[k] = (int16_t)(-4000 + (int)(rnd() % 12000));
                sum += coef[k];
                rp[k] = rows[k];
            }
            (void)sum;
            c.v(d1, rp, coef, taps, w);
            a.v(d2, rp, coef, taps, w);
            for (int x = 0; x < w; x++)
                ck_assert_msg(d1[x] == d2[x], "v: taps %d w %d x %d: %d vs %d", taps, w, x, d1[x], d2[x]);
            c.pack8(p8a, d1, 6, plo, 255 - plo, w);
            a.pack8(p8b, d1, 6, plo, 255 - plo, w);
            ck_assert(!memcmp(p8a, p8b, w));
            c.pack16(p16a, d1, shift, plo, hi, w);
            a.pack16(p16b, d1, shift, plo, hi, w);
            ck_assert(!memcmp(p16a, p16b, w * 2));
            c.vpack8(p8a, rp, coef, taps, 6, plo, 235, w);
            a.vpack8(p8b, rp, coef, taps, 6, plo, 235, w);
            ck_assert(!memcmp(p8a, p8b, w));
            c.vpack16(p16a, rp, coef, taps, shift, plo, hi, w);
            a.vpack16(p16b, rp, coef, taps, shift, plo, hi, w);
            ck_assert(!memcmp(p16a, p16b, w * 2));
            /* vpack is v then pack */
            c.pack16(p16b, d1, shift, plo, hi, w);
            ck_assert(!memcmp(p16a, p16b, w * 2));
        }
    }
    ck_assert_int_gt(shuf_seen, 100);
    aip_resample_filter_uninit(&f);
}
END_TEST

/* A source plane for the row generator: a picture with detail. */
#define SW 333
#define SH 211
static int16_t plane[SH][SW + PAD];
static int fetches;

static void fetch(void *opaque, int16_t *const *dst, int row, int x0, int x1)
{
    (void)opaque;
    ck_assert_int_ge(row, 0);
    ck_assert_int_lt(row, SH);
    ck_assert_int_ge(x0, 0);
    ck_assert_int_le(x1, SW);
    memcpy(dst[0] + x0, plane[row] + x0, (x1 - x0) * sizeof(int16_t));
    fetches++;
}

START_TEST(test_rows_any_order_and_split)
{
    AIPResampleDSP d;
    AIPResampleFilter fx = { 0 }, fy = { 0 };
    AIPResampler r1 = { 0 }, r2 = { 0 };
    static int16_t ref[400][320 + PAD], row[320 + PAD];
    const int ow = 320, oh = 400;

    for (int y = 0; y < SH; y++)
        for (int x = 0; x < SW; x++)
            plane[y][x] = (int16_t)(8000 + 6000 * sin(x * 0.3) * cos(y * 0.17) + (rnd() % 200));
    for (int cpu = 0; cpu < 2; cpu++) {
        aip_resample_dsp_init(&d, cpu && have_avx2() ? AIP_CPU_AVX2 : 0);
        ck_assert_int_eq(aip_resample_filter_init(&fx, ow, 10.3, 0.77, SW), 0);
        ck_assert_int_eq(aip_resample_filter_init(&fy, oh, -1.2, 0.51, SH), 0);
        ck_assert_int_eq(aip_resampler_init(&r1, &d, &fx, &fy, 1, fetch, NULL), 0);
        fetches = 0;
        for (int y = 0; y < oh; y++) {
            int16_t *dst[1] = { ref[y] };
            aip_resampler_row(&r1, dst, y);
        }
        /* In order, each source row is filtered once. */
        ck_assert_int_le(fetches, fy.pos[oh - 1] + fy.taps - fy.pos[0]);

        /* Split into slices with their own generators, and in random order:
         * the same rows. */
        for (int iter = 0; iter < 200; iter++) {
            const int y = rnd() % oh;
            int16_t *dst[1] = { row };
            aip_resampler_row(&r1, dst, y);
            ck_assert(!memcmp(row, ref[y], ow * sizeof(int16_t)));
        }
        ck_assert_int_eq(aip_resampler_init(&r2, &d, &fx, &fy, 1, fetch, NULL), 0);
        for (int y = 173; y < oh; y++) {
            int16_t *dst[1] = { row };
            aip_resampler_row(&r2, dst, y);
            ck_assert(!memcmp(row, ref[y], ow * sizeof(int16_t)));
        }
    }
    aip_resampler_uninit(&r1);
    aip_resampler_uninit(&r2);
    aip_resample_filter_uninit(&fx);
    aip_resample_filter_uninit(&fy);
}
END_TEST

START_TEST(test_box_blur)
{
    static int16_t buf[60][80], tmp[80];
    long before = 0, after = 0;

    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 80; x++)
            buf[y][x] = 5000;
    aip_box_blur(&buf[0][0], 80, 80, 60, 5, 3, tmp);
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 80; x++)
            ck_assert_int_eq(buf[y][x], 5000);

    /* A point spreads symmetrically and keeps (about) its mass away from
     * the edges. */
    memset(buf, 0, sizeof(buf));
    buf[30][40] = 16000;
    before = 16000;
    aip_box_blur(&buf[0][0], 80, 80, 60, 3, 3, tmp);
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 80; x++)
            after += buf[y][x];
    ck_assert_int_eq(buf[30][37], buf[30][43]);
    ck_assert_int_eq(buf[27][40], buf[33][40]);
    ck_assert_int_lt(buf[30][40], 16000 / 10);
    ck_assert_msg(labs(after - before) < before / 10, "mass %ld of %ld", after, before);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resample");
    TCase *tc = tcase_create("kernels");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_kernel_known_points);
    tcase_add_test(tc, test_filter_weights_and_windows);
    tcase_add_test(tc, test_copy_constant_and_ramp);
    tcase_add_test(tc, test_subpixel_shift);
    tcase_add_test(tc, test_shrink_low_passes);
    tcase_add_test(tc, test_simd_bitexact);
    tcase_add_test(tc, test_rows_any_order_and_split);
    tcase_add_test(tc, test_box_blur);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
