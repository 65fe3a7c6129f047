/*
 * Block-matching motion estimation on 8-bit pyramids (aipost/pyramid.h),
 * for filters that must follow the content: skintexture anchors its
 * texture to the skin with it, socialprep's saliency weighs what moves.
 *
 * The motion field is sampled on a grid of nodes: node (i, j) sits at
 * full-resolution pixel (i << grid_log2, j << grid_log2), and the grid
 * covers the picture with one node past its right and bottom edges, so a
 * pixel always has four nodes around it to interpolate from
 * (nodes_w = ((w - 1) >> grid_log2) + 2, likewise nodes_h).
 *
 * A node's vector is the displacement of the content around it from the
 * previous frame to this one: what is at p now was at p - v. Search is
 * coarse to fine and uses only the two frames given (no state from earlier
 * frames, so a segment's motion does not depend on where it was cut):
 *   1. coarse level (base + 1): an exhaustive search of +-AIP_MOTION_RANGE
 *      samples for 8x8 blocks on a sparse grid of super-nodes (every 4th
 *      node in each direction);
 *   2. base level (node pitch 4 samples, 8x8 blocks centred on the node):
 *      the best of zero, the four nearest super-nodes' vectors and the
 *      vector of the node to the left (same row, hence the same slice),
 *      then +-1 refinements;
 *   3. for nodes the caller marks as wanted: +-1 refinements on every
 *      finer level with blocks of the same footprint (2 node pitches
 *      square), down to full resolution, then a sub-pixel fraction from the
 *      sums of absolute differences (SAD) at +-1 by an equiangular (V) fit,
 *      which suits SAD's V-shaped minimum. Other nodes keep the base
 *      level's vector.
 * A block whose source lies partly outside the previous frame (content
 * entering at an edge) is compared on the part inside, scaled to the
 * whole, when that part is at least half the block each way.
 * Zero motion wins whenever its SAD is within AIP_MOTION_ZERO_BIAS of the
 * best (per sample, 1/16 of a code value), and a final vector within 1/8
 * pixel of zero is zero: a still shot reads exactly still, even with noise.
 *
 * All integer; every node is a pure function of the two pyramids, so rows
 * of nodes can be searched in any order by any thread.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_MOTION_H
#define AIPOST_MOTION_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "pyramid.h"

/* Vectors are in full-resolution pixels with this many fraction bits. */
#define AIP_MOTION_FRAC_BITS 4
#define AIP_MOTION_ONE       (1 << AIP_MOTION_FRAC_BITS)
/* Exhaustive search range at the coarse level, in its samples. */
#define AIP_MOTION_RANGE     6
/* SAD a candidate must beat zero by, per sample, in 1/16 code value. */
#define AIP_MOTION_ZERO_BIAS 4
/* Mean absolute difference (Q4 code values) above which a match is not
 * trusted: the content is new (occlusion, a cut) or changed too much. */
#define AIP_MOTION_UNRELIABLE (12 * 16)

typedef struct AIPMotionVector {
    int32_t x, y;       /* Q AIP_MOTION_FRAC_BITS, full-resolution pixels */
    uint16_t cost;      /* mean |difference| of the match, Q4 code values */
    uint8_t reliable;   /* cost <= AIP_MOTION_UNRELIABLE */
    uint8_t refined;    /* searched down to full resolution */
} AIPMotionVector;

/* SAD of a w x h block of a against b. */
#define AIP_DECL_MOTION_SAD_FN(name) \
uint32_t name(const uint8_t *a, ptrdiff_t a_stride, const uint8_t *b, ptrdiff_t b_stride, int w, int h)

typedef AIP_DECL_MOTION_SAD_FN((*aip_motion_sad_fn));
AIP_DECL_MOTION_SAD_FN(aip_motion_sad_c);
AIP_DECL_MOTION_SAD_FN(aip_motion_sad_avx2);

typedef struct AIPMotionDSP {
    aip_motion_sad_fn sad;
} AIPMotionDSP;

void aip_motion_dsp_init(AIPMotionDSP *dsp, int cpu_flags);

typedef struct AIPMotion {
    int width, height;          /* level 0 */
    int grid_log2;              /* node pitch at level 0 */
    int nodes_w, nodes_h;
    int base_level;             /* grid_log2 - 2: node pitch 4 samples */
    int coarse_level;           /* base_level + 1, or base_level when the
                                   pyramid has no level below it */
    int super_w, super_h;       /* super-nodes: every 4th node */
    int32_t *super_vec;         /* (x, y) pairs in coarse-level samples */
    AIPMotionDSP dsp;
} AIPMotion;

/**
 * @param grid_log2  node pitch log2, 2..6
 * @param levels     levels of the pyramids that will be given; at least
 *                   grid_log2 - 1 (level base_level must exist)
 * @return 0, -EINVAL, -ENOMEM
 */
int  aip_motion_init(AIPMotion *m, int width, int height, int grid_log2, int levels,
                     int cpu_flags);
void aip_motion_uninit(AIPMotion *m);

/**
 * Step 1 for super-node rows r0 .. r1 - 1 (of super_h). search (nodes_w *
 * nodes_h, or NULL for all) marks the nodes whose motion is wanted at all:
 * super-nodes no such node takes candidates from are skipped.
 */
void aip_motion_coarse(AIPMotion *m, const AIPPyramid *cur, const AIPPyramid *prev,
                       const uint8_t *search, int r0, int r1);

/**
 * Steps 2 and 3 for node rows r0 .. r1 - 1, after aip_motion_coarse of
 * every super-node row. Nodes not marked in search (NULL: all) get zero
 * motion without a search (reliable, cost 0); want (or NULL for all) marks
 * those refined to full resolution. Returns the number of unreliable nodes
 * at the base level among these rows, and adds the nodes searched to
 * *searched (a cut shows as most of them unreliable).
 */
int aip_motion_nodes(const AIPMotion *m, const AIPPyramid *cur, const AIPPyramid *prev,
                     const uint8_t *search, const uint8_t *want, AIPMotionVector *vec,
                     int r0, int r1, int *searched);

/**
 * Unreliable wanted nodes take the component-wise median of their 3 x 3
 * neighbourhood's reliable vectors (one outlier does not tear the field).
 * tmp: nodes_w * nodes_h vectors of scratch.
 */
void aip_motion_fill_unreliable(const AIPMotion *m, AIPMotionVector *vec,
                                AIPMotionVector *tmp, const uint8_t *want);

/* The field at full-resolution position (x, y) in Q AIP_MOTION_FRAC_BITS,
 * bilinear between the four nodes around it (x, y Q4 too). */
void aip_motion_at(const AIPMotion *m, const AIPMotionVector *vec,
                   int32_t x, int32_t y, int32_t *vx, int32_t *vy);

/**
 * The field at the centres of the samples of pyramid level `level` (w x h),
 * in Q AIP_MOTION_FRAC_BITS samples of that level: dx, dy (w x h each, row
 * stride w) = aip_motion_at(centre) / 2^level, rounded down. Rows r0 .. r1 - 1.
 * Returns the largest |component| in whole samples, rounded up, over the rows.
 */
int aip_motion_field(const AIPMotion *m, const AIPMotionVector *vec, int level,
                     int16_t *dx, int16_t *dy, int w, int h, int r0, int r1);

/**
 * Motion-compensated copy of an 8-bit plane of that level, with the field
 * aip_motion_field made: dst(q) = src(q - d(q)), bilinear in src (Q4
 * weights, rounded), edges repeated. What was at a place in the previous
 * frame, where it is now. row_max[j] is the largest sample of src row j
 * (rows of dst that no non-zero source sample can reach, given max_d from
 * aip_motion_field, are zero without being computed). Rows r0 .. r1 - 1;
 * dst != src.
 */
void aip_motion_warp8(const int16_t *dx, const int16_t *dy, int max_d,
                      uint8_t *dst, const uint8_t *src, const uint8_t *row_max,
                      ptrdiff_t stride, int w, int h, int r0, int r1);

#endif /* AIPOST_MOTION_H */
