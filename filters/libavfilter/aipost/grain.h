/*
 * Film-grain synthesis and blending kernels shared by aigrain, socialprep
 * and the OpenCL variants.
 *
 * The grain of a plane is built from a fixed template (a square of
 * spatially correlated Gaussian noise whose correlation width is the grain
 * size) that is cut into blocks at pseudo-random offsets chosen per frame,
 * as AV1 film grain does, with a variance-preserving cross-fade where blocks
 * meet so no seam shows. The value at a pixel is a pure function of
 * (seed, frame key, plane, x, y).
 *
 * Blending is one operation for every mode: dst = src + scaling[v] * grain,
 * where v is the brightness that drives the grain (the sample itself, or the
 * co-located luma for chroma) and scaling[] folds strength, the blend mode's
 * shape (overlay or add) and the luma curve into a lookup table.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_GRAIN_H
#define AIPOST_GRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

/* Side of the square grain template, in samples. */
#define AIP_GRAIN_TEMPLATE_SIZE 256
/* Standard deviation of template values: grain is Q9 with unit sigma. */
#define AIP_GRAIN_UNIT          512
/* Template values are clipped to +-8 sigma so blends fit int16. */
#define AIP_GRAIN_LIMIT         4095
/* Side of the blocks that tile a frame. */
#define AIP_GRAIN_BLOCK         32
#define AIP_GRAIN_MAX_OVERLAP   16
/* Cross-fade weights are Q7. */
#define AIP_GRAIN_WEIGHT_SHIFT  7

/* Largest correlation width (grain size) a template supports, in samples. */
#define AIP_GRAIN_MAX_SIZE      24.0

/* Scaling lookup tables have at most this many entries: drivers deeper than
 * 10 bits index them with their top 10 bits. */
#define AIP_GRAIN_LUT_BITS      10
#define AIP_GRAIN_LUT_SIZE      (1 << AIP_GRAIN_LUT_BITS)

typedef struct AIPGrainPlane {
    int16_t *template;          /* AIP_GRAIN_TEMPLATE_SIZE^2, row-major */
    uint64_t seed;              /* user seed folded with the plane id */
    int overlap;                /* width of block cross-fades, samples */
    /* Q7 weights of the outgoing and incoming block across an overlap;
     * cos/sin pairs so the sum of two independent grains keeps its sigma. */
    int16_t fade_out[AIP_GRAIN_MAX_OVERLAP];
    int16_t fade_in[AIP_GRAIN_MAX_OVERLAP];
} AIPGrainPlane;

/**
 * Build the template of one grain plane.
 *
 * @param seed      user seed
 * @param plane_id  distinguishes the independent grain fields of a frame
 * @param size_x    grain size (full width at half maximum of the grain's
 *                  autocorrelation) along x, in samples of this plane,
 *                  0 < size <= AIP_GRAIN_MAX_SIZE
 * @param size_y    the same along y
 * @return 0 or a negative errno value (allocation failure, bad size)
 */
int  aip_grain_plane_init(AIPGrainPlane *p, uint64_t seed, int plane_id,
                          double size_x, double size_y);
void aip_grain_plane_uninit(AIPGrainPlane *p);

/* Blocks that cover a plane of the given size. */
#define AIP_GRAIN_BLOCKS(n) (((n) + AIP_GRAIN_BLOCK - 1) / AIP_GRAIN_BLOCK)

/**
 * Where each block of a frame takes its grain from in the template: one
 * offset per block (blocks_w * blocks_h), a pure function of (p, frame_key,
 * block position). Made once per frame and plane, read by every row.
 */
void aip_grain_offsets(const AIPGrainPlane *p, uint32_t *offsets, uint64_t frame_key,
                       int blocks_w, int blocks_h);

/**
 * Grain of row y of a plane: w values into dst, from the frame's block
 * offsets. tmp is scratch of at least w values. Rows can be made in any
 * order by any thread.
 */
void aip_grain_row(const AIPGrainPlane *p, const uint32_t *offsets, int blocks_w,
                   int16_t *dst, int16_t *tmp, int y, int w);

/* dst = (a * wa + b * wb) >> 7, rounded; used for correlated temporal grain
 * (cos/sin weights) and for adding an independent colour component. */
void aip_grain_mix_rows(int16_t *dst, const int16_t *a, const int16_t *b,
                        int wa, int wb, int w);

/* Variance-preserving Q7 cross-fade weight pair at phase t in [0, 1]:
 * round(128 cos(t pi / 2)), round(128 sin(t pi / 2)), computed with basic
 * arithmetic only so every machine gets the same integers. */
void aip_grain_fade_weights(double t, int *w_out, int *w_in);

/*
 * Blend: one row of samples. For each x,
 *   v = scale_src[x * scale_step] >> scale_shift
 *   dst[x] = clip(src[x] + ((scaling[v] * grain[x] + (1 << (round_shift - 1)))
 *                           >> round_shift), lo, hi)
 * scale_src is src itself for luma/RGB (step 1) and the co-located luma row
 * for chroma (step 1 << chroma shift). dst may equal src.
 * Requires |scaling[v]| <= AIP_GRAIN_SCALING_MAX, so that with any int16
 * grain and round_shift <= 24 the 32-bit arithmetic cannot overflow.
 */
#define AIP_GRAIN_SCALING_MAX 65279
#define AIP_DECL_GRAIN_BLEND_FN(name, pixel)                               \
void name(pixel *dst, const pixel *src, const int16_t *grain,              \
          const int32_t *scaling, const pixel *scale_src, int scale_step,  \
          int scale_shift, int round_shift, int lo, int hi, int w)

typedef AIP_DECL_GRAIN_BLEND_FN((*aip_grain_blend8_fn), uint8_t);
typedef AIP_DECL_GRAIN_BLEND_FN((*aip_grain_blend16_fn), uint16_t);

AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_8_c, uint8_t);
AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_16_c, uint16_t);
AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_8_avx2, uint8_t);
AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_16_avx2, uint16_t);

typedef struct AIPGrainDSP {
    aip_grain_blend8_fn  blend8;
    aip_grain_blend16_fn blend16;
} AIPGrainDSP;

/* C references first, then the best SIMD the AIP_CPU_* flags allow. */
void aip_grain_dsp_init(AIPGrainDSP *dsp, int cpu_flags);

/*
 * Scaling lookup table. For a driver value v (in lut index units), with n its
 * position between black and white of the driver's range (0..1, clipped):
 *   shape(n) = 2 * min(n, 1 - n)   for overlay (the overlay blend's slope
 *                                   against a grain layer around mid-grey)
 *            = 1                    for add
 *   curve(n) = piecewise linear through (0, shadows) (0.5, midtones)
 *              (1, highlights)
 *   scaling[v] = round(gain * shape(n) * curve(n) * 2^round_shift)
 * gain is the grain-to-output factor (output code values per grain unit).
 */
enum AIPGrainShape {
    AIP_GRAIN_SHAPE_OVERLAY,
    AIP_GRAIN_SHAPE_ADD,
};

typedef struct AIPGrainCurve {
    double shadows, midtones, highlights;
} AIPGrainCurve;

/* Fill lut_entries values. black and white are the driver's range in
 * sample units, index_shift maps samples to lut indices. */
void aip_grain_scaling_lut(int32_t *lut, int lut_entries, int index_shift,
                           int black, int white, enum AIPGrainShape shape,
                           const AIPGrainCurve *curve, double gain,
                           int round_shift);

#endif /* AIPOST_GRAIN_H */
