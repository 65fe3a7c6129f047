/*
 * Resampling passes, AVX2. Bit-exact with resample.c (tests/unit checks it):
 * the same integer products and sums, in 32-bit lanes, the same rounding,
 * saturation where the C reference clips to int16.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "../resample.h"

#if AIP_HAVE_X86_SIMD

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* Four consecutive int16 of two outputs' windows in one 128-bit register. */
static AVX2 inline __m128i load_2x4(const int16_t *a, const int16_t *b)
{
    return _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)a),
                              _mm_loadl_epi64((const __m128i *)b));
}

/* Taps k..k+3 of outputs i..i+7 (coef rows of `taps`), as 8 int32 sums in
 * output order. */
static AVX2 inline __m256i h8_taps4(const int16_t *src, const int32_t *pos,
                                    const int16_t *coef, int taps, int k)
{
    const __m256i s0 = _mm256_setr_m128i(load_2x4(src + pos[0] + k, src + pos[1] + k),
                                         load_2x4(src + pos[2] + k, src + pos[3] + k));
    const __m256i s1 = _mm256_setr_m128i(load_2x4(src + pos[4] + k, src + pos[5] + k),
                                         load_2x4(src + pos[6] + k, src + pos[7] + k));
    const __m256i c0 = _mm256_setr_m128i(load_2x4(coef + 0 * taps + k, coef + 1 * taps + k),
                                         load_2x4(coef + 2 * taps + k, coef + 3 * taps + k));
    const __m256i c1 = _mm256_setr_m128i(load_2x4(coef + 4 * taps + k, coef + 5 * taps + k),
                                         load_2x4(coef + 6 * taps + k, coef + 7 * taps + k));
    /* Pair sums, then the two pairs of each output: lanes hold outputs
     * (0, 1, 4, 5 | 2, 3, 6, 7). */
    const __m256i h = _mm256_hadd_epi32(_mm256_madd_epi16(s0, c0), _mm256_madd_epi16(s1, c1));
    return _mm256_permutevar8x32_epi32(h, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

static AVX2 inline void store_8x16(int16_t *dst, __m256i v)
{
    _mm_storeu_si128((__m128i *)dst, _mm_packs_epi32(_mm256_castsi256_si128(v),
                                                     _mm256_extracti128_si256(v, 1)));
}

AVX2 AIP_DECL_RESAMPLE_H_FN(aip_resample_h_avx2)
{
    const __m256i round = _mm256_set1_epi32(1 << (AIP_RESAMPLE_COEF_BITS - 1));
    int i = 0;

    if (!(taps & 3)) {
        for (; i + 8 <= w; i += 8) {
            const int16_t *c = coef + (size_t)i * taps;
            __m256i acc = round;
            for (int k = 0; k < taps; k += 4)
                acc = _mm256_add_epi32(acc, h8_taps4(src, pos + i, c, taps, k));
            store_8x16(dst + i, _mm256_srai_epi32(acc, AIP_RESAMPLE_COEF_BITS));
        }
    }
    if (i < w)
        aip_resample_h_c(dst + i, src, pos + i, coef + (size_t)i * taps, taps, w - i);
}

AVX2 AIP_DECL_RESAMPLE_V_FN(aip_resample_v_avx2)
{
    const __m256i round = _mm256_set1_epi32(1 << (AIP_RESAMPLE_COEF_BITS - 1));
    int x = 0;

    for (; x + 16 <= w; x += 16) {
        __m256i lo = round, hi = round;
        for (int k = 0; k < taps; k += 2) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(rows[k] + x));
            const __m256i b = k + 1 < taps ? _mm256_loadu_si256((const __m256i *)(rows[k + 1] + x))
                                           : _mm256_setzero_si256();
            const int16_t cb = k + 1 < taps ? coef[k + 1] : 0;
            const __m256i c = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)coef[k] |
                                                          ((uint32_t)(uint16_t)cb << 16)));
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), c));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), c));
        }
        lo = _mm256_srai_epi32(lo, AIP_RESAMPLE_COEF_BITS);
        hi = _mm256_srai_epi32(hi, AIP_RESAMPLE_COEF_BITS);
        /* unpack and pack are both per 128-bit lane: the order is kept. */
        _mm256_storeu_si256((__m256i *)(dst + x), _mm256_packs_epi32(lo, hi));
    }
    if (x < w) {
        const int16_t *tail[AIP_RESAMPLE_MAX_TAPS];
        for (int k = 0; k < taps; k++)
            tail[k] = rows[k] + x;
        aip_resample_v_c(dst + x, tail, coef, taps, w - x);
    }
}

/* (v + round) >> shift, clipped: a saturating add gives the C result after
 * the clip, as no lo/hi of 16-bit output comes near 32767 >> 1. */
static AVX2 inline __m256i pack_round(const int16_t *src, __m256i round, __m128i shift,
                                      __m256i lo, __m256i hi)
{
    const __m256i v = _mm256_sra_epi16(_mm256_adds_epi16(_mm256_loadu_si256((const __m256i *)src), round), shift);
    return _mm256_min_epi16(_mm256_max_epi16(v, lo), hi);
}

AVX2 AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack8_avx2, uint8_t)
{
    const __m256i round = _mm256_set1_epi16((int16_t)(1 << (shift - 1)));
    const __m128i sh = _mm_cvtsi32_si128(shift);
    const __m256i vlo = _mm256_set1_epi16((int16_t)lo), vhi = _mm256_set1_epi16((int16_t)hi);
    int x = 0;

    for (; x + 32 <= w; x += 32) {
        const __m256i a = pack_round(src + x, round, sh, vlo, vhi);
        const __m256i b = pack_round(src + x + 16, round, sh, vlo, vhi);
        _mm256_storeu_si256((__m256i *)(dst + x),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8));
    }
    if (x < w)
        aip_resample_pack8_c(dst + x, src + x, shift, lo, hi, w - x);
}

AVX2 AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack16_avx2, uint16_t)
{
    const __m256i round = _mm256_set1_epi16((int16_t)(1 << (shift - 1)));
    const __m128i sh = _mm_cvtsi32_si128(shift);
    const __m256i vlo = _mm256_set1_epi16((int16_t)lo), vhi = _mm256_set1_epi16((int16_t)hi);
    int x = 0;

    for (; x + 16 <= w; x += 16)
        _mm256_storeu_si256((__m256i *)(dst + x), pack_round(src + x, round, sh, vlo, vhi));
    if (x < w)
        aip_resample_pack16_c(dst + x, src + x, shift, lo, hi, w - x);
}

#endif /* AIP_HAVE_X86_SIMD */
