/*
 * Analysis planes: any-depth samples reduced to 8-bit planes at full or
 * power-of-two reduced resolution, and 2x2 pyramids of them. The analysis
 * side of skintexture (skin mask, motion) and socialprep (saliency) works on
 * these: 8-bit is enough to find skin and motion at every depth, and one
 * byte per sample keeps block matching in SIMD's sweet spot.
 *
 * Integer only; every output sample is a pure function of the input block
 * it covers, so rows can be made in any order by any thread.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_PYRAMID_H
#define AIPOST_PYRAMID_H

#include <stddef.h>
#include <stdint.h>

/* Size of a plane of n samples reduced by 2^log2. */
#define AIP_REDUCED(n, log2) (((n) + (1 << (log2)) - 1) >> (log2))

/**
 * Box-average reduction of a plane to 8 bits: output sample (x, y) is the
 * rounded mean of the 2^log2_x x 2^log2_y input block at
 * (x << log2_x, y << log2_y), scaled from `depth` bits to 8; blocks that
 * run past the right or bottom edge repeat the last column or row.
 * Rows dst_y0 .. dst_y1 - 1 of the output only (for slices).
 *
 * @param src      uint8_t samples at depth 8, uint16_t (native endian) at 9..16
 * @param stride   in bytes, for src and dst alike
 * @param w, h     input size; output is AIP_REDUCED(w, log2_x) x AIP_REDUCED(h, log2_y)
 * @param log2_x, log2_y  0..4
 */
void aip_reduce_to8(uint8_t *dst, ptrdiff_t dst_stride,
                    const void *src, ptrdiff_t src_stride, int w, int h, int depth,
                    int log2_x, int log2_y, int dst_y0, int dst_y1);

/* One 2x2 level down of an 8-bit plane (same rounding and edge rule);
 * _rows: output rows r0 .. r1 - 1 only. */
void aip_halve8(uint8_t *dst, ptrdiff_t dst_stride,
                const uint8_t *src, ptrdiff_t src_stride, int w, int h);
void aip_halve8_rows(uint8_t *dst, ptrdiff_t dst_stride,
                     const uint8_t *src, ptrdiff_t src_stride, int w, int h, int r0, int r1);

/*
 * A pyramid of 8-bit planes: level 0 at the size given, each next level
 * halved. Owns its memory; levels are filled by the caller (level 0, e.g.
 * with aip_reduce_to8) and aip_pyramid_build.
 */
#define AIP_PYRAMID_MAX_LEVELS 8

typedef struct AIPPyramid {
    int levels;
    int w[AIP_PYRAMID_MAX_LEVELS], h[AIP_PYRAMID_MAX_LEVELS];
    ptrdiff_t stride[AIP_PYRAMID_MAX_LEVELS];
    uint8_t *data[AIP_PYRAMID_MAX_LEVELS];
} AIPPyramid;

/* @return 0, -EINVAL (bad size or level count), -ENOMEM */
int  aip_pyramid_init(AIPPyramid *p, int w, int h, int levels);
void aip_pyramid_uninit(AIPPyramid *p);
/* Levels 1.. from level 0 (_from: levels first.. only, from the one
 * before). */
void aip_pyramid_build(AIPPyramid *p);
void aip_pyramid_build_from(AIPPyramid *p, int first);

#endif /* AIPOST_PYRAMID_H */
