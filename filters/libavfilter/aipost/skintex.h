/*
 * Skin texture kernels of skintexture (and of skintexture_opencl, which
 * uploads the same tables and runs the same per-sample arithmetic).
 *
 * Texture. A periodic tile of band-pass "skin" texture is made once: a mix
 * of pores (sparse dark pits, the negative tail of a smooth noise field)
 * and fine variation (a difference of Gaussians of white noise), both at
 * the feature size `scale`, with everything coarser than about 3 * scale
 * taken out (so the texture carries no colour of its own: the low-pass
 * picture is unchanged), normalised to a deviation of AIP_SKINTEX_UNIT.
 * Every texel is a pure function of (seed, texel position): its white
 * noise comes from the counter-based generator keyed by the position in the
 * texture's own coordinates. The tile repeats every AIP_SKINTEX_PERIOD
 * pixels; features below 3 pixels are made on a grid of half pixels so that
 * sampling between texels does not soften them.
 *
 * Texture coordinates. The texture is not laid on the screen but on the
 * content: each node of a grid (aipost/motion.h's nodes, pitch
 * 1 << grid_log2) carries the texture coordinate (u, v) of the content at
 * that node, in Q AIP_SKINTEX_COORD_BITS pixels modulo 2^32 (the tile's
 * period divides 2^32, so wrapping is invisible). A map starts as the
 * identity (u, v) = (x, y); each frame it is advected by the motion field:
 * a node takes the coordinate the content had where it came from, map(p) =
 * previous map(p - v(p)), bilinear between nodes, continued as the identity
 * outside the grid. A pan shifts the texture with the skin; a zoom spreads
 * or packs the coordinates and so the pores.
 *
 * Layers. Accumulated motion error would slowly distort a map, and a map
 * that depends on every earlier frame would tie a segment's look to where
 * the clip was cut. So texture comes from two maps at a time: a new map
 * starts (identity) every `anchor` frames, and the texture is the mix of
 * the newest map and the one before, with linear weights: the newest rises
 * from 0 to 1 over its first period while the older one fades out. The mix
 * of two copies of the texture offset by d has the deviation of one copy
 * times sqrt(wa^2 + wb^2 + 2 wa wb R(d)), R the texture's autocorrelation:
 * the layers' weights are divided by that (R from the table in
 * AIPSkinTexture), so the strength does not breathe over the period. When
 * the two maps coincide (a still shot), the mix is the texture itself,
 * taken once: a still shot gets a still texture, bit for bit.
 *
 * Amount. In each node's block (2 node pitches square around it) the
 * energy of the input's luma in the texture's band is measured with
 * aip_skintex_band_sum / _energy (a difference of box blurs tuned to `scale`, each
 * value clipped at twice the target so that edges count as little), and
 * the texture is added with the deviation that brings that band up to the
 * target: amplitude = sqrt(max(0, target^2 - energy)) / band_gain, band_gain
 * being the tile's own response to the same measure. Waxy skin gets the
 * whole target; skin with texture of its own gets less, or nothing.
 *
 * Per sample (aip_skintex_rows):
 *   m     = skin likelihood 0..255, bilinear from the analysis plane
 *           (samples at the centres of their 2^mask_log2 blocks)
 *   if m <= threshold: the sample is not touched at all
 *   w     = weight[m], Q8 (0 at the threshold, 256 from a quarter of the
 *           range above it: aip_skintex_weights)
 *   (u,v) = bilinear from the four nodes around the sample, per layer
 *   t     = bilinear sample of the tile at (u, v) (luma), or at
 *           (u / 2 + offset, v / 2 + offset) (chroma: larger, independent
 *           blotches of redness)
 *   a     = bilinear amplitude per layer, times w
 *   out   = clip(in + (sum over layers of t * a * gain, rounded, in the
 *           plane's code values))
 * "Bilinear" is always done in two steps with one rounding each: first
 * down the columns of the nodes (or analysis samples) above and below,
 * then along the row; both steps are spelled out in skintex.c and are the
 * definition the SIMD and OpenCL versions reproduce bit for bit.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_SKINTEX_H
#define AIPOST_SKINTEX_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "motion.h"

/* Texture values: deviation AIP_SKINTEX_UNIT, clipped at +-4 deviations
 * (no lone specks). */
#define AIP_SKINTEX_UNIT        1024
#define AIP_SKINTEX_UNIT_BITS   10
#define AIP_SKINTEX_LIMIT       4095
/* Texture coordinates: pixels with this many fraction bits, modulo 2^32. */
#define AIP_SKINTEX_COORD_BITS  6
/* The texture repeats every this many pixels. */
#define AIP_SKINTEX_PERIOD      512
/* Feature sizes (pixels) the tile supports; below 3 the tile is made on
 * a half-pixel grid. */
#define AIP_SKINTEX_MIN_SCALE   0.5
#define AIP_SKINTEX_MAX_SCALE   8.0
/* Autocorrelation table: entry i at distance sqrt(i / 16) pixels. */
#define AIP_SKINTEX_CORR_SIZE   1024
/* Amplitudes: Q8 code values of 8-bit video per unit texture deviation. */
#define AIP_SKINTEX_AMP_BITS    8
/* Largest amplitude (keeps every product of the row kernel within int32). */
#define AIP_SKINTEX_AMP_MAX     16383
/* Offset of the chroma texture in the tile, pixels (Q COORD_BITS). */
#define AIP_SKINTEX_CHROMA_OFFSET_U (173u << AIP_SKINTEX_COORD_BITS)
#define AIP_SKINTEX_CHROMA_OFFSET_V (311u << AIP_SKINTEX_COORD_BITS)

typedef struct AIPSkinTexture {
    int16_t *tile;              /* (side + 1) rows of `stride`: column and
                                   row `side` repeat 0, so bilinear reads
                                   need no wrap */
    ptrdiff_t stride;           /* in samples */
    int side_log2;              /* side = 1 << side_log2 texels */
    int texel_log2;             /* texels per pixel, log2: 1 below scale 3 */
    double scale;               /* feature size, pixels */
    int band_r1, band_r2;       /* radii of the band measure's box blurs */
    int32_t band_gain;          /* Q12: band deviation of the texture per
                                   unit deviation, as aip_skintex_band_energy
                                   measures it */
    int16_t corr[AIP_SKINTEX_CORR_SIZE];    /* Q12 autocorrelation */
} AIPSkinTexture;

/**
 * Make the tile.
 * @param scale  feature size (pore diameter) in pixels, MIN_SCALE..MAX_SCALE
 * @param pores  share of pores in the mix, 0 (fine variation only) .. 1
 * @return 0, -EINVAL, -ENOMEM
 */
int  aip_skintex_init(AIPSkinTexture *t, uint64_t seed, double scale, double pores);
void aip_skintex_uninit(AIPSkinTexture *t);

/* Bilinear sample of the tile at texture coordinates (u, v). */
static inline int aip_skintex_sample(const AIPSkinTexture *t, uint32_t u, uint32_t v)
{
    const int fb = AIP_SKINTEX_COORD_BITS, one = 1 << fb, half = one >> 1;
    const uint32_t mask = (1u << t->side_log2) - 1;
    const uint32_t tu = u << t->texel_log2, tv = v << t->texel_log2;
    const int fu = (int)(tu & (one - 1)), fv = (int)(tv & (one - 1));
    const int16_t *r0 = t->tile + (ptrdiff_t)((tv >> fb) & mask) * t->stride + ((tu >> fb) & mask);
    const int16_t *r1 = r0 + t->stride;
    const int a = r0[0] + (((r0[1] - r0[0]) * fu + half) >> fb);
    const int b = r1[0] + (((r1[1] - r1[0]) * fu + half) >> fb);
    return a + (((b - a) * fv + half) >> fb);
}

/* ------------------------------------------------------------ amount */

/* Radii of the band measure for a feature size: band = box(2 r1 + 1) -
 * box(2 r2 + 1), r1 = floor(scale / 2), r2 = r1 + max(1, round(scale)). */
void aip_skintex_band_radii(double scale, int *r1, int *r2);

/* Scratch (uint32_t) aip_skintex_band_sum needs for a block. */
#define AIP_SKINTEX_BAND_SCRATCH(bw, bh, r2) ((size_t)((bw) + 2 * (r2) + 1) * ((bh) + 2 * (r2) + 1))

/**
 * Sum of squared band values over the block [x0, x1) x [y0, y1) of an
 * 8-bit plane of size w x h (samples outside repeat the edge), each |band|
 * clipped at `clip` (Q8 code values; 0: no clip) first, so that an edge (an
 * eyelid, a lip) crossing a block of waxy skin does not pass for texture.
 * In units of (code value * n1 * n2)^2, n = (2 r + 1)^2: exact integers, a
 * pure function of the plane and the block, and additive: the sum over a
 * union of blocks is the sum of their sums (the filter sums node blocks
 * from the cells they are made of).
 */
uint64_t aip_skintex_band_sum(const uint8_t *plane, ptrdiff_t stride, int w, int h,
                              int x0, int y0, int x1, int y1, int r1, int r2,
                              int32_t clip, uint32_t *scratch);

/**
 * The sums of aip_skintex_band_sum for ncells blocks side by side (columns
 * x0 + c * cell_w .. + cell_w, the last one cut at w; rows y0 .. y1 - 1)
 * into sums[c], in one pass over the strip, over the samples at even
 * columns and even rows of the plane only (a quarter: the energy is a mean
 * of correlated values; aip_skintex_band_count gives how many). scratch:
 * AIP_SKINTEX_BAND_STRIP_SCRATCH(ncells * cell_w, y1 - y0, r2) uint32_t.
 */
#define AIP_SKINTEX_BAND_STRIP_SCRATCH(bw, bh, r2) \
    (AIP_SKINTEX_BAND_SCRATCH(bw, bh, r2) + ((size_t)(bw) + 2 * (r2) + 4) / 4 + 1)
void aip_skintex_band_sums(const uint8_t *plane, ptrdiff_t stride, int w, int h,
                           int x0, int ncells, int cell_w, int y0, int y1, int r1, int r2,
                           int32_t clip, uint64_t *sums, uint32_t *scratch);

/* Samples at even columns and rows in [x0, x1) x [y0, y1). */
static inline uint64_t aip_skintex_band_count(int x0, int y0, int x1, int y1)
{
    return (uint64_t)(((x1 + 1) >> 1) - ((x0 + 1) >> 1)) * (uint64_t)(((y1 + 1) >> 1) - ((y0 + 1) >> 1));
}

/* The mean squared band value (Q8 squared code values) of `count` samples
 * whose band_sum is `sum`. */
uint32_t aip_skintex_band_energy(uint64_t sum, uint64_t count, int r1, int r2);

/**
 * Amplitude (Q AIP_SKINTEX_AMP_BITS) that brings a block of band energy
 * `energy` (Q8) to the deviation `target` (Q8 code values) in the band:
 * sqrt(max(0, target^2 - energy)) / band_gain, clipped to AMP_MAX.
 */
int32_t aip_skintex_amplitude(const AIPSkinTexture *t, uint32_t energy, int32_t target);

/* ------------------------------------------------------------ maps */

/* Node maps are (u, v) pairs of uint32_t, nodes_w * nodes_h of them. */
void aip_skintex_map_identity(uint32_t *map, int nodes_w, int nodes_h, int grid_log2);

/**
 * dst(node) = src at (node position - vec(node)), bilinear between nodes
 * (rounded), continued as the identity outside the grid. dst != src.
 */
void aip_skintex_map_advect(uint32_t *dst, const uint32_t *src, const AIPMotionVector *vec,
                            int nodes_w, int nodes_h, int grid_log2);

/**
 * Q8 weights of the two layers at a node: wa, wb (Q8, wa + wb = 256) from
 * the phase, divided by the deviation of their mix when the layers' maps
 * differ by (du, dv) (Q COORD_BITS pixels; see the top of this file).
 * du = dv = 0 gives wa, wb unchanged.
 */
void aip_skintex_layer_gains(const AIPSkinTexture *t, int wa, int wb, int32_t du, int32_t dv,
                             int *ka, int *kb);

/* ------------------------------------------------------------ rows */

/*
 * A row is made in two passes. The first (C, in aip_skintex_rows) turns
 * node and analysis values into per-sample ones: the tile coordinates of
 * each layer (chroma's already halved and offset) and each layer's weighted
 * amplitude aw = ((a * w + 128) >> 8) * gain + 128) >> 8, 0 for samples
 * at or below the threshold and for layer b where it is not used (the
 * layers coincide, or layer b's weight is 0: then layer a carries the whole
 * amplitude). The second, the DSP function, samples and blends:
 *   acc    = sample(ua, va) * aw_a + sample(ub, vb) * aw_b
 *   out    = clip(in + ((acc + (1 << (shift - 1))) >> shift), 0, maxval)
 * for samples with aw_a or aw_b non-zero; the others keep their value.
 * shift = 26 - depth: a Q10 texture times a Q8 amplitude in 8-bit code
 * values is Q18 of an 8-bit code value, Q(26 - depth) of the plane's.
 */
typedef struct AIPSkinTexPixels {
    uint32_t *ua, *va, *ub, *vb;    /* tile coordinates */
    int32_t *aw_a, *aw_b;           /* weighted amplitudes, |aw| <= 2^14 */
    int two_layers;                 /* some aw_b of the row is non-zero */
} AIPSkinTexPixels;

/* The node values of one cell of a row, from its left node to its right. */
typedef struct AIPSkinTexCell {
    uint32_t ua, va, ub, vb;        /* at the left node */
    int32_t dua, dva, dub, dvb;     /* right minus left */
    int32_t a0, da0, a1, da1;       /* amplitudes of layer a and b */
} AIPSkinTexCell;

/*
 * First pass over the samples xs .. xe - 1 of one cell (luma positions
 * x << sub_x, fraction fx = (x << sub_x) & (2^grid_log2 - 1)):
 *   u  = ua + ((dua * fx + 2^(g - 1)) >> g), likewise v and layer b (the
 *        product and sum wrap modulo 2^32, the shift is arithmetic),
 *        then for chroma (u >> 1) + AIP_SKINTEX_CHROMA_OFFSET_U, ...;
 *   a  = a0 + ((da0 * fx + 2^(g - 1)) >> g), likewise layer b;
 *   aw = (((a * wq[x] + 128) >> 8) * gain + 128) >> 8.
 * May write up to 7 samples past xe (the arrays have room; the next cell
 * or nothing reads them). Returns the OR of the aw_b written for [xs, xe).
 */
#define AIP_DECL_SKINTEX_PREP_FN(name)                                              \
int32_t name(AIPSkinTexPixels *px, const AIPSkinTexCell *c, const int32_t *wq_,     \
             int xs, int xe, int sub_x, int grid_log2, int chroma, int32_t gain)

typedef AIP_DECL_SKINTEX_PREP_FN((*aip_skintex_prep_fn));
AIP_DECL_SKINTEX_PREP_FN(aip_skintex_prep_c);
AIP_DECL_SKINTEX_PREP_FN(aip_skintex_prep_avx2);

#define AIP_DECL_SKINTEX_ROW_FN(name, pixel)                                 \
void name(pixel *dst, const pixel *src, int x0, int x1,                      \
          const AIPSkinTexPixels *px, const AIPSkinTexture *t, int shift, int maxval)

typedef AIP_DECL_SKINTEX_ROW_FN((*aip_skintex_row8_fn), uint8_t);
typedef AIP_DECL_SKINTEX_ROW_FN((*aip_skintex_row16_fn), uint16_t);
AIP_DECL_SKINTEX_ROW_FN(aip_skintex_row_8_c, uint8_t);
AIP_DECL_SKINTEX_ROW_FN(aip_skintex_row_16_c, uint16_t);
AIP_DECL_SKINTEX_ROW_FN(aip_skintex_row_8_avx2, uint8_t);
AIP_DECL_SKINTEX_ROW_FN(aip_skintex_row_16_avx2, uint16_t);

typedef struct AIPSkinTexDSP {
    aip_skintex_prep_fn  prep;
    aip_skintex_row8_fn  row8;
    aip_skintex_row16_fn row16;
} AIPSkinTexDSP;

void aip_skintex_dsp_init(AIPSkinTexDSP *dsp, int cpu_flags);

/* Everything of a frame that its rows are made from. */
typedef struct AIPSkinTexFrame {
    const AIPSkinTexture *tex;
    const AIPSkinTexDSP *dsp;
    int width, height;          /* luma */
    int grid_log2, nodes_w, nodes_h;
    const uint32_t *map_a, *map_b;
    const int32_t *amp_a, *amp_b, *amp_t;
    const uint8_t *coincident;  /* (nodes_w - 1) x (nodes_h - 1) cells */
    int single;
    /* likelihood on the analysis grid: sample (i, j) is the mean of the
     * luma block at (i << mask_log2, j << mask_log2) */
    const uint8_t *mask;
    ptrdiff_t mask_stride;
    int mask_w, mask_h, mask_log2;
    const uint8_t *mask_row_max;    /* per analysis row: its largest value */
    int threshold;
    const uint16_t *weight;
    int depth;
} AIPSkinTexFrame;

/* Scratch (bytes) aip_skintex_rows needs for planes up to width w. */
size_t aip_skintex_rows_scratch(const AIPSkinTexFrame *f);

/* Likelihood above the threshold over which the weight rises to full. */
#define AIP_SKINTEX_SOFT_WIDTH 64

/* weight[m], Q8: 0 up to the threshold, then linear to 256 at
 * threshold + AIP_SKINTEX_SOFT_WIDTH (or 255), 256 above. */
void aip_skintex_weights(uint16_t *weight, int threshold);

/**
 * Texture on rows r0 .. r1 - 1 of one plane, in place: luma, or a chroma
 * plane subsampled by 2^sub_x, 2^sub_y (chroma = 1, gain Q8 signed: the
 * plane's share of the luma amplitude). Samples at or below the threshold
 * keep their value. Returns how many samples were above it.
 */
int64_t aip_skintex_rows(const AIPSkinTexFrame *f, void *plane, ptrdiff_t stride, int w,
                         int sub_x, int sub_y, int chroma, int32_t gain,
                         int r0, int r1, void *scratch);

/**
 * The likelihood as the samples of a row see it (the first step of
 * aip_skintex_rows, for show=mask and tests): out[x] at luma position
 * (x << sub_x, y), x < n. With skip_below >= 0, samples that cannot
 * exceed it may be written as 0 without being computed (-1: all exact).
 * tmp: mask_w + 1 int32_t. *span0, *span1 (may be NULL): the samples
 * computed, outside which out is 0.
 */
void aip_skintex_mask_row(const AIPSkinTexFrame *f, uint8_t *out, int y, int sub_x, int n,
                          int skip_below, int32_t *tmp, int *span0, int *span1);

#endif /* AIPOST_SKINTEX_H */
