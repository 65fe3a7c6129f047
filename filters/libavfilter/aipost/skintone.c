/*
 * Skin-tone likelihood. See skintone.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "skintone.h"

const AIPSkinModel aip_skin_default = {
    .cb0 = 102, .cr0 = 153,
    .cb_axis = 25, .cr_axis = 20,
    .dark_lo = 32, .dark_hi = 64,
};

void aip_skin_tables(AIPSkinTables *t, const AIPSkinModel *m)
{
    for (int v = 0; v < 256; v++) {
        const int dcb = v - m->cb0, dcr = v - m->cr0;
        const int gcb = dcb * dcb * 256 / (m->cb_axis * m->cb_axis);
        const int gcr = dcr * dcr * 256 / (m->cr_axis * m->cr_axis);
        t->dcb[v] = (uint16_t)(gcb < 0xffff ? gcb : 0xffff);
        t->dcr[v] = (uint16_t)(gcr < 0xffff ? gcr : 0xffff);
        t->gate[v] = (uint16_t)(v >= m->dark_hi ? 256 : v <= m->dark_lo ? 0
                                : 256 * (v - m->dark_lo) / (m->dark_hi - m->dark_lo));
    }
}

/* A sample to 8-bit limited range: top 8 bits, full range squeezed into
 * 16..235 (luma) or 16..240 (chroma), rounded. */
static inline int to8(int v, int depth, int full, int chroma)
{
    const int v8 = depth > 8 ? (v + (1 << (depth - 9))) >> (depth - 8) : v;
    const int c = v8 > 255 ? 255 : v8;
    if (!full)
        return c;
    return chroma ? 16 + (c * 224 + 127) / 255 : 16 + (c * 219 + 127) / 255;
}

void aip_skin_row(uint16_t *dst, const AIPSkinTables *t, const void *y, int y_step,
                  const void *cb, const void *cr, int depth, int full_range, int n)
{
    for (int i = 0; i < n; i++) {
        int ys, us, vs;
        if (depth == 8) {
            ys = ((const uint8_t *)y)[i * y_step];
            us = ((const uint8_t *)cb)[i];
            vs = ((const uint8_t *)cr)[i];
        } else {
            ys = ((const uint16_t *)y)[i * y_step];
            us = ((const uint16_t *)cb)[i];
            vs = ((const uint16_t *)cr)[i];
        }
        dst[i] = (uint16_t)aip_skin_likelihood8(t, to8(ys, depth, full_range, 0),
                                                to8(us, depth, full_range, 1),
                                                to8(vs, depth, full_range, 1));
    }
}
