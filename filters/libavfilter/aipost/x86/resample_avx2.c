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

static AVX2 inline __m256i pair_order(__m256i h)
{
    /* hadd of two 4-output madds leaves lanes (0, 1, 4, 5 | 2, 3, 6, 7). */
    return _mm256_permutevar8x32_epi32(h, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

/* Outputs [i, i + 8) of a 4-tap filter whose groups of 4 read within 8
 * samples: one broadcast load and one byte shuffle per group. */
static AVX2 inline void h8_shuf(int16_t *dst, const int16_t *src, const AIPResampleFilter *f, int i)
{
    const int32_t *p = f->pos + i;
    const int16_t *c = f->coef + (size_t)i * 4;
    const uint8_t *sh = f->shuf + (size_t)i * 8;
    const __m256i w0 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(src + p[0])));
    const __m256i w1 = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(src + p[4])));
    const __m256i s0 = _mm256_shuffle_epi8(w0, _mm256_loadu_si256((const __m256i *)sh));
    const __m256i s1 = _mm256_shuffle_epi8(w1, _mm256_loadu_si256((const __m256i *)(sh + 32)));
    const __m256i h = _mm256_hadd_epi32(_mm256_madd_epi16(s0, _mm256_loadu_si256((const __m256i *)c)),
                                        _mm256_madd_epi16(s1, _mm256_loadu_si256((const __m256i *)(c + 16))));
    const __m256i acc = _mm256_add_epi32(_mm256_set1_epi32(1 << (AIP_RESAMPLE_COEF_BITS - 1)), pair_order(h));
    store_8x16(dst + i, _mm256_srai_epi32(acc, AIP_RESAMPLE_COEF_BITS));
}

/* Outputs [i, i + 8) of any filter with taps a multiple of 4. */
static AVX2 inline void h8_any(int16_t *dst, const int16_t *src, const AIPResampleFilter *f, int i)
{
    const int taps = f->taps;
    const int16_t *c = f->coef + (size_t)i * taps;
    __m256i acc = _mm256_set1_epi32(1 << (AIP_RESAMPLE_COEF_BITS - 1));
    for (int k = 0; k < taps; k += 4)
        acc = _mm256_add_epi32(acc, h8_taps4(src, f->pos + i, c, taps, k));
    store_8x16(dst + i, _mm256_srai_epi32(acc, AIP_RESAMPLE_COEF_BITS));
}

static void h_range_c(int16_t *dst, const int16_t *src, const AIPResampleFilter *f, int i0, int i1)
{
    for (int i = i0; i < i1; i++) {
        const int16_t *s = src + f->pos[i];
        const int16_t *c = f->coef + (size_t)i * f->taps;
        int32_t acc = 1 << (AIP_RESAMPLE_COEF_BITS - 1);
        for (int k = 0; k < f->taps; k++)
            acc += s[k] * c[k];
        dst[i] = (int16_t)(acc >> AIP_RESAMPLE_COEF_BITS < -32768 ? -32768 :
                           acc >> AIP_RESAMPLE_COEF_BITS > 32767 ? 32767 : acc >> AIP_RESAMPLE_COEF_BITS);
    }
}

AVX2 AIP_DECL_RESAMPLE_H_FN(aip_resample_h_avx2)
{
    const int w = f->dst_len;

    if (w < 8 || (f->taps & 3)) {
        h_range_c(dst, src, f, 0, w);
        return;
    }
    /* The last block ends at w, overlapping the one before: outputs
     * depend on their inputs only, so computing a few twice is harmless. */
    if (f->has_shuf) {
        /* Groups start at multiples of 4: the last block is [w - 8, w)
         * only when w is one, else its tail is C. */
        int i = 0;
        for (; i + 8 <= w; i += 8)
            h8_shuf(dst, src, f, i);
        if (i < w) {
            if (!(w & 3))
                h8_shuf(dst, src, f, w - 8);
            else
                h_range_c(dst, src, f, i, w);
        }
    } else {
        for (int i = 0;; i += 8) {
            if (i + 8 > w)
                i = w - 8;
            h8_any(dst, src, f, i);
            if (i + 8 >= w)
                break;
        }
    }
}

/* Weight pairs (coef[k], coef[k + 1]) as 32-bit broadcasts, made once per row. */
static AVX2 inline int coef_pairs(__m256i *c, const int16_t *coef, int taps)
{
    int n = 0;
    for (int k = 0; k < taps; k += 2) {
        const int16_t cb = k + 1 < taps ? coef[k + 1] : 0;
        c[n++] = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)coef[k] | ((uint32_t)(uint16_t)cb << 16)));
    }
    return n;
}

/* Vertical sums of 16 samples at x, >> 14, saturated to int16. */
static AVX2 inline __m256i v16(const int16_t *const *rows, const __m256i *c, int taps, int x)
{
    const __m256i round = _mm256_set1_epi32(1 << (AIP_RESAMPLE_COEF_BITS - 1));
    __m256i lo = round, hi = round;
    for (int k = 0; k < taps; k += 2) {
        const __m256i a = _mm256_loadu_si256((const __m256i *)(rows[k] + x));
        const __m256i b = k + 1 < taps ? _mm256_loadu_si256((const __m256i *)(rows[k + 1] + x))
                                       : _mm256_setzero_si256();
        lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), c[k >> 1]));
        hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), c[k >> 1]));
    }
    /* unpack and pack are both per 128-bit lane: the order is kept. */
    return _mm256_packs_epi32(_mm256_srai_epi32(lo, AIP_RESAMPLE_COEF_BITS),
                              _mm256_srai_epi32(hi, AIP_RESAMPLE_COEF_BITS));
}

/* The same for 4 taps, unrolled. */
static AVX2 inline __m256i v16_4(const int16_t *const *rows, const __m256i *c, int x)
{
    const __m256i round = _mm256_set1_epi32(1 << (AIP_RESAMPLE_COEF_BITS - 1));
    const __m256i a = _mm256_loadu_si256((const __m256i *)(rows[0] + x));
    const __m256i b = _mm256_loadu_si256((const __m256i *)(rows[1] + x));
    const __m256i d = _mm256_loadu_si256((const __m256i *)(rows[2] + x));
    const __m256i e = _mm256_loadu_si256((const __m256i *)(rows[3] + x));
    const __m256i lo = _mm256_add_epi32(_mm256_add_epi32(round, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), c[0])),
                                        _mm256_madd_epi16(_mm256_unpacklo_epi16(d, e), c[1]));
    const __m256i hi = _mm256_add_epi32(_mm256_add_epi32(round, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), c[0])),
                                        _mm256_madd_epi16(_mm256_unpackhi_epi16(d, e), c[1]));
    return _mm256_packs_epi32(_mm256_srai_epi32(lo, AIP_RESAMPLE_COEF_BITS),
                              _mm256_srai_epi32(hi, AIP_RESAMPLE_COEF_BITS));
}

#define V16(rows, c, taps, x) ((taps) == 4 ? v16_4(rows, c, x) : v16(rows, c, taps, x))

/* (v + round) >> shift, clipped: a saturating add gives the C result after
 * the clip, as no lo/hi of 16-bit output comes near 32767 >> 1. */
static AVX2 inline __m256i round_clip(__m256i v, __m256i round, __m128i shift, __m256i lo, __m256i hi)
{
    v = _mm256_sra_epi16(_mm256_adds_epi16(v, round), shift);
    return _mm256_min_epi16(_mm256_max_epi16(v, lo), hi);
}

static AVX2 inline __m256i pack_round(const int16_t *src, __m256i round, __m128i shift,
                                      __m256i lo, __m256i hi)
{
    return round_clip(_mm256_loadu_si256((const __m256i *)src), round, shift, lo, hi);
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
    if (x < w && x >= 32)
        aip_resample_pack8_avx2(dst + w - 32, src + w - 32, shift, lo, hi, 32);
    else if (x < w)
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
    if (x < w && x >= 16)
        aip_resample_pack16_avx2(dst + w - 16, src + w - 16, shift, lo, hi, 16);
    else if (x < w)
        aip_resample_pack16_c(dst + x, src + x, shift, lo, hi, w - x);
}

AVX2 AIP_DECL_RESAMPLE_V_FN(aip_resample_v_avx2)
{
    __m256i c[AIP_RESAMPLE_MAX_TAPS / 2];

    if (w < 16) {
        aip_resample_v_c(dst, rows, coef, taps, w);
        return;
    }
    coef_pairs(c, coef, taps);
    /* The last block ends at w, overlapping the one before: outputs
     * depend on their inputs only. */
    for (int x = 0;; x += 16) {
        if (x + 16 > w)
            x = w - 16;
        _mm256_storeu_si256((__m256i *)(dst + x), V16(rows, c, taps, x));
        if (x + 16 >= w)
            break;
    }
}

AVX2 AIP_DECL_RESAMPLE_VPACK_FN(aip_resample_vpack8_avx2, uint8_t)
{
    const __m256i round = _mm256_set1_epi16((int16_t)(1 << (shift - 1)));
    const __m128i sh = _mm_cvtsi32_si128(shift);
    const __m256i vlo = _mm256_set1_epi16((int16_t)lo), vhi = _mm256_set1_epi16((int16_t)hi);
    __m256i c[AIP_RESAMPLE_MAX_TAPS / 2];
    int x = 0;

    coef_pairs(c, coef, taps);
    if (w >= 32) {
        for (;; x += 32) {
            if (x + 32 > w)
                x = w - 32;     /* the last block overlaps the one before */
            {
                const __m256i a = round_clip(V16(rows, c, taps, x), round, sh, vlo, vhi);
                const __m256i b = round_clip(V16(rows, c, taps, x + 16), round, sh, vlo, vhi);
                _mm256_storeu_si256((__m256i *)(dst + x),
                                    _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8));
            }
            if (x + 32 >= w)
                return;
        }
    }
    aip_resample_vpack8_c(dst, rows, coef, taps, shift, lo, hi, w);
}

AVX2 AIP_DECL_RESAMPLE_VPACK_FN(aip_resample_vpack16_avx2, uint16_t)
{
    const __m256i round = _mm256_set1_epi16((int16_t)(1 << (shift - 1)));
    const __m128i sh = _mm_cvtsi32_si128(shift);
    const __m256i vlo = _mm256_set1_epi16((int16_t)lo), vhi = _mm256_set1_epi16((int16_t)hi);
    __m256i c[AIP_RESAMPLE_MAX_TAPS / 2];
    int x = 0;

    coef_pairs(c, coef, taps);
    if (w >= 16) {
        for (;; x += 16) {
            if (x + 16 > w)
                x = w - 16;
            _mm256_storeu_si256((__m256i *)(dst + x), round_clip(V16(rows, c, taps, x), round, sh, vlo, vhi));
            if (x + 16 >= w)
                return;
        }
    }
    aip_resample_vpack16_c(dst, rows, coef, taps, shift, lo, hi, w);
}

#endif /* AIP_HAVE_X86_SIMD */
