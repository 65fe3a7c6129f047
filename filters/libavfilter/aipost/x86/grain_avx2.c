/*
 * Grain blend, AVX2. Bit-exact with grain_tmpl.c (tests/unit checks it).
 * Two kernels: 32-bit lanes that look the table up, for every table, and
 * for 8-bit tables with knots in int16 (grain.h) 16-bit lanes that compute
 * the table from its knots: the same integers, four times the samples per
 * instruction, no loads from the table.
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

/*
 * 8-bit tables from their knots, 32 drivers v at once, in bytes:
 *   v' = clip(v + (o >> 1), 0, 255)    a saturating add or subtract
 *   j  = v' >> 4, f = 2 (v' & 15) + (o & 1)
 *   (overlay: 0 where v <= black or v >= white)
 *   table = knot[j] + ((diff[j] * f + 16) >> 5)
 * The byte shuffles look up the low and high bytes of knot[j] and diff[j],
 * which interleave into words. f << 10 (its byte holding f << 2, the word's
 * high byte) gives mulhrs(diff, f << 10) = (diff * f * 2^10 + 2^14) >> 15,
 * the interpolation's rounding exactly.
 *
 * Words come out in the order the in-lane unpacks make: low half
 * samples 0-7 and 16-23, high half 8-15 and 24-31; the pack at the end
 * restores the natural order.
 */
typedef struct Knots16 {
    __m256i knot_lo, knot_hi, diff_lo, diff_hi;
    __m256i add, sub, odd, nibble, f_bits;
    __m256i black, white, zero_outside;
} Knots16;

static AVX2 inline void table32(const Knots16 *k, __m256i v, __m256i *t0, __m256i *t1)
{
    const __m256i vp = _mm256_subs_epu8(_mm256_adds_epu8(v, k->add), k->sub);
    /* at and beyond black and white (overlay): index bytes with the top
     * bit set, which the shuffles turn into 0 */
    const __m256i outside = _mm256_and_si256(_mm256_or_si256(
        _mm256_cmpeq_epi8(_mm256_subs_epu8(v, k->black), _mm256_setzero_si256()),
        _mm256_cmpeq_epi8(_mm256_subs_epu8(k->white, v), _mm256_setzero_si256())), k->zero_outside);
    const __m256i j  = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(vp, 4), k->nibble), outside);
    const __m256i f  = _mm256_or_si256(_mm256_and_si256(_mm256_slli_epi16(vp, 3), k->f_bits), k->odd);
    const __m256i kl = _mm256_shuffle_epi8(k->knot_lo, j), kh = _mm256_shuffle_epi8(k->knot_hi, j);
    const __m256i dl = _mm256_shuffle_epi8(k->diff_lo, j), dh = _mm256_shuffle_epi8(k->diff_hi, j);
    const __m256i zero = _mm256_setzero_si256();

    *t0 = _mm256_add_epi16(_mm256_unpacklo_epi8(kl, kh),
                           _mm256_mulhrs_epi16(_mm256_unpacklo_epi8(dl, dh), _mm256_unpacklo_epi8(zero, f)));
    *t1 = _mm256_add_epi16(_mm256_unpackhi_epi8(kl, kh),
                           _mm256_mulhrs_epi16(_mm256_unpackhi_epi8(dl, dh), _mm256_unpackhi_epi8(zero, f)));
}

/* Even bytes of 64: the drivers of 32 chroma samples at step 2. */
static AVX2 inline __m256i even32(const uint8_t *p, __m256i low_bytes)
{
    const __m256i a = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)p), low_bytes);
    const __m256i b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(p + 32)), low_bytes);
    return _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8);
}

/* The same bytes read from one byte earlier (as odd bytes): for the last
 * vector of a row, whose even bytes end one byte before the 64th. */
static AVX2 inline __m256i even32_from_before(const uint8_t *p)
{
    const __m256i a = _mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(p - 1)), 8);
    const __m256i b = _mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(p + 31)), 8);
    return _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xd8);
}

/* s + ((table * grain + 2^14) >> 15) for 32 samples, s the loaded source.
 * The sums fit int16 (|table|, |grain| <= 32767, src <= 255) or saturate
 * where the clip, the pack's to 0..255 or the explicit one, would cut them
 * anyway. */
static AVX2 inline __attribute__((always_inline))
void blend32(const Knots16 *k, uint8_t *dst, const int16_t *grain,
             __m256i s, __m256i v, int clip, __m256i lo, __m256i hi)
{
    const __m256i zero = _mm256_setzero_si256();
    const __m256i g0 = _mm256_loadu_si256((const __m256i *)grain);
    const __m256i g1 = _mm256_loadu_si256((const __m256i *)(grain + 16));
    __m256i t0, t1, d0, d1;

    table32(k, v, &t0, &t1);
    d0 = _mm256_adds_epi16(_mm256_unpacklo_epi8(s, zero),
                           _mm256_mulhrs_epi16(t0, _mm256_permute2x128_si256(g0, g1, 0x20)));
    d1 = _mm256_adds_epi16(_mm256_unpackhi_epi8(s, zero),
                           _mm256_mulhrs_epi16(t1, _mm256_permute2x128_si256(g0, g1, 0x31)));
    if (clip) {
        d0 = _mm256_min_epi16(_mm256_max_epi16(d0, lo), hi);
        d1 = _mm256_min_epi16(_mm256_max_epi16(d1, lo), hi);
    }
    _mm256_storeu_si256((__m256i *)dst, _mm256_packus_epi16(d0, d1));
}

static AVX2 inline __attribute__((always_inline))
int blend_row_8_knots(uint8_t *dst, const uint8_t *src, const int16_t *grain,
                      const AIPGrainScaling *sc, const uint8_t *scale_src, int step,
                      int clip, int lo, int hi, int w)
{
    const int half = sc->t_offset >> 1;
    const Knots16 k = {
        .knot_lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)sc->knot_lo)),
        .knot_hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)sc->knot_hi)),
        .diff_lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)sc->diff_lo)),
        .diff_hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)sc->diff_hi)),
        .add     = _mm256_set1_epi8((char)(half > 0 ? half : 0)),
        .sub     = _mm256_set1_epi8((char)(half < 0 ? -half : 0)),
        .odd     = _mm256_set1_epi8((char)((sc->t_offset & 1) << 2)),
        .nibble  = _mm256_set1_epi8(0x0f),
        .f_bits  = _mm256_set1_epi8(0x78),
        .black   = _mm256_set1_epi8((char)sc->black),
        .white   = _mm256_set1_epi8((char)sc->white),
        .zero_outside = _mm256_set1_epi8(sc->zero_outside ? -1 : 0),
    };
    const __m256i vlo = _mm256_set1_epi16((short)lo), vhi = _mm256_set1_epi16((short)hi);
    const __m256i low_bytes = _mm256_set1_epi16(0x00ff);
    /* At step 2 a vector of drivers reads one byte past the last driver it
     * uses, which past the row's last driver may be past the row. */
    const int end = step == 2 ? w - 1 : w;
    int x = 0;

    for (; x + 32 <= end; x += 32) {
        const __m256i s = _mm256_loadu_si256((const __m256i *)(src + x));
        const __m256i v = step == 2 ? even32(scale_src + 2 * x, low_bytes) :
                          scale_src == src ? s : _mm256_loadu_si256((const __m256i *)(scale_src + x));
        blend32(&k, dst + x, grain + x, s, v, clip, vlo, vhi);
    }
    if (step == 2 && x > 0 && x + 32 <= w) {
        const __m256i s = _mm256_loadu_si256((const __m256i *)(src + x));
        blend32(&k, dst + x, grain + x, s, even32_from_before(scale_src + 2 * x), clip, vlo, vhi);
        x += 32;
    }
    return x;
}

AVX2 AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_8_avx2, uint8_t)
{
    const int32_t *lut = sc->lut;
    const int sh = sc->index_shift, rs = sc->round_shift;
    int x;

    const int full = lo == 0 && hi == 255;  /* the pack's clip is the clip */

    if (sc->knots16 && scale_step == 1 && full)
        x = blend_row_8_knots(dst, src, grain, sc, scale_src, 1, 0, 0, 255, w);
    else if (sc->knots16 && scale_step == 2 && full)
        x = blend_row_8_knots(dst, src, grain, sc, scale_src, 2, 0, 0, 255, w);
    else if (sc->knots16 && (scale_step == 1 || scale_step == 2))
        x = blend_row_8_knots(dst, src, grain, sc, scale_src, scale_step, 1, lo, hi, w);
    else if (scale_step == 1 && sh == 0)
        x = blend_row_8(dst, src, grain, lut, scale_src, 1, 0, rs, lo, hi, w);
    else
        x = blend_row_8(dst, src, grain, lut, scale_src, scale_step, sh, rs, lo, hi, w);
    if (x < w)
        aip_grain_blend_8_c(dst + x, src + x, grain + x, sc, scale_src + x * scale_step,
                            scale_step, lo, hi, w - x);
}

AVX2 AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_16_avx2, uint16_t)
{
    const int32_t *lut = sc->lut;
    const int sh = sc->index_shift, rs = sc->round_shift;
    int x;

    if (scale_step == 1 && sh == 0)
        x = blend_row_16(dst, src, grain, lut, scale_src, 1, 0, rs, lo, hi, w);
    else if (scale_step == 2 && sh == 0)
        x = blend_row_16(dst, src, grain, lut, scale_src, 2, 0, rs, lo, hi, w);
    else
        x = blend_row_16(dst, src, grain, lut, scale_src, scale_step, sh, rs, lo, hi, w);
    if (x < w)
        aip_grain_blend_16_c(dst + x, src + x, grain + x, sc, scale_src + x * scale_step,
                             scale_step, lo, hi, w - x);
}

/* (a * wa + b * wb + 64) >> 7 as one madd of interleaved pairs: both
 * products and the sum fit int32, the result int16 (|w| <= 128). */
AVX2 AIP_DECL_GRAIN_MIX_FN(aip_grain_mix_rows_avx2)
{
    const __m256i weights = _mm256_set1_epi32((int)((uint32_t)(uint16_t)wb << 16 | (uint16_t)wa));
    const __m256i round = _mm256_set1_epi32(1 << (AIP_GRAIN_WEIGHT_SHIFT - 1));
    int x = 0;

    for (; x + 16 <= w; x += 16) {
        const __m256i va = _mm256_loadu_si256((const __m256i *)(a + x));
        const __m256i vb = _mm256_loadu_si256((const __m256i *)(b + x));
        const __m256i lo = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(va, vb), weights), round),
                                             AIP_GRAIN_WEIGHT_SHIFT);
        const __m256i hi = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(va, vb), weights), round),
                                             AIP_GRAIN_WEIGHT_SHIFT);
        _mm256_storeu_si256((__m256i *)(dst + x), _mm256_packs_epi32(lo, hi));
    }
    if (x < w)
        aip_grain_mix_rows_c(dst + x, a + x, b + x, wa, wb, w - x);
}

/* Whole blocks: the first 16 samples cross-faded with the previous block's
 * extension by fixed-width weights (0, 1.0 past the overlap, which leaves a
 * sample as it is), the rest copied. The in-lane unpacks pair samples
 * 0-3 / 8-11 and 4-7 / 12-15, so the weights are loaded in that order. */
AVX2 AIP_DECL_GRAIN_BLOCK_ROW_FN(aip_grain_block_row_avx2)
{
    const __m256i w0 = _mm256_loadu_si256((const __m256i *)p->fade_pairs);
    const __m256i w1 = _mm256_loadu_si256((const __m256i *)(p->fade_pairs + 16));
    const __m256i wlo = _mm256_permute2x128_si256(w0, w1, 0x20);
    const __m256i whi = _mm256_permute2x128_si256(w0, w1, 0x31);
    const __m256i round = _mm256_set1_epi32(1 << (AIP_GRAIN_WEIGHT_SHIFT - 1));
    const int full = w / AIP_GRAIN_BLOCK;
    int bx = bx0;

    if (bx == 0 && full > 0) {
        const int16_t *src = block_start(p, offsets[0], row);
        _mm256_storeu_si256((__m256i *)dst, _mm256_loadu_si256((const __m256i *)src));
        _mm256_storeu_si256((__m256i *)(dst + 16), _mm256_loadu_si256((const __m256i *)(src + 16)));
        bx = 1;
    }
    for (; bx < full; bx++) {
        const int16_t *src  = block_start(p, offsets[bx], row);
        const int16_t *prev = block_start(p, offsets[bx - 1], row) + AIP_GRAIN_BLOCK;
        const __m256i a = _mm256_loadu_si256((const __m256i *)prev);
        const __m256i b = _mm256_loadu_si256((const __m256i *)src);
        const __m256i lo = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), wlo), round),
                                             AIP_GRAIN_WEIGHT_SHIFT);
        const __m256i hi = _mm256_srai_epi32(_mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), whi), round),
                                             AIP_GRAIN_WEIGHT_SHIFT);
        int16_t *out = dst + bx * AIP_GRAIN_BLOCK;
        _mm256_storeu_si256((__m256i *)out, _mm256_packs_epi32(lo, hi));
        _mm256_storeu_si256((__m256i *)(out + 16), _mm256_loadu_si256((const __m256i *)(src + 16)));
    }
    if (bx * AIP_GRAIN_BLOCK < w)
        aip_grain_block_row_c(p, dst, offsets, row, bx, w);
}

#endif /* AIP_HAVE_X86_SIMD */
