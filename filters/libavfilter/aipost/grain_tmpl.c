/*
 * Grain blend, C reference, compiled once per sample size: BITDEPTH 8 for
 * 8-bit formats, 16 for every deeper one (9..16 bits in uint16_t).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#if BITDEPTH == 8
#define pixel uint8_t
#define blend_c aip_grain_blend_8_c
#else
#define pixel uint16_t
#define blend_c aip_grain_blend_16_c
#endif

AIP_DECL_GRAIN_BLEND_FN(blend_c, pixel)
{
    const int32_t *lut = sc->lut;
    const int index_shift = sc->index_shift, round_shift = sc->round_shift;
    const int32_t round = 1 << (round_shift - 1);

    for (int x = 0; x < w; x++) {
        const int v = scale_src[x * scale_step] >> index_shift;
        const int delta = (lut[v] * grain[x] + round) >> round_shift;
        dst[x] = clip_int(src[x] + delta, lo, hi);
    }
}

#undef pixel
#undef blend_c
