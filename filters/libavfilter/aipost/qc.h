/*
 * Per-frame measurement kernels of qcdetect: the numbers its QC detectors
 * threshold. Pure C without FFmpeg, so the unit tests drive them alone.
 *
 * Every kernel reads one luma plane (uint8_t samples at depth 8, uint16_t at
 * 9..16; strides in bytes) and is deterministic: integer sums, turned into
 * doubles only at the end. Each reads its input once, row by row, keeping
 * at most a few rows and one row of per-column state in scratch, so cost
 * is O(pixels) and the working set stays in cache.
 *
 * The frame is cut into AIP_QC_GRID x AIP_QC_GRID regions: region column c
 * covers x in [c * w / GRID, (c + 1) * w / GRID), rows likewise; region r
 * is row-major (r = row * GRID + column). Local detectors (regional
 * flicker, micro-jumps, shimmer) compare regions with each other and over
 * time; 8 x 8 keeps a region big enough that its mean is not moved by noise
 * (240 x 135 samples at 1080p) and gives the 64 means the signature is made of.
 *
 * Levels are reported in 8-bit code values (native / 2^(depth - 8)) unless
 * said otherwise, so one threshold serves every depth; exact counts
 * (sums of absolute differences, pixel counts) stay native integers.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_QC_H
#define AIPOST_QC_H

#include <stddef.h>
#include <stdint.h>

#define AIP_QC_GRID    8
#define AIP_QC_REGIONS (AIP_QC_GRID * AIP_QC_GRID)

/* Smallest plane the kernels accept: one sample per region, and the 3 x 3
 * neighbourhood the Laplacian needs. */
#define AIP_QC_MIN_SIZE AIP_QC_GRID

/* Geometry and scratch for one plane size and depth, made once per stream.
 * Every kernel writes the scratch: one context per thread. */
typedef struct AIPQcContext {
    int width, height, depth;
    double to8bit;              /* 1 / 2^(depth - 8) */
    int x0[AIP_QC_GRID + 1];    /* region column boundaries */
    int y0[AIP_QC_GRID + 1];    /* region row boundaries */
    int32_t *scratch;           /* rows and per-column state, see qc.c */
} AIPQcContext;

/**
 * @param depth  8..16
 * @return 0, -EINVAL for a size below AIP_QC_MIN_SIZE or a bad depth,
 *         -ENOMEM
 */
int  aip_qc_init(AIPQcContext *c, int width, int height, int depth);
void aip_qc_uninit(AIPQcContext *c);

/* Black and white at a depth, in native code values: 16 and 235 scaled by
 * 2^(depth - 8) for limited range, 0 and 2^depth - 1 for full range. */
void aip_qc_range_levels(int depth, int full_range, int *black, int *white);

/* ------------------------------------------------------------ stats */

typedef struct AIPQcStats {
    /* Mean level of the plane and of each region, 8-bit code values.
     * Flicker is the part of their change from frame to frame that motion
     * and cuts do not explain (the filter decides that with the diffs). */
    double mean;
    double region_mean[AIP_QC_REGIONS];
    /* Fraction of samples (0..1) at or below black and at or above white:
     * area of crushed shadows and clipped highlights. */
    double black_fraction, white_fraction;
    uint64_t black_count, white_count;
    /* Mean hash of the 8 x 8 region means: bit r is set when region r is
     * brighter than the median region. A frame's signature is its
     * thumbnail's shape, not its level: it survives re-encoding noise and
     * small brightness changes, so a loop detector can look frames up in a
     * history by Hamming distance (aip_qc_signature_distance) before
     * comparing them in full. Taken against the (upper) median, about half
     * the bits are set on any picture with structure (31 when the 64 means
     * differ; 0 on a flat frame). It comes with the stats because the
     * means are already there; the diff kernel then needs no third frame. */
    uint64_t signature;
} AIPQcStats;

/**
 * One pass: mean, region means, black and white areas, signature.
 * black and white are native code values (aip_qc_range_levels).
 */
int aip_qc_plane_stats(const AIPQcContext *c, const void *data, ptrdiff_t stride,
                       int black, int white, AIPQcStats *st);

/* Bits in which two signatures differ, 0..64. */
int aip_qc_signature_distance(uint64_t a, uint64_t b);

/* ------------------------------------------------------------ frame difference */

/* Region changes below this (8-bit code values of mean absolute difference)
 * are below quantisation: the outlier ratio divides by at least this, so
 * that on an otherwise static picture a region is compared with the noise
 * floor of coding rather than with zero. */
#define AIP_QC_DIFF_FLOOR 0.25

typedef struct AIPQcDiff {
    /* Sum of |a - b| in native code values: 0 exactly when the planes are
     * identical (a duplicated frame); max_abs the largest |a - b|, native.
     * A frozen frame re-encoded shows a small mad and a small max_abs. */
    uint64_t sad;
    int max_abs;
    /* Mean absolute difference of the plane and of each region, 8-bit
     * code values. */
    double mad;
    double region_mad[AIP_QC_REGIONS];
    double region_max;          /* largest region_mad */
    int region_max_index;
    /* Micro-jumps: a region that changes much more than its surroundings.
     * For each region, its mad over the median mad of its 3..8 neighbours
     * (at least AIP_QC_DIFF_FLOOR); the largest ratio and where. Smooth
     * motion (a pan, a zoom) moves neighbours alike and keeps this near 1;
     * a one-frame local shift stands out. */
    double outlier_ratio;
    int outlier_region;
} AIPQcDiff;

/** One pass over two planes of the context's size and depth. */
int aip_qc_frame_diff(const AIPQcContext *c, const void *a, ptrdiff_t a_stride,
                      const void *b, ptrdiff_t b_stride, AIPQcDiff *d);

/* ------------------------------------------------------------ banding */

/*
 * Banding (contouring) score, CAMBI-like in what it looks for, but in one
 * pass of run-length analysis instead of CAMBI's windowed histograms.
 *
 * A banded gradient is a staircase: flat terraces of one code value, each
 * one small step above the previous. Along every row and every column the
 * kernel cuts the samples into runs of equal value and calls a run a
 * terrace when
 *   - it is at least `min_run` samples long: it is flat, i.e. the area is
 *     smooth (zero variance along the run) and the band is wide enough to
 *     be seen; and
 *   - the steps that enter and leave it are both small, 1..max_step code
 *     values, and go the same way: the run is part of a gradient, not a
 *     stripe, a line or the edge of an object (a single step between two
 *     flat areas makes no terrace; a large step is an edge, not a band).
 * Noise or dither breaks the runs into pieces shorter than min_run, so a
 * dithered gradient or natural texture scores ~0 however smooth it looks,
 * and so does a flat area; a quantised gradient scores near its share of
 * the picture. Banding under noise stronger than the step is not seen (as
 * it is barely seen by eye).
 *
 * Steps are counted at the plane's own depth: max_step = 1 looks only for
 * the one-code-value contours of a gradient the depth is too coarse for
 * (what CAMBI looks for); AIP_QC_BAND_MAX_STEP also catches gradients
 * quantised more coarsely than the depth (8-bit codes in a 10-bit stream,
 * or a posterised picture), up to 1/32 of the range.
 */
#define AIP_QC_BAND_MAX_STEP(depth) (8 << ((depth) - 8))
#define AIP_QC_BAND_MIN_RUN         8

typedef struct AIPQcBanding {
    /* Fraction of samples (0..1) lying on terraces along rows and along
     * columns; score = the larger (a ramp in one direction bands along one
     * only). */
    double row_fraction, col_fraction, score;
    uint64_t edges;             /* steps that leave a terrace, both directions */
} AIPQcBanding;

int aip_qc_banding(const AIPQcContext *c, const void *data, ptrdiff_t stride,
                   int max_step, int min_run, AIPQcBanding *b);

/* ------------------------------------------------------------ temporal HF */

/*
 * Shimmer and crawl: fine detail that changes from frame to frame where the
 * picture does not move. With d = cur - prev, per region:
 *   hf      = sqrt(mean(L(d)^2) / 20), L the 4-neighbour Laplacian. 20 is
 *             the gain of L on white noise, so hf reads as the standard
 *             deviation of the per-frame independent noise that would give
 *             this energy; 8-bit code values. A global brightness change
 *             (flicker) has no Laplacian and does not count.
 *   motion  = mean over the 8 x 8 blocks of the region of |mean of d over
 *             the block|, 8-bit code values: the low-pass difference, a
 *             motion proxy. Independent noise averages out in a block
 *             (about 0.1 hf), moving structure does not.
 *   texture = sqrt(mean(L(cur)^2) / 20): spatial detail, same units.
 * A region counts when motion <= static_max and texture >= texture_min:
 * textured and static, where temporal detail is shimmer, not motion.
 */
#define AIP_QC_HF_STATIC_MAX  1.0
#define AIP_QC_HF_TEXTURE_MIN 2.0

typedef struct AIPQcTemporalHF {
    double region_hf[AIP_QC_REGIONS];
    double region_motion[AIP_QC_REGIONS];
    double region_texture[AIP_QC_REGIONS];
    uint64_t counted;           /* bit r: region r is textured and static */
    int nb_counted;
    double max, mean;           /* hf over counted regions, 0 when none */
    int max_region;             /* -1 when none */
} AIPQcTemporalHF;

int aip_qc_temporal_hf(const AIPQcContext *c, const void *cur, ptrdiff_t cur_stride,
                       const void *prev, ptrdiff_t prev_stride,
                       double static_max, double texture_min, AIPQcTemporalHF *t);

#endif /* AIPOST_QC_H */
