/*
 * Skin-tone likelihood of Y'CbCr samples: a soft chroma classifier, the
 * skin cue of socialprep's saliency (and a candidate for any filter that
 * needs a skin mask).
 *
 * Human skin of every complexion clusters in a small region of the CbCr
 * plane, largely independent of luma (Chai & Ngan, "Face segmentation using
 * skin-color map in videophone applications", IEEE TCSVT 9(4), 1999: Cb in
 * 77..127, Cr in 133..173, 8-bit). The model here is the ellipse inscribed
 * in that box, soft: with
 *   d^2 = ((Cb - cb0) / cb_axis)^2 + ((Cr - cr0) / cr_axis)^2,
 * the likelihood is 1 - d^2 inside the ellipse and 0 outside, then faded
 * out in deep shadows (Y below dark_lo .. dark_hi), where chroma is mostly
 * noise and carries no hue. Values are 8-bit limited-range code values;
 * deeper samples are taken at their top 8 bits, full-range ones mapped to
 * limited first. Integer arithmetic throughout (identical on every machine).
 *
 * It is a colour test, not a detector: wood, sand and orange fabric pass
 * it too. Saliency uses it together with motion and detail.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_SKINTONE_H
#define AIPOST_SKINTONE_H

#include <stdint.h>

/* Likelihoods are 0 .. AIP_SKIN_ONE. */
#define AIP_SKIN_ONE 256

typedef struct AIPSkinModel {
    int cb0, cr0;           /* centre, 8-bit code values */
    int cb_axis, cr_axis;   /* semi-axes */
    int dark_lo, dark_hi;   /* luma fade-in */
} AIPSkinModel;

/* Chai & Ngan's box as an ellipse: centre (102, 153), semi-axes (25, 20);
 * luma fade 32..64. */
extern const AIPSkinModel aip_skin_default;

/* The model as tables: d^2 = dcb[Cb] + dcr[Cr] in Q8 (each term rounded
 * down), gate[Y] the shadow fade in Q8; likelihood
 *   max(0, 256 - dcb[Cb] - dcr[Cr]) * gate[Y] >> 8. */
typedef struct AIPSkinTables {
    uint16_t dcb[256], dcr[256], gate[256];
} AIPSkinTables;

void aip_skin_tables(AIPSkinTables *t, const AIPSkinModel *m);

/* One sample, 8-bit limited-range code values. */
static inline int aip_skin_likelihood8(const AIPSkinTables *t, int y, int cb, int cr)
{
    const int d2 = t->dcb[cb] + t->dcr[cr];
    return d2 >= AIP_SKIN_ONE ? 0 : (AIP_SKIN_ONE - d2) * t->gate[y] >> 8;
}

/**
 * Likelihood of a row of samples: dst[i] for chroma sample i, with luma
 * y[i * y_step] (the co-sited luma sample of subsampled chroma).
 * Samples are uint8_t at depth 8, uint16_t above; full_range: 0..2^d - 1.
 */
void aip_skin_row(uint16_t *dst, const AIPSkinTables *t, const void *y, int y_step,
                  const void *cb, const void *cr, int depth, int full_range, int n);

#endif /* AIPOST_SKINTONE_H */
