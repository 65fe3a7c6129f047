/*
 * 3D lookup table with tetrahedral interpolation, the kernel vf_rec709norm
 * applies its colour conversions with.
 *
 * The table is an N x N x N grid (N = 2..AIP_LUT3D_MAX_SIZE) over the unit
 * cube of the three input components, each node holding the three output
 * components at 16 bits (full scale 65535). Component 0 is the slowest
 * index of the grid, component 2 the fastest: node (i0, i1, i2) is at
 * grid[((i0 * N + i1) * N + i2) * 3].
 *
 * Applying it to a pixel, all in integers so that every implementation
 * gives the same bits (tests/unit/test_lut3d.c pins them):
 *
 *   position  D = 2^in_depth - 1, v = min(sample, D) per component,
 *             pos = min((v * in_mul) >> in_shift, (N - 1) << 16)
 *             where in_mul = ceil((N - 1) * 2^(16 + in_shift) / D) is the
 *             largest such multiplier below 2^32 (aip_lut3d_init computes
 *             it per depth). pos is the grid position in Q16: it equals
 *             floor(v * (N - 1) * 2^16 / D + e) with 0 <= e < 2^-8, so
 *             positions that fall on a node are exact. Flooring to Q16
 *             moves a pixel by less than 2^-16 of a cell per axis: in a
 *             cell whose nodes differ by up to 65535 that is up to 3 codes
 *             of 16-bit output, for smooth tables about 3 / (N - 1).
 *   cell      i = min(pos >> 16, N - 2), f = pos - (i << 16), f in 0..65536
 *   tetrahedron  sort (f0, f1, f2) to fa >= fb >= fc, axes a, b; walk from
 *             node (i0, i1, i2) one step along a, then along b, then along
 *             the third: nodes c0, c1, c2, c3, and
 *             S = (65536 - fa) c0 + (fa - fb) c1 + (fb - fc) c2 + fc c3
 *             (weights >= 0 summing to 2^16, so S < 2^32 unsigned). With
 *             equal fractions the tie's vertex gets weight 0, so how ties
 *             are broken cannot change the result.
 *   output    o = out_depth: out = (S * out_mul + 2^46) >> 47 with
 *             out_mul = round((2^o - 1) * 2^31 / 65535), i.e. out is
 *             round(S / 2^16 * (2^o - 1) / 65535) to within 2^-16 of a
 *             code value; out_mul = 2^31 for 16 bits, a plain rounding.
 *
 * Identity: a table that maps every node to its own position reproduces
 * its input exactly at in_depth == out_depth == 8..15 for every N, and at
 * 16 bits for every odd N (33 and 65 included) and some even ones. At 16
 * bits two errors of nearly half a code meet: the nodes k * 65535 / (N - 1)
 * are rounded (a sawtooth of error in (-0.5, 0.5] along the axis), and the
 * Q16 position is floored, which for an identity costs up to 1 / (N - 1)
 * of a code. With N - 1 even the sawtooth's +0.5 falls on the node at
 * 32767.5, between two codes, and the floor only pulls the error away from
 * it; with N - 1 odd it can push an error just above -0.5 below it, and 32
 * of the 64 even N (N = 2 among them) return some 16-bit codes one off.
 * tests/unit/test_lut3d.c checks every N at every depth. (Rounding the
 * position instead of flooring it moves the failures to the odd N.)
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_LUT3D_H
#define AIPOST_LUT3D_H

#include <stdint.h>

#include "cpu.h"

#define AIP_LUT3D_MIN_SIZE  2
#define AIP_LUT3D_MAX_SIZE  129
#define AIP_LUT3D_MIN_DEPTH 8
#define AIP_LUT3D_MAX_DEPTH 16

typedef struct AIPLut3D {
    int size;                   /* N */
    uint16_t *grid;             /* N^3 nodes of 3 components, see above */
    /* input scaling per input depth (index = depth) */
    uint32_t in_mul[AIP_LUT3D_MAX_DEPTH + 1];
    int in_shift[AIP_LUT3D_MAX_DEPTH + 1];
} AIPLut3D;

/**
 * Map one normalised input (each component in [0, 1]) to an output triplet;
 * outputs are clamped to [0, 1] (NaN to 0) and rounded to 16 bits.
 */
typedef void (*aip_lut3d_fill_fn)(void *opaque, const double in[3], double out[3]);

/**
 * Build a size^3 table: node (i0, i1, i2) gets fill(in = (i0, i1, i2) /
 * (size - 1)). Returns 0 or a negative errno value (bad size, no memory).
 */
int  aip_lut3d_init(AIPLut3D *lut, int size, aip_lut3d_fill_fn fill, void *opaque);
void aip_lut3d_uninit(AIPLut3D *lut);

/* out_mul of the output rounding above for out_depth 8..16. */
uint32_t aip_lut3d_out_mul(int out_depth);

/*
 * One row of w pixels of three planes (4:4:4): src[c] and dst[c] point to
 * uint8_t samples at depth 8, uint16_t at 9..16 (FFmpeg's planar layouts).
 * Input and output depths are independent, 8..16. Samples above
 * 2^in_depth - 1 are taken as 2^in_depth - 1. dst must not overlap src.
 */
#define AIP_DECL_LUT3D_ROW_FN(name)                                           \
void name(const AIPLut3D *lut, void *const dst[3], const void *const src[3], \
          int w, int in_depth, int out_depth)

typedef AIP_DECL_LUT3D_ROW_FN((*aip_lut3d_row_fn));
AIP_DECL_LUT3D_ROW_FN(aip_lut3d_apply_row_c);
AIP_DECL_LUT3D_ROW_FN(aip_lut3d_apply_row_avx2);

typedef struct AIPLut3DDSP {
    aip_lut3d_row_fn apply_row;
} AIPLut3DDSP;

/* C reference first, then the best SIMD the AIP_CPU_* flags allow. */
void aip_lut3d_dsp_init(AIPLut3DDSP *dsp, int cpu_flags);

#endif /* AIPOST_LUT3D_H */
