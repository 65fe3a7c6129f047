/*
 * Skin texture row (the sampling and blending pass), AVX2: eight samples
 * at a time in 32-bit lanes, the same integer steps as skintex_tmpl.c, so
 * bit-exact with it (tests/unit checks it on random rows of every depth).
 * The tile is read as pairs of neighbouring texels (one 32-bit load gives
 * both sides of the horizontal interpolation); the pairs are fetched with
 * scalar loads rather than vpgatherdd, which on the Xeon we measure on
 * (gather data-sampling mitigation in effect) was slower (see the bench).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <string.h>

#include "../skintex.h"

#if AIP_HAVE_X86_SIMD

#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))

/* Texel pairs (t[i], t[i + 1]) at eight indices, and the row below. */
static AVX2 inline void fetch_pairs(const int16_t *tile, ptrdiff_t stride, __m256i idx,
                                    __m256i *r0, __m256i *r1)
{
    int32_t i[8], a[8], b[8];
    _mm256_storeu_si256((__m256i *)i, idx);
    for (int k = 0; k < 8; k++) {
        memcpy(&a[k], tile + i[k], 4);
        memcpy(&b[k], tile + i[k] + stride, 4);
    }
    *r0 = _mm256_loadu_si256((const __m256i *)a);
    *r1 = _mm256_loadu_si256((const __m256i *)b);
}

/* lo + ((hi - lo) * f + 32) >> 6 of the two int16 halves of each lane. */
static AVX2 inline __m256i lerp_pair(__m256i pair, __m256i f, __m256i half)
{
    const __m256i lo = _mm256_srai_epi32(_mm256_slli_epi32(pair, 16), 16);
    const __m256i hi = _mm256_srai_epi32(pair, 16);
    return _mm256_add_epi32(lo, _mm256_srai_epi32(_mm256_add_epi32(
               _mm256_mullo_epi32(_mm256_sub_epi32(hi, lo), f), half), AIP_SKINTEX_COORD_BITS));
}

/* aip_skintex_sample of eight coordinates. */
static AVX2 inline __m256i sample8(const AIPSkinTexture *t, __m256i u, __m256i v)
{
    const __m128i tl = _mm_cvtsi32_si128(t->texel_log2);
    const __m256i fmask = _mm256_set1_epi32((1 << AIP_SKINTEX_COORD_BITS) - 1);
    const __m256i imask = _mm256_set1_epi32((1 << t->side_log2) - 1);
    const __m256i half = _mm256_set1_epi32(1 << (AIP_SKINTEX_COORD_BITS - 1));
    const __m256i tu = _mm256_sll_epi32(u, tl), tv = _mm256_sll_epi32(v, tl);
    const __m256i fu = _mm256_and_si256(tu, fmask), fv = _mm256_and_si256(tv, fmask);
    const __m256i iu = _mm256_and_si256(_mm256_srli_epi32(tu, AIP_SKINTEX_COORD_BITS), imask);
    const __m256i iv = _mm256_and_si256(_mm256_srli_epi32(tv, AIP_SKINTEX_COORD_BITS), imask);
    const __m256i idx = _mm256_add_epi32(_mm256_mullo_epi32(iv, _mm256_set1_epi32((int)t->stride)), iu);
    __m256i r0, r1, a, b;

    fetch_pairs(t->tile, t->stride, idx, &r0, &r1);
    a = lerp_pair(r0, fu, half);
    b = lerp_pair(r1, fu, half);
    return _mm256_add_epi32(a, _mm256_srai_epi32(_mm256_add_epi32(
               _mm256_mullo_epi32(_mm256_sub_epi32(b, a), fv), half), AIP_SKINTEX_COORD_BITS));
}

/* The texture of eight samples in code values of the plane (0 where both
 * amplitudes are 0); returns 0 in *any when none of the eight is touched. */
static AVX2 inline __m256i delta8(const AIPSkinTexPixels *px, const AIPSkinTexture *t, int x,
                                  __m256i round, __m128i shift, int *any)
{
    const __m256i wa = _mm256_loadu_si256((const __m256i *)(px->aw_a + x));
    const __m256i wb = _mm256_loadu_si256((const __m256i *)(px->aw_b + x));
    const __m256i zero = _mm256_setzero_si256();
    __m256i acc;

    *any = !_mm256_testz_si256(_mm256_or_si256(wa, wb), _mm256_or_si256(wa, wb));
    if (!*any)
        return zero;
    acc = _mm256_mullo_epi32(sample8(t, _mm256_loadu_si256((const __m256i *)(px->ua + x)),
                                        _mm256_loadu_si256((const __m256i *)(px->va + x))), wa);
    if (px->two_layers && !_mm256_testz_si256(wb, wb))
        acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(
                  sample8(t, _mm256_loadu_si256((const __m256i *)(px->ub + x)),
                             _mm256_loadu_si256((const __m256i *)(px->vb + x))), wb));
    return _mm256_sra_epi32(_mm256_add_epi32(acc, round), shift);
}

/* base + ((d * fx + half) >> g) in eight lanes */
static AVX2 inline __m256i lerp_cell(int32_t base, int32_t d, __m256i fx, __m256i half, __m128i g)
{
    return _mm256_add_epi32(_mm256_set1_epi32(base),
                            _mm256_sra_epi32(_mm256_add_epi32(_mm256_mullo_epi32(_mm256_set1_epi32(d), fx), half), g));
}

static AVX2 inline __m256i chroma_coord(__m256i c, uint32_t offset)
{
    return _mm256_add_epi32(_mm256_srli_epi32(c, 1), _mm256_set1_epi32((int)offset));
}

static AVX2 inline __m256i weigh(__m256i a, __m256i wq, __m256i gain, __m256i r128)
{
    const __m256i aw = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(a, wq), r128), 8);
    return _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(aw, gain), r128), 8);
}

AVX2 AIP_DECL_SKINTEX_PREP_FN(aip_skintex_prep_avx2)
{
    const int g = grid_log2;
    const __m128i gc = _mm_cvtsi32_si128(g);
    const __m256i half = _mm256_set1_epi32(1 << (g - 1)), cmask = _mm256_set1_epi32((1 << g) - 1);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i vgain = _mm256_set1_epi32(gain), r128 = _mm256_set1_epi32(128);
    const __m128i sx = _mm_cvtsi32_si128(sub_x);
    __m256i orb = _mm256_setzero_si256();
    int32_t lanes_b[8];

    for (int x = xs; x < xe; x += 8) {
        const __m256i fx = _mm256_and_si256(_mm256_sll_epi32(_mm256_add_epi32(_mm256_set1_epi32(x), lanes), sx), cmask);
        const __m256i wq = _mm256_loadu_si256((const __m256i *)(wq_ + x));
        __m256i u0 = lerp_cell((int32_t)c->ua, c->dua, fx, half, gc);
        __m256i v0 = lerp_cell((int32_t)c->va, c->dva, fx, half, gc);
        __m256i u1 = lerp_cell((int32_t)c->ub, c->dub, fx, half, gc);
        __m256i v1 = lerp_cell((int32_t)c->vb, c->dvb, fx, half, gc);
        const __m256i wa = weigh(lerp_cell(c->a0, c->da0, fx, half, gc), wq, vgain, r128);
        const __m256i wb = weigh(lerp_cell(c->a1, c->da1, fx, half, gc), wq, vgain, r128);
        if (chroma) {
            u0 = chroma_coord(u0, AIP_SKINTEX_CHROMA_OFFSET_U);
            v0 = chroma_coord(v0, AIP_SKINTEX_CHROMA_OFFSET_V);
            u1 = chroma_coord(u1, AIP_SKINTEX_CHROMA_OFFSET_U);
            v1 = chroma_coord(v1, AIP_SKINTEX_CHROMA_OFFSET_V);
        }
        _mm256_storeu_si256((__m256i *)(px->ua + x), u0);
        _mm256_storeu_si256((__m256i *)(px->va + x), v0);
        _mm256_storeu_si256((__m256i *)(px->ub + x), u1);
        _mm256_storeu_si256((__m256i *)(px->vb + x), v1);
        _mm256_storeu_si256((__m256i *)(px->aw_a + x), wa);
        _mm256_storeu_si256((__m256i *)(px->aw_b + x), wb);
        if (x + 8 <= xe) {
            orb = _mm256_or_si256(orb, wb);
        } else {
            /* only the lanes inside the cell count */
            _mm256_storeu_si256((__m256i *)lanes_b, wb);
            for (int k = 0; k < xe - x; k++)
                orb = _mm256_or_si256(orb, _mm256_set1_epi32(lanes_b[k]));
        }
    }
    return !_mm256_testz_si256(orb, orb);
}

AVX2 AIP_DECL_SKINTEX_ROW_FN(aip_skintex_row_8_avx2, uint8_t)
{
    const __m256i round = _mm256_set1_epi32(1 << (shift - 1));
    const __m128i sh = _mm_cvtsi32_si128(shift);
    int x = x0;

    for (; x + 8 <= x1; x += 8) {
        int any;
        const __m256i d = delta8(px, t, x, round, sh, &any);
        __m256i v;
        __m128i w16;
        if (!any)
            continue;
        v = _mm256_add_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(src + x))), d);
        /* packs saturate to 0..255, which is the clip for 8-bit */
        w16 = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
        _mm_storel_epi64((__m128i *)(dst + x), _mm_packus_epi16(w16, w16));
    }
    if (x < x1)
        aip_skintex_row_8_c(dst, src, x, x1, px, t, shift, maxval);
}

AVX2 AIP_DECL_SKINTEX_ROW_FN(aip_skintex_row_16_avx2, uint16_t)
{
    const __m256i round = _mm256_set1_epi32(1 << (shift - 1));
    const __m128i sh = _mm_cvtsi32_si128(shift);
    const __m256i vmax = _mm256_set1_epi32(maxval);
    int x = x0;

    for (; x + 8 <= x1; x += 8) {
        int any;
        const __m256i d = delta8(px, t, x, round, sh, &any);
        __m256i v;
        if (!any)
            continue;
        v = _mm256_add_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(src + x))), d);
        v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_setzero_si256()), vmax);
        _mm_storeu_si128((__m128i *)(dst + x),
                         _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)));
    }
    if (x < x1)
        aip_skintex_row_16_c(dst, src, x, x1, px, t, shift, maxval);
}

#endif /* AIP_HAVE_X86_SIMD */
