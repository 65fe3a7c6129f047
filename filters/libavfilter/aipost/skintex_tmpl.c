/*
 * Skin texture row (the second pass, see skintex.h), C reference, compiled
 * once per sample size: BITDEPTH 8 for 8-bit formats, 16 for every deeper
 * one (9..16 bits in uint16_t).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#if BITDEPTH == 8
#define pixel uint8_t
#define row_c aip_skintex_row_8_c
#else
#define pixel uint16_t
#define row_c aip_skintex_row_16_c
#endif

AIP_DECL_SKINTEX_ROW_FN(row_c, pixel)
{
    const int32_t round = 1 << (shift - 1);

    for (int x = x0; x < x1; x++) {
        const int32_t wa = px->aw_a[x], wb = px->aw_b[x];
        int32_t acc;
        int v;

        if (!wa && !wb)
            continue;
        acc = aip_skintex_sample(t, px->ua[x], px->va[x]) * wa;
        if (wb)
            acc += aip_skintex_sample(t, px->ub[x], px->vb[x]) * wb;
        v = src[x] + ((acc + round) >> shift);
        dst[x] = (pixel)(v < 0 ? 0 : v > maxval ? maxval : v);
    }
}

#undef pixel
#undef row_c
