/*
 * Saliency row sums, AVX2: sums of bytes and of absolute byte differences
 * with vpsadbw, 32 samples at a time. The sums are integers: identical to
 * saliency.c's C reference (tests/unit checks it).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "../saliency.h"

#if AIP_HAVE_X86_SIMD

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

static AVX2 inline uint64_t hsum64(__m256i v)
{
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return (uint64_t)_mm_cvtsi128_si64(s) + (uint64_t)_mm_extract_epi64(s, 1);
}

static inline int absdiff(int a, int b)
{
    return a > b ? a - b : b - a;
}

AVX2 AIP_DECL_SALIENCY_ROW_FN(aip_saliency_row_8_avx2, uint8_t)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i sum = zero, grad = zero, motion = zero;
    uint64_t tsum = 0, tgrad = 0, tmotion = 0;
    int x = x0;

    for (; x + 32 <= x1; x += 32) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(row + x));
        sum = _mm256_add_epi64(sum, _mm256_sad_epu8(v, zero));
        if (x + 34 <= w) {
            grad = _mm256_add_epi64(grad, _mm256_sad_epu8(v, _mm256_loadu_si256((const __m256i *)(row + x + 2))));
        } else {
            for (int i = x; i < x + 32 && i + 2 < w; i++)
                tgrad += absdiff(row[i + 2], row[i]);
        }
        if (below)
            grad = _mm256_add_epi64(grad, _mm256_sad_epu8(v, _mm256_loadu_si256((const __m256i *)(below + x))));
        if (prev)
            motion = _mm256_add_epi64(motion, _mm256_sad_epu8(v, _mm256_loadu_si256((const __m256i *)(prev + x))));
    }
    for (; x < x1; x++) {
        tsum += row[x];
        if (x + 2 < w)
            tgrad += absdiff(row[x + 2], row[x]);
        if (below)
            tgrad += absdiff(below[x], row[x]);
        if (prev)
            tmotion += absdiff(prev[x], row[x]);
    }
    sums[0] += hsum64(sum) + tsum;
    sums[1] += hsum64(grad) + tgrad;
    sums[2] += hsum64(motion) + tmotion;
}

#endif /* AIP_HAVE_X86_SIMD */
