/*
 * Unit tests of the grain kernels (filters/libavfilter/aipost/grain.*),
 * without FFmpeg: statistics of the template, purity of the row generator,
 * the blend tables, and the SIMD blend against the C reference, bit-exact.
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/counter_rng.h"
#include "aipost/grain.h"

#define T AIP_GRAIN_TEMPLATE_SIZE

/* fnv1a of the template of seed 0, plane 0, size 1.5 (see below). */
#define AIP_TEST_TEMPLATE_HASH UINT64_C(0x3cc12ec9cd7c046e)

static void template_stats(const AIPGrainPlane *p, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    for (int i = 0; i < T * T; i++) {
        s  += p->template[i];
        s2 += (double)p->template[i] * p->template[i];
    }
    *mean = s / (T * T);
    *sd   = sqrt(s2 / (T * T) - *mean * *mean);
}

/* Normalised autocorrelation of the template at horizontal lag d. */
static double template_autocorr(const AIPGrainPlane *p, int d)
{
    double num = 0, den = 0;
    for (int y = 0; y < T; y++)
        for (int x = 0; x + d < T; x++) {
            num += (double)p->template[y * T + x] * p->template[y * T + x + d];
            den += (double)p->template[y * T + x] * p->template[y * T + x];
        }
    return num / den;
}

/* Full width at half maximum of the autocorrelation, linear between lags. */
static double autocorr_fwhm(const AIPGrainPlane *p)
{
    double prev = 1.0;
    for (int d = 1; d < 40; d++) {
        const double r = template_autocorr(p, d);
        if (r < 0.5)
            return 2.0 * (d - 1 + (prev - 0.5) / (prev - r));
        prev = r;
    }
    return 80;
}

/* Row y of the frame keyed `key`, with the offsets the filter would make. */
static void keyed_row(const AIPGrainPlane *p, int16_t *dst, int16_t *tmp,
                      uint64_t key, int y, int w)
{
    static uint32_t offsets[64 * 64];
    const int bw = AIP_GRAIN_BLOCKS(w), bh = AIP_GRAIN_BLOCKS(y + 1);
    ck_assert_int_le(bw * bh, 64 * 64);
    AIPGrainDSP dsp;
    aip_grain_dsp_init(&dsp, 0);
    aip_grain_offsets(p, offsets, key, bw, bh);
    aip_grain_row(&dsp, p, offsets, bw, dst, tmp, y, w);
}

START_TEST(test_template_unit_sigma_zero_mean)
{
    static const double sizes[] = { 0.25, 0.5, 1.5, 4.0, 12.0 };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
        AIPGrainPlane p;
        double mean, sd;
        ck_assert_int_eq(aip_grain_plane_init(&p, 7, 0, sizes[i], sizes[i]), 0);
        template_stats(&p, &mean, &sd);
        ck_assert_msg(fabs(mean) < 1.0, "size %g: mean %g", sizes[i], mean);
        ck_assert_msg(fabs(sd - AIP_GRAIN_UNIT) < 0.01 * AIP_GRAIN_UNIT,
                      "size %g: sd %g, want %d", sizes[i], sd, AIP_GRAIN_UNIT);
        aip_grain_plane_uninit(&p);
    }
}
END_TEST

START_TEST(test_template_width_follows_size)
{
    /* The grain size is the autocorrelation's full width at half maximum;
     * white noise's is about 1 pixel whatever is asked below that. */
    static const double sizes[] = { 2.0, 3.0, 4.0, 6.0, 10.0 };
    double last = 0;
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
        AIPGrainPlane p;
        double fwhm;
        ck_assert_int_eq(aip_grain_plane_init(&p, 1, 0, sizes[i], sizes[i]), 0);
        fwhm = autocorr_fwhm(&p);
        ck_assert_msg(fabs(fwhm - sizes[i]) < 0.15 * sizes[i], "size %g: measured width %g", sizes[i], fwhm);
        ck_assert(fwhm > last);
        last = fwhm;
        aip_grain_plane_uninit(&p);
    }
}
END_TEST

START_TEST(test_template_rejects_bad_size)
{
    AIPGrainPlane p;
    ck_assert_int_lt(aip_grain_plane_init(&p, 1, 0, 0.0, 1.0), 0);
    ck_assert_int_lt(aip_grain_plane_init(&p, 1, 0, 1.0, AIP_GRAIN_MAX_SIZE + 1), 0);
    ck_assert_int_lt(aip_grain_plane_init(&p, 1, 0, NAN, 1.0), 0);
}
END_TEST

START_TEST(test_template_is_pinned)
{
    /* The grain of a seed is part of the output format: farms join segments
     * made on different machines and releases. A change here is a change of
     * every aigrain output, and needs a deliberate update of these values. */
    AIPGrainPlane p;
    uint64_t h;
    ck_assert_int_eq(aip_grain_plane_init(&p, 0, 0, 1.5, 1.5), 0);
    h = fnv1a(p.template, sizeof(*p.template) * T * T, FNV1A_INIT);
    aip_grain_plane_uninit(&p);
    ck_assert_msg(h == AIP_TEST_TEMPLATE_HASH, "template hash %016llx", (unsigned long long)h);
}
END_TEST

START_TEST(test_seed_and_plane_change_grain)
{
    AIPGrainPlane a, b, c;
    ck_assert_int_eq(aip_grain_plane_init(&a, 1, 0, 1.5, 1.5), 0);
    ck_assert_int_eq(aip_grain_plane_init(&b, 2, 0, 1.5, 1.5), 0);
    ck_assert_int_eq(aip_grain_plane_init(&c, 1, 1, 1.5, 1.5), 0);
    ck_assert(memcmp(a.template, b.template, sizeof(*a.template) * T * T));
    ck_assert(memcmp(a.template, c.template, sizeof(*a.template) * T * T));
    aip_grain_plane_uninit(&a);
    aip_grain_plane_uninit(&b);
    aip_grain_plane_uninit(&c);
}
END_TEST

START_TEST(test_row_is_pure_function_of_position)
{
    /* Rows made in any order, with any width, agree where they overlap:
     * what slice threading and segment processing rely on. */
    enum { W = 333, H = 80 };
    AIPGrainPlane p;
    int16_t *full = malloc(sizeof(int16_t) * W * H);
    int16_t row[W], narrow[100], tmp[W + AIP_GRAIN_BLOCK + AIP_GRAIN_MAX_OVERLAP];

    ck_assert_int_eq(aip_grain_plane_init(&p, 3, 0, 3.0, 3.0), 0);
    for (int y = 0; y < H; y++)
        keyed_row(&p, full + y * W, tmp, 42, y, W);
    for (int y = H - 1; y >= 0; y -= 3) {
        keyed_row(&p, row, tmp, 42, y, W);
        ck_assert(!memcmp(row, full + y * W, sizeof(row)));
        keyed_row(&p, narrow, tmp, 42, y, 100);
        ck_assert(!memcmp(narrow, full + y * W, sizeof(narrow)));
    }
    /* another frame key gives other grain */
    keyed_row(&p, row, tmp, 43, 5, W);
    ck_assert(memcmp(row, full + 5 * W, sizeof(row)));
    aip_grain_plane_uninit(&p);
    free(full);
}
END_TEST

START_TEST(test_block_seams_keep_sigma)
{
    /* Cross-fades are variance preserving: the grain's deviation on block
     * edges (rows and columns within the overlap) matches the interior. */
    enum { W = 640, H = 640 };
    AIPGrainPlane p;
    int16_t row[W], tmp[W + AIP_GRAIN_BLOCK + AIP_GRAIN_MAX_OVERLAP];
    double se = 0, ne = 0, si = 0, ni = 0;

    ck_assert_int_eq(aip_grain_plane_init(&p, 9, 0, 1.0, 1.0), 0);
    for (int k = 0; k < 8; k++)
        for (int y = 0; y < H; y++) {
            keyed_row(&p, row, tmp, k, y, W);
            for (int x = 0; x < W; x++) {
                const int edge = (y >= AIP_GRAIN_BLOCK && y % AIP_GRAIN_BLOCK < p.overlap) ||
                                 (x >= AIP_GRAIN_BLOCK && x % AIP_GRAIN_BLOCK < p.overlap);
                const double v = (double)row[x] * row[x];
                if (edge) { se += v; ne++; } else { si += v; ni++; }
            }
        }
    ck_assert_msg(fabs(sqrt(se / ne) / sqrt(si / ni) - 1.0) < 0.05,
                  "edge sd %g interior sd %g", sqrt(se / ne), sqrt(si / ni));
    aip_grain_plane_uninit(&p);
}
END_TEST

START_TEST(test_fade_weights_preserve_power)
{
    int a, b;
    aip_grain_fade_weights(0, &a, &b);
    ck_assert_int_eq(a, 128);
    ck_assert_int_eq(b, 0);
    aip_grain_fade_weights(1, &a, &b);
    ck_assert_int_eq(a, 0);
    ck_assert_int_eq(b, 128);
    for (int i = 0; i <= 20; i++) {
        aip_grain_fade_weights(i / 20.0, &a, &b);
        ck_assert_msg(abs(a * a + b * b - 128 * 128) < 300, "t=%g: %d %d", i / 20.0, a, b);
    }
    aip_grain_fade_weights(0.5, &a, &b);
    ck_assert_int_eq(a, 91);
    ck_assert_int_eq(b, 91);
}
END_TEST

START_TEST(test_scaling_overlay_shape_and_curve)
{
    AIPGrainScaling sc;
    const AIPGrainCurve flat = { 1, 1, 1 }, curve = { 2, 1, 0.5 };
    const double gain = 1.0 / 64;

    /* 8-bit tables take a Q15 fixed point when they fit int16 */
    aip_grain_scaling_init(&sc, 8, 0, 255, AIP_GRAIN_SHAPE_OVERLAY, &flat, gain);
    ck_assert_int_eq(sc.round_shift, 15);
    ck_assert_int_eq(sc.knots16, 1);
    ck_assert_int_eq(sc.entries, 256);
    /* overlay, full range: zero at black and white, peak at mid-grey,
     * which is a knot */
    ck_assert(sc.lut[0] == 0 && sc.lut[255] == 0);
    ck_assert_int_eq(sc.lut[127], lrint(512.0 * 254 / 255));
    ck_assert(labs(sc.lut[64] - lrint(2.0 * 64 / 255 * 512)) <= 1);
    ck_assert(sc.lut[127] > sc.lut[100] && sc.lut[128] > sc.lut[160]);

    /* limited range: nothing at or below black (16), at or above white (235) */
    aip_grain_scaling_init(&sc, 8, 16, 235, AIP_GRAIN_SHAPE_OVERLAY, &flat, gain);
    for (int v = 0; v < 256; v++)
        ck_assert_msg((sc.lut[v] == 0) == (v <= 16 || v >= 235), "v=%d: %d", v, sc.lut[v]);

    /* add: flat gain, shaped only by the curve */
    aip_grain_scaling_init(&sc, 8, 0, 255, AIP_GRAIN_SHAPE_ADD, &curve, gain);
    ck_assert(abs(sc.lut[0] - 1024) <= 3 && abs(sc.lut[255] - 256) <= 3);
    ck_assert(abs(sc.lut[128] - 512) < 5);

    /* too much gain for int16: finer than 24 bits is never needed, and
     * the table stays within the 32-bit blend's headroom */
    aip_grain_scaling_init(&sc, 8, 0, 255, AIP_GRAIN_SHAPE_ADD, &curve, 1.0);
    ck_assert_int_eq(sc.knots16, 0);
    ck_assert(sc.round_shift < 15 && sc.lut[0] <= AIP_GRAIN_SCALING_MAX);

    /* deep drivers index by their top bits, at the bucket's centre */
    aip_grain_scaling_init(&sc, 12, 0, 4095, AIP_GRAIN_SHAPE_ADD, &curve, 1.0 / 64);
    ck_assert_int_eq(sc.entries, 1024);
    ck_assert_int_eq(sc.index_shift, 2);
    ck_assert_int_eq(sc.knots16, 0);
    ck_assert_int_eq(sc.lut[0], lrint((2.0 - 1.5 / 4095 * 2) / 64 * (1 << sc.round_shift)));
}
END_TEST

/* The 8-bit knot tables stay close to the exact curve: at most 2 % of the
 * table's peak for any curve, and 0.6 % away from the corners at black and
 * white of limited range (which fall between knots). Measured here. */
START_TEST(test_scaling_knots_close_to_exact)
{
    double worst = 0, worst_inner = 0;

    for (int iter = 0; iter < 2000; iter++) {
        const AIPGrainCurve c = { (iter * 7 % 41) / 10.0, (iter * 13 % 41) / 10.0,
                                  (iter * 29 % 41) / 10.0 };
        const int limited = iter & 1, black = limited ? 16 : 0, white = limited ? 235 : 255;
        const enum AIPGrainShape shape = iter & 2 ? AIP_GRAIN_SHAPE_ADD : AIP_GRAIN_SHAPE_OVERLAY;
        const double peak = fmax(c.shadows, fmax(c.midtones, c.highlights));
        const int gentle = fabs(c.midtones - c.shadows) <= 1 && fabs(c.highlights - c.midtones) <= 1;
        AIPGrainScaling sc;

        if (peak == 0)
            continue;
        aip_grain_scaling_init(&sc, 8, black, white, shape, &c, 1.0 / 128);
        for (int v = 0; v < 256; v++) {
            double n = fmin(fmax((v - black) / (double)(white - black), 0), 1);
            const double s = shape == AIP_GRAIN_SHAPE_OVERLAY ? 2 * fmin(n, 1 - n) : 1;
            const double cv = n < 0.5 ? c.shadows + (c.midtones - c.shadows) * 2 * n
                                      : c.midtones + (c.highlights - c.midtones) * (2 * n - 1);
            const double exact = s * cv / 128 * (1 << sc.round_shift);
            const double err = fabs(sc.lut[v] - exact) / (peak / 128 * (1 << sc.round_shift));
            worst = fmax(worst, err);
            if (gentle && v >= black + 16 && v <= white - 16)
                worst_inner = fmax(worst_inner, err);
        }
    }
    fprintf(stderr, "knot tables: worst error %.2f %% of peak, %.2f %% inside gentle curves\n",
            worst * 100, worst_inner * 100);
    ck_assert(worst < 0.02);
    ck_assert(worst_inner < 0.006);
}
END_TEST

/* -------------------------------------------------- SIMD against C */

START_TEST(test_blend_simd_bitexact)
{
    enum { MAXW = 300 };
    AIPGrainDSP ref, opt;
    /* drivers: the samples themselves (step 1) or a luma row twice as
     * wide (step 2), with the padding FFmpeg frames have */
    uint8_t  s8[MAXW], luma8[2 * MAXW + 32], d8a[MAXW], d8b[MAXW];
    uint16_t s16[MAXW], luma16[2 * MAXW + 32], d16a[MAXW], d16b[MAXW];
    int16_t grain[MAXW];
    AIPGrainScaling sc;

    if (!have_avx2()) {
        fprintf(stderr, "test_blend_simd_bitexact: no AVX2 on this CPU, C only\n");
        return;
    }
    aip_grain_dsp_init(&ref, 0);
    aip_grain_dsp_init(&opt, AIP_CPU_AVX2);
    ck_assert_ptr_ne((void *)ref.blend8, (void *)opt.blend8);

    for (int iter = 0; iter < 4000; iter++) {
        const int depth = (int[]){ 8, 9, 10, 12, 14, 16 }[rnd() % 6];
        const int step = 1 + rnd() % 2;
        const int w = 1 + rnd() % MAXW;
        const int max = (1 << depth) - 1;
        const int lo = rnd() % 2 ? 0 : 16 << (depth - 8);
        const int hi = rnd() % 2 ? max : 235 << (depth - 8);
        const AIPGrainCurve curve = { rnd() % 41 / 10.0, rnd() % 41 / 10.0, rnd() % 41 / 10.0 };
        /* a third of the 8-bit tables too strong for int16 knots */
        const double gain = rnd() % 3 ? rnd() % 1000 / 16000.0 : 0.5 + rnd() % 1000 / 100.0;

        aip_grain_scaling_init(&sc, depth, lo, hi, rnd() % 2 ? AIP_GRAIN_SHAPE_ADD : AIP_GRAIN_SHAPE_OVERLAY,
                               &curve, gain);
        if (rnd() % 4 == 0) {
            /* any table the 32-bit kernels accept */
            sc.round_shift = 1 + rnd() % 24;
            sc.knots16 = 0;
            for (int i = 0; i < AIP_GRAIN_LUT_SIZE; i++)
                sc.lut[i] = (int32_t)(rnd() % (2 * AIP_GRAIN_SCALING_MAX + 1)) - AIP_GRAIN_SCALING_MAX;
        }
        for (int i = 0; i < MAXW; i++)
            grain[i] = (int16_t)(rnd() % 65536 - 32768);
        for (int i = 0; i < MAXW; i++) {
            s8[i] = rnd();
            s16[i] = rnd() & max;
        }
        for (int i = 0; i < 2 * MAXW + 32; i++) {
            luma8[i] = rnd();
            luma16[i] = rnd() & max;
        }

        if (depth == 8) {
            ref.blend8(d8a, s8, grain, &sc, step == 2 ? luma8 : s8, step, lo, hi, w);
            opt.blend8(d8b, s8, grain, &sc, step == 2 ? luma8 : s8, step, lo, hi, w);
            if (memcmp(d8a, d8b, w)) {
                for (int x = 0; x < w; x++)
                    if (d8a[x] != d8b[x])
                        ck_abort_msg("8-bit w=%d step=%d shift=%d knots16=%d: x=%d C %d SIMD %d",
                                     w, step, sc.round_shift, sc.knots16, x, d8a[x], d8b[x]);
            }
        } else {
            ref.blend16(d16a, s16, grain, &sc, step == 2 ? luma16 : s16, step, lo, hi, w);
            opt.blend16(d16b, s16, grain, &sc, step == 2 ? luma16 : s16, step, lo, hi, w);
            if (memcmp(d16a, d16b, w * 2)) {
                for (int x = 0; x < w; x++)
                    if (d16a[x] != d16b[x])
                        ck_abort_msg("%d-bit w=%d step=%d shift=%d: x=%d C %d SIMD %d",
                                     depth, w, step, sc.round_shift, x, d16a[x], d16b[x]);
            }
        }
    }

    /* in place (dst == src), as the filter runs */
    for (int i = 0; i < MAXW; i++)
        d8a[i] = d8b[i] = rnd();
    aip_grain_scaling_init(&sc, 8, 16, 235, AIP_GRAIN_SHAPE_OVERLAY, &(AIPGrainCurve){ 1, 1, 1 }, 1.0 / 64);
    ck_assert_int_eq(sc.knots16, 1);
    ref.blend8(d8a, d8a, grain, &sc, d8a, 1, 0, 255, MAXW);
    opt.blend8(d8b, d8b, grain, &sc, d8b, 1, 0, 255, MAXW);
    ck_assert(!memcmp(d8a, d8b, MAXW));
}
END_TEST

START_TEST(test_mix_simd_bitexact)
{
    enum { MAXW = 300 };
    AIPGrainDSP ref, opt;
    int16_t a[MAXW], b[MAXW], da[MAXW], db[MAXW];

    if (!have_avx2()) {
        fprintf(stderr, "test_mix_simd_bitexact: no AVX2 on this CPU, C only\n");
        return;
    }
    aip_grain_dsp_init(&ref, 0);
    aip_grain_dsp_init(&opt, AIP_CPU_AVX2);
    for (int iter = 0; iter < 2000; iter++) {
        const int w = 1 + rnd() % MAXW;
        const int wa = (int)(rnd() % 257) - 128, wb = (int)(rnd() % 257) - 128;
        for (int i = 0; i < MAXW; i++) {
            a[i] = (int16_t)rnd();
            b[i] = (int16_t)rnd();
        }
        ref.mix_rows(da, a, b, wa, wb, w);
        opt.mix_rows(db, a, b, wa, wb, w);
        ck_assert_msg(!memcmp(da, db, w * sizeof(*da)), "w=%d wa=%d wb=%d", w, wa, wb);
        /* in place, as the filter calls it */
        memcpy(da, a, sizeof(a));
        memcpy(db, a, sizeof(a));
        ref.mix_rows(da, b, da, wa, wb, w);
        opt.mix_rows(db, b, db, wa, wb, w);
        ck_assert(!memcmp(da, db, w * sizeof(*da)));
    }
}
END_TEST

START_TEST(test_row_simd_bitexact)
{
    enum { MAXW = 700 };
    static const double sizes[] = { 0.25, 1.5, 4.0, 12.0, 24.0 };
    static uint32_t offsets[AIP_GRAIN_BLOCKS(MAXW) * 8];
    AIPGrainDSP ref, opt;
    int16_t da[MAXW], db[MAXW], tmp[MAXW];

    if (!have_avx2()) {
        fprintf(stderr, "test_row_simd_bitexact: no AVX2 on this CPU, C only\n");
        return;
    }
    aip_grain_dsp_init(&ref, 0);
    aip_grain_dsp_init(&opt, AIP_CPU_AVX2);
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
        AIPGrainPlane p;
        ck_assert_int_eq(aip_grain_plane_init(&p, 11, 0, sizes[i], sizes[i]), 0);
        for (int iter = 0; iter < 300; iter++) {
            const int w = 1 + rnd() % MAXW, bw = AIP_GRAIN_BLOCKS(w);
            const int y = rnd() % (8 * AIP_GRAIN_BLOCK);
            aip_grain_offsets(&p, offsets, rnd(), bw, 8);
            aip_grain_row(&ref, &p, offsets, bw, da, tmp, y, w);
            aip_grain_row(&opt, &p, offsets, bw, db, tmp, y, w);
            ck_assert_msg(!memcmp(da, db, w * sizeof(*da)), "size %g w=%d y=%d", sizes[i], w, y);
        }
        aip_grain_plane_uninit(&p);
    }
}
END_TEST

START_TEST(test_blend_reference_values)
{
    /* Pinned points of the C reference: rounding half up, clipping. */
    AIPGrainScaling sc = { .lut = { 0, 1024, 2048, -1024 }, .entries = 4, .round_shift = 10 };
    const int16_t grain[4] = { 100, 3, -3, 512 };
    uint8_t src[4] = { 0, 1, 2, 3 }, dst[4];
    AIPGrainDSP c;

    aip_grain_dsp_init(&c, 0);
    /* v = src: lut[0]*100 = 0; lut[1]*3>>10 = 3.0 -> 4; lut[2]*-3 = -6 -> 0 clip lo 0;
     * lut[3]*512 = -524288 >> 10 = -512 -> 3 - 512 clipped to lo */
    c.blend8(dst, src, grain, &sc, src, 1, 0, 255, 4);
    ck_assert_int_eq(dst[0], 0);
    ck_assert_int_eq(dst[1], 4);
    ck_assert_int_eq(dst[2], 0);
    ck_assert_int_eq(dst[3], 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("grain");
    TCase *tc = tcase_create("kernels");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_template_unit_sigma_zero_mean);
    tcase_add_test(tc, test_template_width_follows_size);
    tcase_add_test(tc, test_template_rejects_bad_size);
    tcase_add_test(tc, test_template_is_pinned);
    tcase_add_test(tc, test_seed_and_plane_change_grain);
    tcase_add_test(tc, test_row_is_pure_function_of_position);
    tcase_add_test(tc, test_block_seams_keep_sigma);
    tcase_add_test(tc, test_fade_weights_preserve_power);
    tcase_add_test(tc, test_scaling_overlay_shape_and_curve);
    tcase_add_test(tc, test_scaling_knots_close_to_exact);
    tcase_add_test(tc, test_blend_simd_bitexact);
    tcase_add_test(tc, test_mix_simd_bitexact);
    tcase_add_test(tc, test_row_simd_bitexact);
    tcase_add_test(tc, test_blend_reference_values);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
