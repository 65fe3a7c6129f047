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

/* delta and clip for 8 samples whose scaling is in s. */
static AVX2 inline __m256i blend8x32(__m256i src, __m256i s, const int16_t *grain,
                                     __m256i round, __m128i shift, __m256i lo, __m256i hi)
{
    const __m256i g = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)grain));
    __m256i d = _mm256_sra_epi32(_mm256_add_epi32(_mm256_mullo_epi32(s, g), round), shift);
    d = _mm256_add_epi32(src, d);
    return _mm256_min_epi32(_mm256_max_epi32(d, lo), hi);
}

/* Scaling of 8 samples, looked up one by one: on the Xeon we measure on
 * (gather data-sampling mitigation in effect) this kernel was 2.4x slower
 * with vpgatherdd than with eight scalar loads. */
#define DEFINE_LOOKUP8(name, pixel)                                                   \
static AVX2 inline __m256i name(const int32_t *scaling, const pixel *d, int step, int sh) \
{                                                                                    \
    return _mm256_setr_epi32(scaling[d[0 * step] >> sh], scaling[d[1 * step] >> sh], \
                             scaling[d[2 * step] >> sh], scaling[d[3 * step] >> sh], \
                             scaling[d[4 * step] >> sh], scaling[d[5 * step] >> sh], \
                             scaling[d[6 * step] >> sh], scaling[d[7 * step] >> sh]); \
}
DEFINE_LOOKUP8(lookup8_8, uint8_t)
DEFINE_LOOKUP8(lookup8_16, uint16_t)

/* One row; always inlined so that each (step, shift) the filters use gets
 * its own loop with constant addressing. */
#define DEFINE_BLEND_ROW(name, pixel, load8, lookup8, store8)                         \
static AVX2 inline __attribute__((always_inline))                                   \
int name(pixel *dst, const pixel *src, const int16_t *grain,                         \
         const int32_t *scaling, const pixel *scale_src, int step, int sh,           \
         int round_shift, int lo, int hi, int w)                                     \
{                                                                                    \
    const __m256i round = _mm256_set1_epi32(1 << (round_shift - 1));                \
    const __m128i shift = _mm_cvtsi32_si128(round_shift);                            \
    const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi);          \
    int x = 0;                                                                       \
    for (; x + 8 <= w; x += 8) {                                                     \
        const __m256i sc = lookup8(scaling, scale_src + x * step, step, sh);         \
        const __m256i d = blend8x32(load8(src + x), sc, grain + x, round, shift, vlo, vhi); \
        store8(dst + x, d);                                                          \
    }                                                                                \
    return x;                                                                        \
}

static AVX2 inline __m256i load8_8(const uint8_t *p)
{
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p));
}

static AVX2 inline __m256i load8_16(const uint16_t *p)
{
    return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
}

/* 8 dwords already clipped to the sample range, packed back. */
static AVX2 inline void store8_8(uint8_t *p, __m256i d)
{
    const __m128i w16 = _mm_packus_epi32(_mm256_castsi256_si128(d), _mm256_extracti128_si256(d, 1));
    _mm_storel_epi64((__m128i *)p, _mm_packus_epi16(w16, w16));
}

static AVX2 inline void store8_16(uint16_t *p, __m256i d)
{
    _mm_storeu_si128((__m128i *)p, _mm_packus_epi32(_mm256_castsi256_si128(d), _mm256_extracti128_si256(d, 1)));
}

DEFINE_BLEND_ROW(blend_row_8, uint8_t, load8_8, lookup8_8, store8_8)
DEFINE_BLEND_ROW(blend_row_16, uint16_t, load8_16, lookup8_16, store8_16)

#define DEFINE_BLEND_FN(name, row, ref, pixel)                                       \
AVX2 AIP_DECL_GRAIN_BLEND_FN(name, pixel)                                            \
{                                                                                    \
    int x;                                                                           \
    if (scale_step == 1 && scale_shift == 0)                                         \
        x = row(dst, src, grain, scaling, scale_src, 1, 0, round_shift, lo, hi, w);  \
    else if (scale_step == 2 && scale_shift == 0)                                    \
        x = row(dst, src, grain, scaling, scale_src, 2, 0, round_shift, lo, hi, w);  \
    else                                                                             \
        x = row(dst, src, grain, scaling, scale_src, scale_step, scale_shift,        \
                round_shift, lo, hi, w);                                             \
    if (x < w)                                                                       \
        ref(dst + x, src + x, grain + x, scaling, scale_src + x * scale_step,        \
            scale_step, scale_shift, round_shift, lo, hi, w - x);                    \
}

DEFINE_BLEND_FN(aip_grain_blend_8_avx2,  blend_row_8,  aip_grain_blend_8_c,  uint8_t)
DEFINE_BLEND_FN(aip_grain_blend_16_avx2, blend_row_16, aip_grain_blend_16_c, uint16_t)

#endif /* AIP_HAVE_X86_SIMD */
