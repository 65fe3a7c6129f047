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
    /* (out, in) pairs for the first AIP_GRAIN_MAX_OVERLAP samples of a
     * block, (0, 1.0) past the overlap: a fade over a fixed width */
    int16_t fade_pairs[2 * AIP_GRAIN_MAX_OVERLAP];
} AIPGrainPlane;

/* Template samples of a block's row: offsets pack (y << 16 | x). */
static inline const int16_t *block_start(const AIPGrainPlane *p, uint32_t offset, int row)
{
    return p->template + ((offset >> 16) + row) * AIP_GRAIN_TEMPLATE_SIZE + (offset & 0xffff);
}

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

/* Block offsets are drawn in [0, range) on both axes, so that a block and
 * its cross-fade extensions stay inside the template. */
static inline uint32_t aip_grain_offset_range(const AIPGrainPlane *p)
{
    return AIP_GRAIN_TEMPLATE_SIZE - AIP_GRAIN_BLOCK - p->overlap + 1;
}

/**
 * The normalised Gaussian blur (Q16 taps, 2 * radius + 1 of them) that
 * gives white noise an autocorrelation of full width at half maximum
 * `size` samples: the templates' blur, also used for skintexture's tile.
 * Taps are the same integers on every machine (no libm). Returns the
 * radius, at most max_radius (<= 64); 0 (one tap of 1.0) for sizes far
 * below a sample.
 */
int aip_grain_gaussian_taps(double size, int32_t *taps, int max_radius);

/* Blocks that cover a plane of the given size. */
#define AIP_GRAIN_BLOCKS(n) (((n) + AIP_GRAIN_BLOCK - 1) / AIP_GRAIN_BLOCK)

/**
 * Where each block of a frame takes its grain from in the template: one
 * offset per block (blocks_w * blocks_h), a pure function of (p, frame_key,
 * block position). Made once per frame and plane, read by every row.
 */
void aip_grain_offsets(const AIPGrainPlane *p, uint32_t *offsets, uint64_t frame_key,
                       int blocks_w, int blocks_h);

struct AIPGrainDSP;

/**
 * Grain of row y of a plane: w values into dst, from the frame's block
 * offsets. tmp is scratch of at least w values. Rows can be made in any
 * order by any thread.
 */
void aip_grain_row(const struct AIPGrainDSP *dsp, const AIPGrainPlane *p,
                   const uint32_t *offsets, int blocks_w,
                   int16_t *dst, int16_t *tmp, int y, int w);

/* dst = (a * wa + b * wb + 64) >> 7; used for the cross-fade of block rows,
 * correlated temporal grain (cos/sin weights) and for adding an independent
 * colour component. |wa|, |wb| <= 128; dst may be a or b. */
#define AIP_DECL_GRAIN_MIX_FN(name) \
void name(int16_t *dst, const int16_t *a, const int16_t *b, int wa, int wb, int w)

/* Variance-preserving Q7 cross-fade weight pair at phase t in [0, 1]:
 * round(128 cos(t pi / 2)), round(128 sin(t pi / 2)), computed with basic
 * arithmetic only so every machine gets the same integers. */
void aip_grain_fade_weights(double t, int *w_out, int *w_in);

/*
 * Scaling: how much grain a sample gets, as a function of the brightness v
 * that drives it (the sample itself, or the co-located luma for chroma).
 * With n the position of v between black and white of the driver's range
 * (0..1, clipped):
 *   shape(n) = 2 * min(n, 1 - n)   for overlay (the overlay blend's slope
 *                                   against a grain layer around mid-grey)
 *            = 1                    for add
 *   curve(n) = piecewise linear through (0, shadows) (0.5, midtones)
 *              (1, highlights)
 *   exact(v) = gain * shape(n) * curve(n) * 2^round_shift
 * gain is the grain-to-output factor (output code values per grain unit).
 *
 * The table is indexed by v >> index_shift (drivers deeper than 10 bits
 * share entries, evaluated at the centre of their bucket) and holds exact(v)
 * rounded, except for 8-bit drivers: there it is the linear interpolation
 * in integers of 17 knots, exact(v) rounded at t = 2v - black - white =
 * 32 j - 256 (j = 0..16), so that mid-grey, where overlay peaks, is a knot.
 * With o = 256 - black - white, u = t + 256 = 2v + o is taken as
 *   u = 2 clip(v + (o >> 1), 0, 255) + (o & 1),  j = u >> 5, f = u & 31,
 *   lut[v] = knot[j] + ((knot[j + 1] - knot[j]) * f + 16) >> 5,
 * (the clip keeps u in 0..511 and is a saturating byte add in SIMD), and
 * for overlay lut[v] = 0 at and beyond black and white, as exact(v) is,
 * where the corner between knots would leave a trace of grain.
 * Over 16 code values a product of two linear pieces is nearly linear (the
 * error is below 0.6 % of the peak for any curve with |midtones - shadows|
 * and |highlights - midtones| <= 1), and the definition lets 8-bit SIMD
 * compute the table from its knots in registers instead of loading it.
 */
#define AIP_GRAIN_KNOTS 17

enum AIPGrainShape {
    AIP_GRAIN_SHAPE_OVERLAY,
    AIP_GRAIN_SHAPE_ADD,
};

typedef struct AIPGrainCurve {
    double shadows, midtones, highlights;
} AIPGrainCurve;

typedef struct AIPGrainScaling {
    int32_t lut[AIP_GRAIN_LUT_SIZE];
    int entries;
    int index_shift;            /* driver sample >> index_shift = lut index */
    int round_shift;            /* fixed point of the lut values */
    int t_offset;               /* 8-bit: o = 256 - black - white */
    int zero_outside;           /* 8-bit overlay: 0 at v <= black, v >= white */
    int black, white;
    int32_t knot[AIP_GRAIN_KNOTS];
    /* 8-bit with round_shift 15 and knots within int16: knots 0..15 and
     * the differences to the next knot as low and high bytes, the form the
     * SIMD's byte shuffles look them up in. */
    int knots16;
    uint8_t knot_lo[16], knot_hi[16], diff_lo[16], diff_hi[16];
} AIPGrainScaling;

/* |lut| values stay within this, so that with any int16 grain and
 * round_shift <= 24 the blend's 32-bit arithmetic cannot overflow. */
#define AIP_GRAIN_SCALING_MAX 65279

/**
 * Build the scaling of a plane whose drivers have the given bit depth.
 * black and white are the driver's range in sample units. The fixed point
 * is the finest within AIP_GRAIN_SCALING_MAX, except for 8-bit drivers,
 * which take 15 when the table fits int16: then the 16-bit SIMD applies
 * (a 15-bit fraction is finer than 8-bit output needs).
 * gain must be >= 0, curve points in [0, 4].
 */
void aip_grain_scaling_init(AIPGrainScaling *sc, int depth, int black, int white,
                            enum AIPGrainShape shape, const AIPGrainCurve *curve,
                            double gain);

/*
 * Blend: one row of samples. For each x,
 *   v = sc->lut[scale_src[x * scale_step] >> sc->index_shift]
 *   dst[x] = clip(src[x] + ((v * grain[x] + (1 << (sc->round_shift - 1)))
 *                           >> sc->round_shift), lo, hi)
 * scale_src is src itself for luma/RGB (step 1) and the co-located luma row
 * for chroma (step 1 << chroma shift). dst may equal src.
 */
#define AIP_DECL_GRAIN_BLEND_FN(name, pixel)                                   \
void name(pixel *dst, const pixel *src, const int16_t *grain,                  \
          const AIPGrainScaling *sc, const pixel *scale_src, int scale_step,   \
          int lo, int hi, int w)

typedef AIP_DECL_GRAIN_BLEND_FN((*aip_grain_blend8_fn), uint8_t);
typedef AIP_DECL_GRAIN_BLEND_FN((*aip_grain_blend16_fn), uint16_t);

AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_8_c, uint8_t);
AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_16_c, uint16_t);
AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_8_avx2, uint8_t);
AIP_DECL_GRAIN_BLEND_FN(aip_grain_blend_16_avx2, uint16_t);

/* Row `row` (0 .. block + overlap - 1) of a block row, from block bx0 to
 * the end of the w samples of dst, with horizontal cross-fades between
 * blocks; offsets are the block row's. */
#define AIP_DECL_GRAIN_BLOCK_ROW_FN(name)                                        \
void name(const AIPGrainPlane *p, int16_t *dst, const uint32_t *offsets, int row, \
          int bx0, int w)

typedef AIP_DECL_GRAIN_BLOCK_ROW_FN((*aip_grain_block_row_fn));
AIP_DECL_GRAIN_BLOCK_ROW_FN(aip_grain_block_row_c);
AIP_DECL_GRAIN_BLOCK_ROW_FN(aip_grain_block_row_avx2);

typedef AIP_DECL_GRAIN_MIX_FN((*aip_grain_mix_fn));
AIP_DECL_GRAIN_MIX_FN(aip_grain_mix_rows_c);
AIP_DECL_GRAIN_MIX_FN(aip_grain_mix_rows_avx2);

typedef struct AIPGrainDSP {
    aip_grain_blend8_fn  blend8;
    aip_grain_blend16_fn blend16;
    aip_grain_mix_fn     mix_rows;
    aip_grain_block_row_fn block_row;
} AIPGrainDSP;

/* C references first, then the best SIMD the AIP_CPU_* flags allow. */
void aip_grain_dsp_init(AIPGrainDSP *dsp, int cpu_flags);

#endif /* AIPOST_GRAIN_H */
