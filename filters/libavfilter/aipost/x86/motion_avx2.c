/*
 * Block SAD, AVX2: psadbw on 32, 16 or 8 samples at a time. Exact integer
 * sums, so bit-exact with the C reference by construction (tests/unit
 * checks it anyway, on every width and odd strides).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "../motion.h"

#if AIP_HAVE_X86_SIMD

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* A 128-bit value in the low half, zero above. */
static AVX2 inline __m256i widen(__m128i v)
{
    return _mm256_inserti128_si256(_mm256_setzero_si256(), v, 0);
}

/* Four rows of 8 samples. */
static AVX2 inline __m256i rows4x8(const uint8_t *p, ptrdiff_t stride)
{
    const __m128i r01 = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)p),
                                           _mm_loadl_epi64((const __m128i *)(p + stride)));
    const __m128i r23 = _mm_unpacklo_epi64(_mm_loadl_epi64((const __m128i *)(p + 2 * stride)),
                                           _mm_loadl_epi64((const __m128i *)(p + 3 * stride)));
    return _mm256_inserti128_si256(_mm256_castsi128_si256(r01), r23, 1);
}

AVX2 AIP_DECL_MOTION_SAD_FN(aip_motion_sad_avx2)
{
    __m256i acc = _mm256_setzero_si256();
    uint32_t tail = 0;
    int x0 = 0;

    if (w >= 32) {
        const int n32 = w & ~31;
        for (int y = 0; y < h; y++) {
            const uint8_t *ra = a + (ptrdiff_t)y * a_stride, *rb = b + (ptrdiff_t)y * b_stride;
            for (int x = 0; x < n32; x += 32)
                acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_loadu_si256((const __m256i *)(ra + x)),
                                                            _mm256_loadu_si256((const __m256i *)(rb + x))));
        }
        x0 = n32;
    }
    if (w - x0 >= 16) {
        /* two rows in one register */
        int y = 0;
        for (; y + 2 <= h; y += 2) {
            const uint8_t *ra = a + (ptrdiff_t)y * a_stride + x0, *rb = b + (ptrdiff_t)y * b_stride + x0;
            const __m256i va = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)ra)),
                                                       _mm_loadu_si128((const __m128i *)(ra + a_stride)), 1);
            const __m256i vb = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)rb)),
                                                       _mm_loadu_si128((const __m128i *)(rb + b_stride)), 1);
            acc = _mm256_add_epi64(acc, _mm256_sad_epu8(va, vb));
        }
        for (; y < h; y++) {
            const uint8_t *ra = a + (ptrdiff_t)y * a_stride + x0, *rb = b + (ptrdiff_t)y * b_stride + x0;
            acc = _mm256_add_epi64(acc, widen(
                      _mm_sad_epu8(_mm_loadu_si128((const __m128i *)ra), _mm_loadu_si128((const __m128i *)rb))));
        }
        x0 += 16;
    }
    if (w - x0 >= 8) {
        /* four rows of 8 in one register */
        int y = 0;
        for (; y + 4 <= h; y += 4) {
            const uint8_t *ra = a + (ptrdiff_t)y * a_stride + x0, *rb = b + (ptrdiff_t)y * b_stride + x0;
            const __m256i va = rows4x8(ra, a_stride), vb = rows4x8(rb, b_stride);
            acc = _mm256_add_epi64(acc, _mm256_sad_epu8(va, vb));
        }
        for (; y < h; y++) {
            const uint8_t *ra = a + (ptrdiff_t)y * a_stride + x0, *rb = b + (ptrdiff_t)y * b_stride + x0;
            acc = _mm256_add_epi64(acc, widen(
                      _mm_sad_epu8(_mm_loadl_epi64((const __m128i *)ra), _mm_loadl_epi64((const __m128i *)rb))));
        }
        x0 += 8;
    }
    if (x0 < w)
        tail = aip_motion_sad_c(a + x0, a_stride, b + x0, b_stride, w - x0, h);
    {
        const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        return (uint32_t)(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1)) + tail;
    }
}

#endif /* AIP_HAVE_X86_SIMD */
