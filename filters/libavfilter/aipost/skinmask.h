/*
 * Skin mask from Y'CbCr: which samples of a picture are skin, as a soft
 * value 0..255, for skintexture (where to add texture, and where not to
 * touch a sample). Works on 8-bit analysis planes (aipost/pyramid.h) of
 * luma and both chromas at the same size. (socialprep's saliency has a
 * lighter colour cue of its own, aipost/skintone.h: an ellipse in CbCr,
 * which orange fabric and wood pass; this model is stricter, tolerates
 * casts and exposure, and cleans and smooths the mask.)
 *
 * The model, in 8-bit limited-range units with u = Cb - 128, v = Cr - 128:
 *   - hue: skin of every complexion lies along one direction of the
 *     chroma plane, about 128 degrees from +Cb (between red and yellow);
 *     full likelihood within AIP_SKINMASK_HUE_FULL degrees of it towards
 *     yellow and AIP_SKINMASK_HUE_RED_FULL towards red, none beyond
 *     AIP_SKINMASK_HUE_ZERO and AIP_SKINMASK_HUE_RED_ZERO (the red side is the
 *     narrower: orange fabric in light has skin's saturation, and lies
 *     there, at about 122 degrees; the darkest complexions lie at 128);
 *   - saturation, relative to luma: r = |(u, v)| / (Y' - 16) (Y' - 16 at
 *     least 16), which exposure does not change (Y' - 16, Cb and Cr all
 *     scale with R'G'B'): none below AIP_SKINMASK_SAT_LO0 (greys, whites,
 *     backgrounds), full from AIP_SKINMASK_SAT_LO1 to AIP_SKINMASK_SAT_HI1, none
 *     from AIP_SKINMASK_SAT_HI0 (saturated oranges and reds: fabric, flags,
 *     paint, whose r is 0.55 and more; skin of every complexion lies
 *     between 0.05 and 0.45); and whatever the luma, none from an absolute
 *     |(u, v)| of AIP_SKINMASK_MAG_HI0;
 *   - luma: none below AIP_SKINMASK_Y_LO0 or above AIP_SKINMASK_Y_HI0 (chroma is
 *     noise in the blacks, and blown highlights have none), full between
 *     AIP_SKINMASK_Y_LO1 and AIP_SKINMASK_Y_HI1.
 * The likelihood is the product of the three, each piecewise linear.
 *
 * Colour alone also finds the blend of two colours at an edge (orange
 * fabric against white, a red stripe against white): such lines are thin,
 * skin is not, so the likelihood is opened (aip_skinmask_open: a minimum then
 * a maximum over AIP_SKINMASK_OPEN_RADIUS) before it is smoothed.
 *
 * White balance and lighting: chroma is measured from the picture's own
 * neutral point, the mean chroma of its near-grey samples
 * (aip_skinmask_neutral), so a warm or cool cast moves skin and neutrals alike
 * and the skin stays on its axis (casts that move greys by up to
 * AIP_SKINMASK_NEUTRAL_RADIUS; a stronger cast is not told from pale skin);
 * the hue window is wide enough for the rest, and saturation is measured
 * against luma, so the same skin in shadow or light stays skin.
 *
 * Tables are built once with basic arithmetic and sqrt only (the same on
 * every machine); the per-sample work is table look-ups and integer
 * arithmetic.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_SKINMASK_H
#define AIPOST_SKINMASK_H

#include <stddef.h>
#include <stdint.h>

#define AIP_SKINMASK_HUE        133.0   /* degrees from +Cb towards +Cr */
#define AIP_SKINMASK_HUE_FULL   9.0
#define AIP_SKINMASK_HUE_ZERO   15.0
#define AIP_SKINMASK_HUE_RED_FULL 7.0
#define AIP_SKINMASK_HUE_RED_ZERO 13.0
#define AIP_SKINMASK_SAT_LO0    0.03
#define AIP_SKINMASK_SAT_LO1    0.06
#define AIP_SKINMASK_SAT_HI1    0.45
#define AIP_SKINMASK_SAT_HI0    0.55
#define AIP_SKINMASK_MAG_HI1    42.0
#define AIP_SKINMASK_MAG_HI0    54.0
#define AIP_SKINMASK_Y_LO0      32
#define AIP_SKINMASK_Y_LO1      56
#define AIP_SKINMASK_Y_HI1      232
#define AIP_SKINMASK_Y_HI0      248

/* The neutral point is the mean chroma of samples within this distance of
 * grey and with luma in [48, 235]; it is used when they are at least
 * 1/32 of the picture, and at most AIP_SKINMASK_NEUTRAL_MAX from grey. */
#define AIP_SKINMASK_NEUTRAL_RADIUS 14
#define AIP_SKINMASK_NEUTRAL_MAX    12

typedef struct AIPSkinMaskModel {
    /* hue term of chroma (cb, cr) after the neutral point is taken out,
     * at [cb * 256 + cr], neutral at (128, 128), and 4 |(u, v)| clipped */
    uint8_t chroma[256 * 256];
    uint8_t mag4[256 * 256];
    /* saturation term at [mag4 * 256 + Y'] */
    uint8_t sat[256 * 256];
    uint8_t luma[256];
    /* full range to limited-range equivalent, for luma and chroma */
    uint8_t full_to_limited_y[256], full_to_limited_c[256];
    /* edge-aware smoothing: Q8 weight of a neighbour by |luma difference| */
    uint16_t range_weight[256];
} AIPSkinMaskModel;

void aip_skinmask_model_init(AIPSkinMaskModel *m);

/**
 * Neutral point of a picture (white balance), in 8-bit chroma units from
 * 128: *nb, *nr. 0, 0 when too few samples are near grey.
 */
void aip_skinmask_neutral(const AIPSkinMaskModel *m, const uint8_t *y, const uint8_t *cb,
                      const uint8_t *cr, ptrdiff_t stride, int w, int h, int full_range,
                      int *nb, int *nr);

/**
 * Likelihood of rows r0 .. r1 - 1: with c = (cb - nb) * 256 + cr - nr,
 * dst = ((chroma[c] * sat[mag4[c] * 256 + y] + 127) / 255 * luma[y] + 127)
 * / 255, with full-range input mapped to limited first.
 */
void aip_skinmask_likelihood(const AIPSkinMaskModel *m, uint8_t *dst, ptrdiff_t dst_stride,
                         const uint8_t *y, const uint8_t *cb, const uint8_t *cr,
                         ptrdiff_t stride, int w, int full_range, int nb, int nr,
                         int r0, int r1);

/**
 * Edge-aware smoothing of a likelihood plane: a 5 x 5 binomial blur,
 * separable, whose taps are weighted by range_weight[|guide(q) - guide(p)|]
 * (a cross-bilateral filter guided by luma), so skin does not bleed across
 * the edge of a collar or hairline. Rows of dst r0 .. r1 - 1; tmp is a
 * plane of w x h uint8_t (the horizontal pass, all rows r0 - 2 .. r1 + 1
 * clipped: callers slicing must run the horizontal pass first on all
 * rows, see aip_skinmask_smooth_h / _v).
 */
/* Morphological opening radius (analysis samples): structures narrower
 * than 2 r + 1 samples go. */
#define AIP_SKINMASK_OPEN_RADIUS 2

/**
 * Opening of a plane (square structuring element of radius r, separable):
 * dst = max over the square of (min over the square of src), edges
 * repeated. tmp: AIP_SKINMASK_OPEN_SCRATCH(stride, h, r) bytes. dst != src.
 */
#define AIP_SKINMASK_OPEN_SCRATCH(stride, h, r) (2 * (size_t)(stride) * (h) + (stride) + 2 * (r) + 2 * (size_t)(h))
void aip_skinmask_open(uint8_t *dst, const uint8_t *src, uint8_t *tmp, ptrdiff_t stride,
                   int w, int h, int r);

void aip_skinmask_smooth_h(const AIPSkinMaskModel *m, uint8_t *tmp, const uint8_t *src,
                       const uint8_t *guide, ptrdiff_t stride, int w, int r0, int r1);
void aip_skinmask_smooth_v(const AIPSkinMaskModel *m, uint8_t *dst, const uint8_t *tmp,
                       const uint8_t *guide, ptrdiff_t stride, int w, int h, int r0, int r1);

#endif /* AIPOST_SKINMASK_H */
