/*
 * Analysis planes and pyramids (C).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pyramid.h"

static inline int min_int(int a, int b) { return a < b ? a : b; }

void aip_reduce_to8(uint8_t *dst, ptrdiff_t dst_stride,
                    const void *src, ptrdiff_t src_stride, int w, int h, int depth,
                    int log2_x, int log2_y, int dst_y0, int dst_y1)
{
    const int bw = 1 << log2_x, bh = 1 << log2_y;
    const int dw = AIP_REDUCED(w, log2_x);
    const int shift = log2_x + log2_y + depth - 8;
    const uint32_t round = shift > 0 ? 1u << (shift - 1) : 0;

    if (!log2_x && !log2_y) {
        /* full size: a copy, or a rounding shift (clipped: 65535 rounds up) */
        for (int y = dst_y0; y < dst_y1; y++) {
            uint8_t *out = dst + (ptrdiff_t)y * dst_stride;
            const uint8_t *row = (const uint8_t *)src + (ptrdiff_t)y * src_stride;
            if (depth == 8) {
                memcpy(out, row, w);
            } else {
                const uint16_t *r16 = (const uint16_t *)row;
                for (int x = 0; x < w; x++) {
                    const uint32_t v = (r16[x] + round) >> shift;
                    out[x] = (uint8_t)(v > 255 ? 255 : v);
                }
            }
        }
        return;
    }

    for (int y = dst_y0; y < dst_y1; y++) {
        uint8_t *out = dst + (ptrdiff_t)y * dst_stride;
        int x = 0;
        if (((y + 1) << log2_y) <= h) {
            /* blocks wholly inside: no edge clamping */
            const int inner = w >> log2_x;
            const uint8_t *row0 = (const uint8_t *)src + (ptrdiff_t)(y << log2_y) * src_stride;
            if (depth == 8 && log2_x == 1 && log2_y == 1) {
                const uint8_t *row1 = row0 + src_stride;
                for (; x < inner; x++)
                    out[x] = (uint8_t)((row0[2 * x] + row0[2 * x + 1] + row1[2 * x] + row1[2 * x + 1] + 2) >> 2);
            } else {
                for (; x < inner; x++) {
                    uint32_t sum = 0;
                    for (int j = 0; j < bh; j++) {
                        const uint8_t *row = row0 + (ptrdiff_t)j * src_stride;
                        if (depth > 8)
                            for (int i = 0; i < bw; i++)
                                sum += ((const uint16_t *)row)[(x << log2_x) + i];
                        else
                            for (int i = 0; i < bw; i++)
                                sum += row[(x << log2_x) + i];
                    }
                    sum = (sum + round) >> shift;
                    out[x] = (uint8_t)(sum > 255 ? 255 : sum);
                }
            }
        }
        for (; x < dw; x++) {
            uint32_t sum = 0;
            for (int j = 0; j < bh; j++) {
                const int sy = min_int((y << log2_y) + j, h - 1);
                const uint8_t *row = (const uint8_t *)src + (ptrdiff_t)sy * src_stride;
                for (int i = 0; i < bw; i++) {
                    const int sx = min_int((x << log2_x) + i, w - 1);
                    sum += depth > 8 ? ((const uint16_t *)row)[sx] : row[sx];
                }
            }
            sum = (sum + round) >> shift;
            out[x] = (uint8_t)(sum > 255 ? 255 : sum);
        }
    }
}

void aip_halve8(uint8_t *dst, ptrdiff_t dst_stride,
                const uint8_t *src, ptrdiff_t src_stride, int w, int h)
{
    aip_halve8_rows(dst, dst_stride, src, src_stride, w, h, 0, AIP_REDUCED(h, 1));
}

void aip_halve8_rows(uint8_t *dst, ptrdiff_t dst_stride,
                     const uint8_t *src, ptrdiff_t src_stride, int w, int h, int r0, int r1)
{
    const int dw = AIP_REDUCED(w, 1);

    for (int y = r0; y < r1; y++) {
        const uint8_t *r0 = src + (ptrdiff_t)(2 * y) * src_stride;
        const uint8_t *r1 = src + (ptrdiff_t)min_int(2 * y + 1, h - 1) * src_stride;
        uint8_t *out = dst + (ptrdiff_t)y * dst_stride;
        int x = 0;
        for (; 2 * x + 1 < w; x++)
            out[x] = (uint8_t)((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) >> 2);
        if (x < dw)
            out[x] = (uint8_t)((2 * r0[2 * x] + 2 * r1[2 * x] + 2) >> 2);
    }
}

int aip_pyramid_init(AIPPyramid *p, int w, int h, int levels)
{
    memset(p, 0, sizeof(*p));
    if (w < 1 || h < 1 || levels < 1 || levels > AIP_PYRAMID_MAX_LEVELS)
        return -EINVAL;
    p->levels = levels;
    for (int l = 0; l < levels; l++) {
        p->w[l] = AIP_REDUCED(w, l);
        p->h[l] = AIP_REDUCED(h, l);
        /* 32 bytes of slack: SIMD may load a row's last block in one go */
        p->stride[l] = (p->w[l] + 32 + 31) & ~(ptrdiff_t)31;
        p->data[l] = calloc((size_t)p->stride[l] * p->h[l] + 32, 1);
        if (!p->data[l]) {
            aip_pyramid_uninit(p);
            return -ENOMEM;
        }
    }
    return 0;
}

void aip_pyramid_uninit(AIPPyramid *p)
{
    for (int l = 0; l < AIP_PYRAMID_MAX_LEVELS; l++) {
        free(p->data[l]);
        p->data[l] = NULL;
    }
    p->levels = 0;
}

void aip_pyramid_build(AIPPyramid *p)
{
    aip_pyramid_build_from(p, 1);
}

void aip_pyramid_build_from(AIPPyramid *p, int first)
{
    for (int l = first; l < p->levels; l++)
        aip_halve8(p->data[l], p->stride[l], p->data[l - 1], p->stride[l - 1],
                   p->w[l - 1], p->h[l - 1]);
}
