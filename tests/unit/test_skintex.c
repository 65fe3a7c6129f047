/*
 * Unit tests of the skin texture kernels (filters/libavfilter/aipost/
 * skintex.*), without FFmpeg: the tile's statistics (zero mean, unit
 * deviation, no low-pass, feature size = scale, periodic, pinned), the band
 * measure, amplitudes and layer gains at known points, map identity and
 * advection, and the row kernels' AVX2 against C, bit-exact.
 */

#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/skintex.h"

/* fnv1a of the tile of seed 0, scale 2, pores 0.5 (see below). */
#define AIP_TEST_TILE_HASH UINT64_C(0x4a8ea791cbbdfe72)

static int side(const AIPSkinTexture *t) { return 1 << t->side_log2; }

static double tile_at(const AIPSkinTexture *t, int x, int y)
{
    return t->tile[(ptrdiff_t)(y & (side(t) - 1)) * t->stride + (x & (side(t) - 1))];
}

START_TEST(test_tile_statistics)
{
    static const double scales[] = { 1.5, 2.0, 3.0, 5.0 };
    for (unsigned k = 0; k < sizeof(scales) / sizeof(*scales); k++) {
        AIPSkinTexture t;
        double s = 0, s2 = 0, lo2 = 0;
        int count = 0;
        ck_assert_int_eq(aip_skintex_init(&t, 7, scales[k], 0.5), 0);
        for (int y = 0; y < side(&t); y++)
            for (int x = 0; x < side(&t); x++) {
                s  += tile_at(&t, x, y);
                s2 += tile_at(&t, x, y) * tile_at(&t, x, y);
            }
        s /= (double)side(&t) * side(&t);
        s2 = sqrt(s2 / ((double)side(&t) * side(&t)) - s * s);
        ck_assert_msg(fabs(s) < 2, "scale %g: mean %g", scales[k], s);
        ck_assert_msg(fabs(s2 - AIP_SKINTEX_UNIT) < 0.01 * AIP_SKINTEX_UNIT, "scale %g: sd %g", scales[k], s2);
        /* low-pass: the texture under a Gaussian blur of deviation 2 *
         * scale (what a viewer integrates into colour) keeps under 2 % of
         * its deviation, at 300 random places */
        {
            const double sg = 2 * scales[k] * (1 << t.texel_log2);
            const int r = (int)ceil(3 * sg);
            for (int it = 0; it < 300; it++) {
                const int cx = rnd() % side(&t), cy = rnd() % side(&t);
                double acc = 0, wsum = 0;
                for (int y = -r; y <= r; y++)
                    for (int x = -r; x <= r; x++) {
                        const double wt = exp(-(x * x + y * y) / (2 * sg * sg));
                        acc += wt * tile_at(&t, cx + x, cy + y);
                        wsum += wt;
                    }
                lo2 += (acc / wsum) * (acc / wsum);
                count++;
            }
            lo2 = sqrt(lo2 / count);
            ck_assert_msg(lo2 < 0.02 * AIP_SKINTEX_UNIT, "scale %g: low-pass rms %g", scales[k], lo2);
        }
        /* feature size: the autocorrelation is half its peak at the scale
         * (within 20 %) */
        {
            double fwhm = 0;
            for (int i = 1; i < AIP_SKINTEX_CORR_SIZE; i++)
                if (t.corr[i] < 2048) {
                    fwhm = 2 * sqrt(i / 16.0);
                    break;
                }
            ck_assert_msg(fabs(fwhm - scales[k]) < 0.2 * scales[k] + 0.15, "scale %g: width %g", scales[k], fwhm);
        }
        aip_skintex_uninit(&t);
    }
}
END_TEST

START_TEST(test_tile_periodic_and_pinned)
{
    AIPSkinTexture t, u;
    uint64_t h = FNV1A_INIT;
    ck_assert_int_eq(aip_skintex_init(&t, 0, 2.0, 0.5), 0);
    for (int y = 0; y <= side(&t); y++)
        ck_assert_int_eq(t.tile[(ptrdiff_t)y * t.stride + side(&t)], t.tile[(ptrdiff_t)(y & (side(&t) - 1)) * t.stride]);
    for (int x = 0; x <= side(&t); x++)
        ck_assert_int_eq(t.tile[(ptrdiff_t)side(&t) * t.stride + x], t.tile[x & (side(&t) - 1)]);
    for (int y = 0; y < side(&t); y++)
        h = fnv1a(t.tile + (ptrdiff_t)y * t.stride, side(&t) * sizeof(*t.tile), h);
    /* the tile is the same integers on every machine and build */
    ck_assert_msg(h == AIP_TEST_TILE_HASH, "tile hash 0x%016llx", (unsigned long long)h);
    /* the texture repeats every AIP_SKINTEX_PERIOD pixels, in any coordinates */
    for (int k = 0; k < 1000; k++) {
        const uint32_t uu = rnd(), vv = rnd();
        const uint32_t p = AIP_SKINTEX_PERIOD << AIP_SKINTEX_COORD_BITS;
        ck_assert_int_eq(aip_skintex_sample(&t, uu, vv), aip_skintex_sample(&t, uu + p, vv - 3 * p));
    }
    /* another seed, another texture; the same seed, the same */
    ck_assert_int_eq(aip_skintex_init(&u, 1, 2.0, 0.5), 0);
    ck_assert(memcmp(t.tile, u.tile, 64 * sizeof(*t.tile)));
    aip_skintex_uninit(&u);
    ck_assert_int_eq(aip_skintex_init(&u, 0, 2.0, 0.5), 0);
    ck_assert(!memcmp(t.tile, u.tile, (size_t)side(&t) * t.stride * sizeof(*t.tile)));
    aip_skintex_uninit(&u);
    aip_skintex_uninit(&t);
    ck_assert_int_eq(aip_skintex_init(&u, 0, 0.2, 0.5), -EINVAL);
    ck_assert_int_eq(aip_skintex_init(&u, 0, 9.0, 0.5), -EINVAL);
    ck_assert_int_eq(aip_skintex_init(&u, 0, 2.0, 1.5), -EINVAL);
}
END_TEST

START_TEST(test_sample_interpolates)
{
    AIPSkinTexture t;
    ck_assert_int_eq(aip_skintex_init(&t, 3, 4.0, 0.5), 0);
    ck_assert_int_eq(t.texel_log2, 0);
    /* at whole pixels, the texel; half way, the mean of the two */
    for (int k = 0; k < 200; k++) {
        const int x = rnd() % 512, y = rnd() % 512;
        const int a = (int)tile_at(&t, x, y), b = (int)tile_at(&t, x + 1, y);
        ck_assert_int_eq(aip_skintex_sample(&t, (uint32_t)x << 6, (uint32_t)y << 6), a);
        ck_assert_int_eq(aip_skintex_sample(&t, ((uint32_t)x << 6) + 32, (uint32_t)y << 6),
                         a + (((b - a) * 32 + 32) >> 6));
    }
    aip_skintex_uninit(&t);
}
END_TEST

START_TEST(test_band_measure)
{
    enum { S = 64 };
    uint8_t p[S * S];
    uint32_t *scratch = malloc(sizeof(*scratch) * AIP_SKINTEX_BAND_SCRATCH(S, S, 3));
    uint64_t whole, parts = 0;
    /* flat and linear pictures have no band energy */
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            p[y * S + x] = (uint8_t)(40 + x + 2 * y);
    ck_assert_int_eq(aip_skintex_band_energy(aip_skintex_band_sum(p, S, S, S, 8, 8, 56, 56, 1, 3, 0, scratch),
                                             48 * 48, 1, 3), 0);
    /* a +-4 checkerboard: band = 4 (box 1 of it) - ~0 (the 5 x 5 box) */
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            p[y * S + x] = (uint8_t)(128 + ((x + y) & 1 ? 4 : -4));
    {
        const uint32_t e = aip_skintex_band_energy(aip_skintex_band_sum(p, S, S, S, 8, 8, 56, 56, 0, 2, 0, scratch),
                                                   48 * 48, 0, 2);
        /* (4 - 4/25)^2 = 14.75 */
        ck_assert_msg(abs((int)e - (int)(14.7456 * 256)) <= 2, "energy %u", e);
        /* clipped at 2 code values: 4 */
        ck_assert_int_eq(aip_skintex_band_energy(aip_skintex_band_sum(p, S, S, S, 8, 8, 56, 56, 0, 2, 512, scratch),
                                                 48 * 48, 0, 2), 4 * 256);
    }
    /* sums add up over cells */
    for (int i = 0; i < S * S; i++)
        p[i] = rnd() & 0xff;
    whole = aip_skintex_band_sum(p, S, S, S, 0, 0, 32, 32, 1, 3, 0, scratch);
    for (int k = 0; k < 4; k++)
        parts += aip_skintex_band_sum(p, S, S, S, (k & 1) * 16, (k >> 1) * 16, (k & 1) * 16 + 16,
                                      (k >> 1) * 16 + 16, 1, 3, 0, scratch);
    ck_assert(whole == parts);
    /* a strip of cells: the sums of its even samples, each as a block of its own */
    {
        uint64_t sums[3], *ref = calloc(3, sizeof(*ref));
        uint32_t *strip = malloc(sizeof(*strip) * AIP_SKINTEX_BAND_STRIP_SCRATCH(3 * 16, 16, 3));
        aip_skintex_band_sums(p, S, S, S, 5, 3, 16, 7, 23, 1, 3, 700, sums, strip);
        for (int y = 7; y < 23; y++)
            for (int x = 5; x < 5 + 48; x++)
                if (!(x & 1) && !(y & 1))
                    ref[(x - 5) / 16] += aip_skintex_band_sum(p, S, S, S, x, y, x + 1, y + 1, 1, 3, 700, scratch);
        for (int c = 0; c < 3; c++)
            ck_assert_msg(sums[c] == ref[c], "cell %d: %llu, expected %llu", c,
                          (unsigned long long)sums[c], (unsigned long long)ref[c]);
        ck_assert(aip_skintex_band_count(5, 7, 21, 23) == 8 * 8);
        free(ref);
        free(strip);
    }
    free(scratch);
}
END_TEST

START_TEST(test_band_gain_matches_measure)
{
    /* the texture laid on pixels at amplitude 10 code values: its band
     * deviation, measured as the filter does, is 10 * band_gain */
    AIPSkinTexture t;
    enum { S = 256 };
    uint8_t *p = malloc(S * S);
    uint32_t *scratch;
    double sd;
    ck_assert_int_eq(aip_skintex_init(&t, 5, 2.0, 0.5), 0);
    scratch = malloc(sizeof(*scratch) * AIP_SKINTEX_BAND_SCRATCH(S, S, t.band_r2));
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            p[y * S + x] = (uint8_t)lrint(128 + 10.0 * aip_skintex_sample(&t, (uint32_t)x << 6, (uint32_t)y << 6) / AIP_SKINTEX_UNIT);
    sd = sqrt(aip_skintex_band_energy(aip_skintex_band_sum(p, S, S, S, 8, 8, S - 8, S - 8, t.band_r1, t.band_r2, 0, scratch),
                                      (S - 16) * (S - 16), t.band_r1, t.band_r2) / 256.0);
    ck_assert_msg(fabs(sd - 10.0 * t.band_gain / 4096) < 0.06 * 10.0 * t.band_gain / 4096,
                  "band sd %g, expected %g", sd, 10.0 * t.band_gain / 4096);
    free(p);
    free(scratch);
    aip_skintex_uninit(&t);
}
END_TEST

START_TEST(test_amplitude_points)
{
    AIPSkinTexture t;
    ck_assert_int_eq(aip_skintex_init(&t, 0, 2.0, 0.5), 0);
    /* no energy: the whole target, through the band gain */
    ck_assert_int_eq(aip_skintex_amplitude(&t, 0, 3 * 256),
                     (int)((768LL * 4096 + t.band_gain / 2) / t.band_gain));
    /* energy at or above the target squared: nothing */
    ck_assert_int_eq(aip_skintex_amplitude(&t, 9 * 256, 3 * 256), 0);
    ck_assert_int_eq(aip_skintex_amplitude(&t, 20 * 256, 3 * 256), 0);
    /* 9 - 5 = 4: two code values */
    ck_assert_int_eq(aip_skintex_amplitude(&t, 5 * 256, 3 * 256),
                     (int)((512LL * 4096 + t.band_gain / 2) / t.band_gain));
    aip_skintex_uninit(&t);
}
END_TEST

START_TEST(test_layer_gains)
{
    AIPSkinTexture t;
    int ka, kb;
    ck_assert_int_eq(aip_skintex_init(&t, 0, 2.0, 0.5), 0);
    /* coincident layers: the weights themselves, summing to 256 */
    for (int wb = 0; wb <= 256; wb += 32) {
        aip_skintex_layer_gains(&t, 256 - wb, wb, 0, 0, &ka, &kb);
        ck_assert_int_eq(ka, 256 - wb);
        ck_assert_int_eq(kb, wb);
    }
    /* far apart (independent copies): the mix keeps unit deviation */
    aip_skintex_layer_gains(&t, 128, 128, 40 << 6, 0, &ka, &kb);
    ck_assert_msg(abs(ka * ka + kb * kb - 65536) < 65536 / 50, "%d %d", ka, kb);
    aip_skintex_layer_gains(&t, 200, 56, -(33 << 6), 17 << 6, &ka, &kb);
    ck_assert_msg(abs(ka * ka + kb * kb - 65536) < 65536 / 50, "%d %d", ka, kb);
    aip_skintex_uninit(&t);
}
END_TEST

START_TEST(test_maps)
{
    enum { NW = 9, NH = 7, G = 4 };
    uint32_t a[NW * NH * 2], b[NW * NH * 2];
    AIPMotionVector v[NW * NH];
    aip_skintex_map_identity(a, NW, NH, G);
    ck_assert_uint_eq(a[2 * (3 * NW + 5)], 5u << (G + 6));
    ck_assert_uint_eq(a[2 * (3 * NW + 5) + 1], 3u << (G + 6));
    /* a uniform motion of (5.25, -2.5) px: every node's coordinate goes
     * back by it, inside and outside the grid alike */
    memset(v, 0, sizeof(v));
    for (int n = 0; n < NW * NH; n++) {
        v[n].x = 84;
        v[n].y = -40;
    }
    aip_skintex_map_advect(b, a, v, NW, NH, G);
    for (int j = 0; j < NH; j++)
        for (int i = 0; i < NW; i++) {
            ck_assert_int_eq((int32_t)(b[2 * (j * NW + i)] - a[2 * (j * NW + i)]), -84 * 4);
            ck_assert_int_eq((int32_t)(b[2 * (j * NW + i) + 1] - a[2 * (j * NW + i) + 1]), 40 * 4);
        }
    /* a map far along (wrapped past 2^32) advects the same */
    for (int n = 0; n < NW * NH * 2; n++)
        a[n] += 0xfff00000u;
    aip_skintex_map_advect(b, a, v, NW, NH, G);
    ck_assert_int_eq((int32_t)(b[0] - a[0]), -84 * 4);
    /* no motion: the same map */
    memset(v, 0, sizeof(v));
    aip_skintex_map_advect(b, a, v, NW, NH, G);
    ck_assert(!memcmp(a, b, sizeof(a)));
}
END_TEST

START_TEST(test_weights)
{
    uint16_t w[256];
    aip_skintex_weights(w, 128);
    ck_assert_int_eq(w[128], 0);
    ck_assert_int_eq(w[0], 0);
    ck_assert_int_eq(w[128 + 32], 128);
    ck_assert_int_eq(w[128 + AIP_SKINTEX_SOFT_WIDTH], 256);
    ck_assert_int_eq(w[255], 256);
    aip_skintex_weights(w, 250);
    ck_assert_int_eq(w[250], 0);
    ck_assert_int_eq(w[255], 256);
    ck_assert_int_gt(w[251], 0);
}
END_TEST

/* Random per-sample data of a row, as the first pass would make it. */
static void random_pixels(AIPSkinTexPixels *px, int w)
{
    for (int x = 0; x < w + 16; x++) {
        px->ua[x] = rnd();
        px->va[x] = rnd();
        px->ub[x] = rnd();
        px->vb[x] = rnd();
        px->aw_a[x] = (rnd() % 5) ? (int32_t)(rnd() % 32769) - 16384 : 0;
        px->aw_b[x] = (rnd() % 3) ? (int32_t)(rnd() % 32769) - 16384 : 0;
    }
    px->two_layers = 1;
}

START_TEST(test_rows_simd_bitexact)
{
    enum { W = 203 };
    AIPSkinTexDSP c, simd;
    AIPSkinTexture t;
    uint32_t *buf = malloc(sizeof(*buf) * 7 * (W + 16));
    AIPSkinTexPixels px = { buf, buf + (W + 16), buf + 2 * (W + 16), buf + 3 * (W + 16),
                            (int32_t *)buf + 4 * (W + 16), (int32_t *)buf + 5 * (W + 16), 1 };
    int32_t *wq = (int32_t *)buf + 6 * (W + 16);

    if (!have_avx2())
        return;
    aip_skintex_dsp_init(&c, 0);
    aip_skintex_dsp_init(&simd, AIP_CPU_AVX2);
    for (int s = 0; s < 2; s++) {
        ck_assert_int_eq(aip_skintex_init(&t, 9, s ? 4.0 : 1.5, 0.5), 0);
        for (int it = 0; it < 200; it++) {
            const int depth = (int[]){ 8, 9, 10, 12, 16 }[it % 5];
            const int x0 = rnd() % 20, x1 = x0 + rnd() % (W - x0);
            uint8_t s8[W], c8[W], v8[W];
            uint16_t s16[W], c16[W], v16[W];
            random_pixels(&px, W);
            for (int x = 0; x < W; x++) {
                s8[x] = rnd() & 0xff;
                s16[x] = rnd() & ((1 << depth) - 1);
            }
            memcpy(c8, s8, W);
            memcpy(v8, s8, W);
            memcpy(c16, s16, sizeof(s16));
            memcpy(v16, s16, sizeof(s16));
            if (depth == 8) {
                c.row8(c8, c8, x0, x1, &px, &t, 26 - depth, 255);
                simd.row8(v8, v8, x0, x1, &px, &t, 26 - depth, 255);
                ck_assert_msg(!memcmp(c8, v8, W), "8-bit row %d differs", it);
            } else {
                c.row16(c16, c16, x0, x1, &px, &t, 26 - depth, (1 << depth) - 1);
                simd.row16(v16, v16, x0, x1, &px, &t, 26 - depth, (1 << depth) - 1);
                ck_assert_msg(!memcmp(c16, v16, sizeof(c16)), "%d-bit row %d differs", depth, it);
            }
            /* samples outside [x0, x1) and those with no amplitude stay */
            for (int x = 0; x < W; x++)
                if (x < x0 || x >= x1 || (!px.aw_a[x] && !px.aw_b[x]))
                    ck_assert(depth == 8 ? c8[x] == s8[x] : c16[x] == s16[x]);
        }
        /* the first pass */
        for (int it = 0; it < 300; it++) {
            /* every fifth cell stretched beyond int32 products: the
             * arithmetic wraps the same way in both */
            const int wide = it % 5 == 0;
            const AIPSkinTexCell cell = {
                rnd(), rnd(), rnd(), rnd(),
                wide ? (int32_t)rnd() : (int32_t)(rnd() % 4096) - 2048,
                wide ? (int32_t)rnd() : (int32_t)(rnd() % 4096) - 2048,
                wide ? (int32_t)rnd() : (int32_t)(rnd() % 4096) - 2048,
                wide ? (int32_t)rnd() : (int32_t)(rnd() % 4096) - 2048,
                (int32_t)(rnd() % 16384), (int32_t)(rnd() % 8192) - 4096,
                (int32_t)(rnd() % 16384), (int32_t)(rnd() % 8192) - 4096,
            };
            const int g = 3 + it % 3, sub = it & 1, chroma = (it >> 1) & 1;
            const int xs = rnd() % 16, xe = xs + 1 + rnd() % ((1 << g) >> sub);
            const int32_t gain = chroma ? (int32_t)(rnd() % 513) - 256 : 256;
            uint32_t ref[6][W + 16];
            int32_t r1, r2;
            for (int x = 0; x < W + 16; x++)
                wq[x] = rnd() % 257;
            r1 = c.prep(&px, &cell, wq, xs, xe, sub, g, chroma, gain);
            for (int k = 0; k < 6; k++)
                memcpy(ref[k], buf + k * (W + 16), sizeof(ref[k]));
            r2 = simd.prep(&px, &cell, wq, xs, xe, sub, g, chroma, gain);
            ck_assert_int_eq(!!r1, !!r2);
            for (int k = 0; k < 6; k++)
                ck_assert_msg(!memcmp(ref[k] + xs, buf + k * (W + 16) + xs, (xe - xs) * 4),
                              "first pass, array %d, case %d differs", k, it);
        }
        aip_skintex_uninit(&t);
    }
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("skintex");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_tile_statistics);
    tcase_add_test(tc, test_tile_periodic_and_pinned);
    tcase_add_test(tc, test_sample_interpolates);
    tcase_add_test(tc, test_band_measure);
    tcase_add_test(tc, test_band_gain_matches_measure);
    tcase_add_test(tc, test_amplitude_points);
    tcase_add_test(tc, test_layer_gains);
    tcase_add_test(tc, test_maps);
    tcase_add_test(tc, test_weights);
    tcase_add_test(tc, test_rows_simd_bitexact);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
