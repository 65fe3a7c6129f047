/*
 * Saturation trim of chroma pairs, AVX2, 8-bit input: u^2 + v^2 with one
 * vpmaddwd of the interleaved pair, the gain looked up sample by sample,
 * the product rounded half away from zero as in tonecurve.c. Bit-exact with
 * the C reference (tests/unit checks it).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "../tonecurve.h"

#if AIP_HAVE_X86_SIMD

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* Gains of 8 samples whose r^2 are in lanes (int32), looked up one by one
 * (scalar loads beat vpgatherdd where the gather mitigation is on). */
static AVX2 inline __m256i lookup_gain(const uint16_t *gain, __m256i r2)
{
    const __m256i idx = _mm256_min_epi32(_mm256_srli_epi32(r2, AIP_SAT_R2_SHIFT),
                                         _mm256_set1_epi32(AIP_SAT_LUT_SIZE - 1));
    int32_t i[8];
    _mm256_storeu_si256((__m256i *)i, idx);
    return _mm256_setr_epi32(gain[i[0]], gain[i[1]], gain[i[2]], gain[i[3]],
                             gain[i[4]], gain[i[5]], gain[i[6]], gain[i[7]]);
}

/* 8192 + sign(c g) ((|c g| + 2^13) >> 14), c sign-extended from int16. */
static AVX2 inline __m256i apply(__m256i c32, __m256i g)
{
    const __m256i p = _mm256_mullo_epi32(c32, g);
    const __m256i m = _mm256_srli_epi32(_mm256_add_epi32(_mm256_abs_epi32(p),
                                        _mm256_set1_epi32(1 << (AIP_SAT_GAIN_BITS - 1))), AIP_SAT_GAIN_BITS);
    return _mm256_add_epi32(_mm256_sign_epi32(m, p), _mm256_set1_epi32(1 << 13));
}

AVX2 AIP_DECL_SAT_CHROMA_ROW_FN(aip_sat_chroma_row_avx2)
{
    const __m256i zero14 = _mm256_set1_epi16(1 << 13);
    int i = 0;

    if (depth == 8) {
        const uint8_t *su = src_u, *sv = src_v;
        for (; i + 16 <= n; i += 16) {
            const __m256i u = _mm256_sub_epi16(_mm256_slli_epi16(_mm256_cvtepu8_epi16(
                                  _mm_loadu_si128((const __m128i *)(su + i))), 6), zero14);
            const __m256i v = _mm256_sub_epi16(_mm256_slli_epi16(_mm256_cvtepu8_epi16(
                                  _mm_loadu_si128((const __m128i *)(sv + i))), 6), zero14);
            /* Lanes of the low halves hold samples 0-3 | 8-11, high 4-7 | 12-15. */
            const __m256i uv_lo = _mm256_unpacklo_epi16(u, v), uv_hi = _mm256_unpackhi_epi16(u, v);
            const __m256i g_lo = lookup_gain(gain, _mm256_madd_epi16(uv_lo, uv_lo));
            const __m256i g_hi = lookup_gain(gain, _mm256_madd_epi16(uv_hi, uv_hi));
            const __m256i u_lo = _mm256_srai_epi32(_mm256_unpacklo_epi16(u, u), 16);
            const __m256i u_hi = _mm256_srai_epi32(_mm256_unpackhi_epi16(u, u), 16);
            const __m256i v_lo = _mm256_srai_epi32(_mm256_unpacklo_epi16(v, v), 16);
            const __m256i v_hi = _mm256_srai_epi32(_mm256_unpackhi_epi16(v, v), 16);
            _mm256_storeu_si256((__m256i *)(dst_u + i), _mm256_packs_epi32(apply(u_lo, g_lo), apply(u_hi, g_hi)));
            _mm256_storeu_si256((__m256i *)(dst_v + i), _mm256_packs_epi32(apply(v_lo, g_lo), apply(v_hi, g_hi)));
        }
        if (i < n)
            aip_sat_chroma_row_c(dst_u + i, dst_v + i, su + i, sv + i, depth, gain, n - i);
        return;
    }
    aip_sat_chroma_row_c(dst_u, dst_v, src_u, src_v, depth, gain, n);
}

#endif /* AIP_HAVE_X86_SIMD */
