/*
 * Grain blend, AVX2. Bit-exact with grain_tmpl.c (tests/unit checks it):
 * the same 32-bit products, the same rounding, the same clip.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "../grain.h"

#if AIP_HAVE_X86_SIMD

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

static inline int step_ok(int step)
{
    return step == 1 || step == 2;
}

/* delta and clip for 8 samples whose driver values are already in idx. */
static AVX2 inline __m256i blend8x32(__m256i src, __m256i idx, const int16_t *grain,
                                     const int32_t *scaling, __m256i round,
                                     __m128i shift, __m256i lo, __m256i hi)
{
    const __m256i g = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)grain));
    const __m256i s = _mm256_i32gather_epi32((const int *)scaling, idx, 4);
    __m256i d = _mm256_sra_epi32(_mm256_add_epi32(_mm256_mullo_epi32(s, g), round), shift);
    d = _mm256_add_epi32(src, d);
    return _mm256_min_epi32(_mm256_max_epi32(d, lo), hi);
}

/* Driver values of 8 samples: the samples themselves (step 1) or every
 * second sample of the luma row (step 2), then >> scale_shift. */
static AVX2 inline __m256i driver8(const uint8_t *p, int step)
{
    if (step == 1)
        return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
    return _mm256_cvtepu16_epi32(_mm_and_si128(_mm_loadu_si128((const __m128i *)p),
                                               _mm_set1_epi16(0xff)));
}

static AVX2 inline __m256i driver16(const uint16_t *p, int step)
{
    if (step == 1)
        return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_and_si256(_mm256_loadu_si256((const __m256i *)p), _mm256_set1_epi32(0xffff));
}

/* The vector loop reads 8 * step driver samples from x * step; for step 2
 * the last of them is one past the co-located sample of x + 7, so the loop
 * stops one vector early and the scalar tail takes the rest. */
static inline int vector_end(int w, int step)
{
    return step == 1 ? w & ~7 : ((w - 1) & ~7);
}

AVX2 AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_8_avx2, uint8_t)
{
    const __m256i round = _mm256_set1_epi32(1 << (round_shift - 1));
    const __m128i shift = _mm_cvtsi32_si128(round_shift);
    const __m128i sshift = _mm_cvtsi32_si128(scale_shift);
    const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
    const int end = step_ok(scale_step) ? vector_end(w, scale_step) : 0;
    int x = 0;

    for (; x < end; x += 8) {
        const __m256i idx = _mm256_srl_epi32(driver8(scale_src + x * scale_step, scale_step), sshift);
        const __m256i src8 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(src + x)));
        const __m256i d = blend8x32(src8, idx, grain + x, scaling, round, shift, vlo, vhi);
        /* 8 dwords in 0..255 to 8 bytes. */
        const __m128i w16 = _mm_packus_epi32(_mm256_castsi256_si128(d), _mm256_extracti128_si256(d, 1));
        _mm_storel_epi64((__m128i *)(dst + x), _mm_packus_epi16(w16, w16));
    }
    if (x < w)
        aip_grain_blend_8_c(dst + x, src + x, grain + x, scaling, scale_src + x * scale_step,
                            scale_step, scale_shift, round_shift, lo, hi, w - x);
}

AVX2 AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_16_avx2, uint16_t)
{
    const __m256i round = _mm256_set1_epi32(1 << (round_shift - 1));
    const __m128i shift = _mm_cvtsi32_si128(round_shift);
    const __m128i sshift = _mm_cvtsi32_si128(scale_shift);
    const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);
    const int end = step_ok(scale_step) ? vector_end(w, scale_step) : 0;
    int x = 0;

    for (; x < end; x += 8) {
        const __m256i idx = _mm256_srl_epi32(driver16(scale_src + x * scale_step, scale_step), sshift);
        const __m256i src16 = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + x)));
        const __m256i d = blend8x32(src16, idx, grain + x, scaling, round, shift, vlo, vhi);
        _mm_storeu_si128((__m128i *)(dst + x),
                         _mm_packus_epi32(_mm256_castsi256_si128(d), _mm256_extracti128_si256(d, 1)));
    }
    if (x < w)
        aip_grain_blend_16_c(dst + x, src + x, grain + x, scaling, scale_src + x * scale_step,
                            scale_step, scale_shift, round_shift, lo, hi, w - x);
}

#endif /* AIP_HAVE_X86_SIMD */
