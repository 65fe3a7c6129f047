/*
 * 3D LUT row, AVX2: 8 pixels per step in 32-bit lanes, bit-exact with the
 * C reference in lut3d.c (tests/unit checks it). The 64-bit products of
 * the input and output scaling are made by vpmuludq on even and odd lanes.
 * Each node's three uint16 components are fetched with two dword gathers,
 * at the node (components 0 and 1) and one element on (components 1 and
 * 2), so a node costs two gathers and no padding of the grid; the second
 * read ends on the node's last component, so it stays inside the grid.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "../lut3d.h"

#if AIP_HAVE_X86_SIMD

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* (a * m) >> shift per 32-bit lane, the product in 64 bits; the result
 * must fit 32 bits. */
static AVX2 inline __m256i mul_shift(__m256i a, __m256i m, __m128i shift)
{
    const __m256i even = _mm256_srl_epi64(_mm256_mul_epu32(a, m), shift);
    const __m256i odd  = _mm256_srl_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), m), shift);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
}

/* (s * m + 2^46) >> 47 per lane: the output rounding of lut3d.h. */
static AVX2 inline __m256i out_round(__m256i s, __m256i m)
{
    const __m256i round = _mm256_set1_epi64x(INT64_C(1) << 46);
    const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(s, m), round), 47);
    const __m256i odd  = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(s, 32), m),
                                                            round), 47);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
}

/* Order two (fraction, stride) pairs so that fx >= fy. Fractions are at
 * most 65536, so the signed compare is right. */
static AVX2 inline void sort2(__m256i *fx, __m256i *sx, __m256i *fy, __m256i *sy)
{
    const __m256i swap = _mm256_cmpgt_epi32(*fy, *fx);
    const __m256i f = *fx, s = *sx;
    *fx = _mm256_blendv_epi8(f, *fy, swap);
    *fy = _mm256_blendv_epi8(*fy, f, swap);
    *sx = _mm256_blendv_epi8(s, *sy, swap);
    *sy = _mm256_blendv_epi8(*sy, s, swap);
}

static AVX2 inline __m256i load8_8(const void *p, int x)
{
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)((const uint8_t *)p + x)));
}

static AVX2 inline __m256i load8_16(const void *p, int x)
{
    return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)((const uint16_t *)p + x)));
}

/* 8 dwords <= 65535 to 8 words (lane order restored by the permute). */
static AVX2 inline __m128i pack8_16(__m256i d)
{
    return _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi32(d, d), 0x08));
}

static AVX2 inline void store8_16(void *p, int x, __m256i d)
{
    _mm_storeu_si128((__m128i *)((uint16_t *)p + x), pack8_16(d));
}

static AVX2 inline void store8_8(void *p, int x, __m256i d)
{
    const __m128i w = pack8_16(d);
    _mm_storel_epi64((__m128i *)((uint8_t *)p + x), _mm_packus_epi16(w, w));
}

/* The whole row but its last w % 8 pixels; returns how many were done. */
#define DEFINE_ROW(name, load8, store8)                                                 \
static AVX2 int name(const AIPLut3D *lut, void *const dst[3], const void *const src[3],  \
                     int w, int in_depth, int out_depth)                                 \
{                                                                                       \
    const int n = lut->size;                                                            \
    const int *grid = (const int *)lut->grid;                                           \
    const __m256i vmax = _mm256_set1_epi32((1 << in_depth) - 1);                        \
    const __m256i in_mul = _mm256_set1_epi32((int)lut->in_mul[in_depth]);               \
    const __m128i in_shift = _mm_cvtsi32_si128(lut->in_shift[in_depth]);               \
    const __m256i pos_max = _mm256_set1_epi32((n - 1) << 16);                           \
    const __m256i cell_max = _mm256_set1_epi32(n - 2);                                  \
    const __m256i stride0 = _mm256_set1_epi32(3 * n * n), stride1 = _mm256_set1_epi32(3 * n); \
    const __m256i stride2 = _mm256_set1_epi32(3);                                       \
    const __m256i stride_all = _mm256_set1_epi32(3 * n * n + 3 * n + 3);                \
    const __m256i one = _mm256_set1_epi32(1), unit = _mm256_set1_epi32(65536);          \
    const __m256i lo16 = _mm256_set1_epi32(0xffff);                                     \
    const __m256i out_mul = _mm256_set1_epi32((int)aip_lut3d_out_mul(out_depth));       \
    int x = 0;                                                                          \
                                                                                        \
    for (; x + 8 <= w; x += 8) {                                                        \
        __m256i f[3], s[3] = { stride0, stride1, stride2 };                              \
        __m256i base = _mm256_setzero_si256();                                          \
        __m256i o[4], w4[4];                                                            \
        __m256i out[3] = { _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256() }; \
                                                                                        \
        for (int k = 0; k < 3; k++) {                                                   \
            const __m256i v = _mm256_min_epu32(load8(src[k], x), vmax);                 \
            const __m256i pos = _mm256_min_epu32(mul_shift(v, in_mul, in_shift), pos_max); \
            const __m256i i = _mm256_min_epu32(_mm256_srli_epi32(pos, 16), cell_max);   \
            f[k] = _mm256_sub_epi32(pos, _mm256_slli_epi32(i, 16));                     \
            base = _mm256_add_epi32(base, _mm256_mullo_epi32(i, s[k]));                 \
        }                                                                               \
        sort2(&f[0], &s[0], &f[1], &s[1]);                                              \
        sort2(&f[1], &s[1], &f[2], &s[2]);                                              \
        sort2(&f[0], &s[0], &f[1], &s[1]);                                              \
                                                                                        \
        o[0] = base;                                                                    \
        o[1] = _mm256_add_epi32(o[0], s[0]);                                            \
        o[2] = _mm256_add_epi32(o[1], s[1]);                                            \
        o[3] = _mm256_add_epi32(base, stride_all);                                      \
        w4[0] = _mm256_sub_epi32(unit, f[0]);                                           \
        w4[1] = _mm256_sub_epi32(f[0], f[1]);                                           \
        w4[2] = _mm256_sub_epi32(f[1], f[2]);                                           \
        w4[3] = f[2];                                                                   \
                                                                                        \
        for (int j = 0; j < 4; j++) {                                                   \
            const __m256i c01 = _mm256_i32gather_epi32(grid, o[j], 2);                  \
            const __m256i c12 = _mm256_i32gather_epi32(grid, _mm256_add_epi32(o[j], one), 2); \
            out[0] = _mm256_add_epi32(out[0], _mm256_mullo_epi32(w4[j], _mm256_and_si256(c01, lo16))); \
            out[1] = _mm256_add_epi32(out[1], _mm256_mullo_epi32(w4[j], _mm256_srli_epi32(c01, 16))); \
            out[2] = _mm256_add_epi32(out[2], _mm256_mullo_epi32(w4[j], _mm256_srli_epi32(c12, 16))); \
        }                                                                               \
        for (int k = 0; k < 3; k++)                                                     \
            store8(dst[k], x, out_round(out[k], out_mul));                              \
    }                                                                                   \
    return x;                                                                           \
}

DEFINE_ROW(row_8_8,   load8_8,  store8_8)
DEFINE_ROW(row_8_16,  load8_8,  store8_16)
DEFINE_ROW(row_16_8,  load8_16, store8_8)
DEFINE_ROW(row_16_16, load8_16, store8_16)

AVX2 AIP_DECL_LUT3D_ROW_FN(aip_lut3d_apply_row_avx2)
{
    const int in8 = in_depth == 8, out8 = out_depth == 8;
    const int done = in8 ? (out8 ? row_8_8 : row_8_16)(lut, dst, src, w, in_depth, out_depth)
                         : (out8 ? row_16_8 : row_16_16)(lut, dst, src, w, in_depth, out_depth);

    if (done < w) {
        const int in_size = in8 ? 1 : 2, out_size = out8 ? 1 : 2;
        const void *const src_tail[3] = { (const char *)src[0] + done * in_size,
                                          (const char *)src[1] + done * in_size,
                                          (const char *)src[2] + done * in_size };
        void *const dst_tail[3] = { (char *)dst[0] + done * out_size, (char *)dst[1] + done * out_size,
                                    (char *)dst[2] + done * out_size };
        aip_lut3d_apply_row_c(lut, dst_tail, src_tail, w - done, in_depth, out_depth);
    }
}

#endif /* AIP_HAVE_X86_SIMD */
