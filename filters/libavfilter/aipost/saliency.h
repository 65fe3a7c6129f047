/*
 * Where the interest of a frame lies, for reframing (socialprep): a coarse
 * saliency map from motion, contrast, skin and a face proxy, the crop
 * window along one axis that holds most of it, and a scene-cut measure.
 *
 * The frame is cut into square cells of `cell` luma samples (a multiple of
 * 8, about 64 cells along the long side). Per cell, from every luma sample
 * of every eighth row (rows 0, 8, 16, ...):
 *   mean      mean luma (8-bit code values)
 *   contrast  mean absolute difference to the sample two to the right and
 *             to the sample two rows below, where they exist (8-bit code
 *             values): detail
 *   motion    mean absolute difference to the previous frame (8-bit)
 * and from the samples on a lattice of 8 luma samples (x, y multiples of
 * 8; the chroma sample there and its luma):
 *   skin      mean skin-tone likelihood (0..1, skintone.h)
 * Motion also counts what departs from the background: a running average
 * of each cell's mean (about 3 s at 30 fps, restarted at scene cuts), so
 * a subject that walks in and stops keeps standing out for a while instead
 * of losing the camera to the textured backdrop:
 *   m = max(frame difference, |mean - background| / 4)
 * Each cue is then taken relative to the frame, so that what stands out
 * counts, not what is everywhere (wood grain that passes the skin test, a
 * textured backdrop, a camera pan that moves every cell):
 *   rel(c) = clip((c - median) / max(p98 - median, eps), 0, 1)
 * over the frame's cells (eps: motion 0.5, contrast 1 code value, skin and
 * face 0.05), and the saliency of a cell is
 *   S = w_motion   * rel(m) * m^2 / (m^2 + 4)   motion, and above coding
 *                                                noise in absolute terms
 *     + w_contrast * rel(c)                      detail
 *     + w_skin     * rel(s)                      skin tones
 *     + w_face     * rel(s * c / (c + 4))        face proxy: skin with
 *                                                features (eyes, brows,
 *                                                mouth) in it
 * The face proxy is a stated simplification: no face detector, a skin-
 * coloured area with internal detail scores as a face would.
 *
 * All sums are integers; the per-cell cues are exact functions of the
 * samples, so the map does not depend on how cells are shared among
 * threads.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_SALIENCY_H
#define AIPOST_SALIENCY_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "skintone.h"

/* Cells along the long side of the frame (about). */
#define AIP_SALIENCY_CELLS 64
#define AIP_SALIENCY_MIN_CELL 8
/* Luma rows and the skin lattice, in luma samples. */
#define AIP_SALIENCY_ROW_STEP  8
#define AIP_SALIENCY_SKIN_STEP 8
/* The background follows the cells at this rate per frame (about 3 s at
 * 30 fps); a cell's departure from it, / AIP_SALIENCY_NOVELTY_SCALE, counts
 * as motion. */
#define AIP_SALIENCY_BG_RATE       (1.0 / 90)
#define AIP_SALIENCY_NOVELTY_SCALE 4.0f

/*
 * Sums of one luma row over [x0, x1) of a row of w samples:
 *   sums[0] += sum of v[x]
 *   sums[1] += sum of |v[x + 2] - v[x]| for x + 2 < w, plus
 *              sum of |below[x] - v[x]| when below is not NULL
 *   sums[2] += sum of |prev[x] - v[x]| when prev is not NULL
 */
#define AIP_DECL_SALIENCY_ROW_FN(name, pixel) \
void name(uint64_t sums[3], const pixel *row, const pixel *below, const pixel *prev, \
          int x0, int x1, int w)

typedef AIP_DECL_SALIENCY_ROW_FN((*aip_saliency_row8_fn), uint8_t);
typedef AIP_DECL_SALIENCY_ROW_FN((*aip_saliency_row16_fn), uint16_t);
AIP_DECL_SALIENCY_ROW_FN(aip_saliency_row_8_c, uint8_t);
AIP_DECL_SALIENCY_ROW_FN(aip_saliency_row_16_c, uint16_t);
AIP_DECL_SALIENCY_ROW_FN(aip_saliency_row_8_avx2, uint8_t);

/* One frame as the kernels read it: planar Y'CbCr (Cb/Cr absent for gray). */
typedef struct AIPSaliencyFrame {
    const uint8_t *data[3];
    ptrdiff_t linesize[3];
    int depth;              /* 8..16 */
    int hsub, vsub;         /* log2 chroma subsampling */
    int full_range;
    int gray;               /* no chroma planes */
} AIPSaliencyFrame;

typedef struct AIPSaliencyCell {
    float mean, contrast, motion, skin;
} AIPSaliencyCell;

typedef struct AIPSaliencyWeights {
    double motion, contrast, skin, face;
} AIPSaliencyWeights;

typedef struct AIPSaliency {
    int width, height;      /* luma samples */
    int cell;               /* cell side, luma samples (even) */
    int cols, rows;
    AIPSaliencyCell *cells; /* cols * rows, row-major */
    float *prev_mean;       /* the previous frame's cell means */
    int have_prev;
    float *map;             /* saliency per cell */
    double *profile;        /* per column or row, scratch */
    float *scratch;         /* 3 * cols * rows */
    float *bg_mean;         /* the background's cell means */
    int have_bg;
    AIPSkinTables skin;
    aip_saliency_row8_fn  row8;
    aip_saliency_row16_fn row16;
} AIPSaliency;

/**
 * @param cpu_flags AIP_CPU_* the row kernel may use
 * @return 0, -EINVAL (frame smaller than 2 cells), -ENOMEM
 */
int  aip_saliency_init(AIPSaliency *s, int width, int height, int cpu_flags);
void aip_saliency_uninit(AIPSaliency *s);

/* Raw cues of cell rows [row0, row1) of frame cur; prev (the previous
 * frame, same geometry) may be NULL: motion 0. Any split of the rows among
 * threads gives the same cells. */
void aip_saliency_cells(AIPSaliency *s, const AIPSaliencyFrame *cur,
                        const AIPSaliencyFrame *prev, int row0, int row1);

/* Mean absolute change of the cell means from the previous frame, 8-bit
 * code values; 0 without a previous frame. A hard cut moves most cells by
 * tens of code values, motion only the cells it crosses. */
double aip_saliency_change(const AIPSaliency *s);

/* The map from the cells, then the cells' means kept for the next frame
 * and blended into the background. new_scene: the background starts
 * afresh from this frame (a scene cut). */
void aip_saliency_map(AIPSaliency *s, const AIPSaliencyWeights *w, int new_scene);

typedef struct AIPSaliencyTarget {
    double centre;          /* window centre along the axis, luma samples */
    double confidence;      /* share of the frame's saliency in the window, 0..1 */
    double total;           /* the frame's saliency (sum over cells) */
} AIPSaliencyTarget;

/**
 * The window of length win (luma samples, <= the frame's length on that
 * axis) along axis 0 (x) or 1 (y) that holds the most saliency, windows
 * near prev_centre preferred by a small margin (stickiness, a fraction of
 * the frame's saliency) so that near-equal subjects do not make the choice
 * flip; the centre is the saliency centroid within it, kept so the window
 * fits in the frame. With no saliency at all, prev_centre.
 */
void aip_saliency_window(AIPSaliency *s, int axis, double win, double prev_centre,
                         double stickiness, AIPSaliencyTarget *t);

#endif /* AIPOST_SALIENCY_H */
