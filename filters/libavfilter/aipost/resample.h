/*
 * Separable resampling with sub-pixel source windows, for reframing filters
 * (socialprep) that crop a moving window out of a picture and scale it.
 *
 * A plane is resampled by a horizontal pass over each source row it needs
 * and a vertical pass over those rows. Samples travel as int16 at a fixed
 * 14-bit scale (AIP_RESAMPLE_BITS): code value v of a depth-d plane is
 * v << (14 - d), so 8-, 10- and 12-bit planes (and 16-bit ones, shifted
 * down) share every kernel, and the filters' overshoot has headroom.
 *
 * Where the window sits is a real number: output sample i of a pass is
 * centred on source coordinate start + i * step (source sample k sits at
 * k), so a window that moves by a fraction of a pixel per frame pans
 * smoothly instead of in whole-pixel steps (what cropping by pointer offset,
 * as libswscale is driven, cannot do). The filter is Catmull-Rom (Keys
 * cubic, a = -0.5), widened by the step when shrinking so that it
 * low-passes. Its weights are polynomials of the position evaluated in
 * double and rounded once to Q14: the same integers on every machine.
 * Taps that fall outside the plane fold onto its edge sample.
 *
 * All arithmetic on samples is integer and exact: the AVX2 kernels are
 * bit-identical with the C reference.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_RESAMPLE_H
#define AIPOST_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

/* Sample scale of the int16 rows: 0 .. (1 << 14) - 1 is black .. white of
 * the code range (not of the video range: limited-range black is 1024). */
#define AIP_RESAMPLE_BITS      14
#define AIP_RESAMPLE_MAX       ((1 << AIP_RESAMPLE_BITS) - 1)
/* Filter weights are Q14; each output's weights sum to exactly 1 << 14. */
#define AIP_RESAMPLE_COEF_BITS 14
/* Most taps per output sample: 4 for enlarging, 4 * step when shrinking;
 * shrinking by more than 8 is refused (scale in steps instead). */
#define AIP_RESAMPLE_MAX_TAPS  32
#define AIP_RESAMPLE_MAX_STEP  8.0

struct AIPResampleFilter;

typedef struct AIPResampleFilter {
    int dst_len;        /* output samples */
    int src_size;       /* source samples (the whole plane, not the window) */
    int taps;           /* weights per output sample */
    int32_t *pos;       /* first source sample of each output's taps, in
                         * [0, src_size - taps] */
    int16_t *coef;      /* dst_len * taps Q14 weights */
    int src_first;      /* source samples any tap reads: [src_first, src_end) */
    int src_end;
    size_t alloc;       /* outputs there is room for, reused */
    double start, step; /* what it was made for: the same again is free */
    /* 4 taps with every 4 consecutive outputs reading within 8 samples (any
     * enlargement): per group of 4 outputs, the byte offsets of their taps
     * from the group's first position (32 bytes: outputs 0-1, then 2-3), so
     * SIMD loads a group's window once and shuffles; has_shuf says whether
     * it holds. */
    uint8_t *shuf;
    int has_shuf;
} AIPResampleFilter;

/* Taps a filter of this step has (a multiple of 4; fewer on a plane
 * narrower than that). */
int aip_resample_taps(double step);

/**
 * Make the filter of one pass: dst_len outputs, output i centred on source
 * coordinate start + i * step, over a source of src_size samples.
 * Memory is kept across calls of the same or smaller size; a call with the
 * parameters of the previous one returns at once.
 * @return 0, -EINVAL (step <= 0 or > AIP_RESAMPLE_MAX_STEP, sizes < 1),
 *         -ENOMEM
 */
int  aip_resample_filter_init(AIPResampleFilter *f, int dst_len, double start,
                              double step, int src_size);
void aip_resample_filter_uninit(AIPResampleFilter *f);

/* The Catmull-Rom weight at distance x (in filter units), for tests. */
double aip_resample_kernel(double x);

/*
 * Horizontal pass of filter f: for i in [0, f->dst_len), with taps, pos
 * and coef of f,
 *   dst[i] = clip((sum_k src[pos[i] + k] * coef[i * taps + k] + (1 << 13)) >> 14,
 *                 -32768, 32767)
 * src has at least 8 readable samples past f->src_end (SIMD may load them;
 * they do not change the result).
 * src holds 14-bit samples (0..AIP_RESAMPLE_MAX); results keep the filter's
 * overshoot (about -15 % .. 115 %), which int16 holds (the clip never acts
 * on such input; it defines the result of any other).
 */
#define AIP_DECL_RESAMPLE_H_FN(name) \
void name(int16_t *dst, const int16_t *src, const struct AIPResampleFilter *f)

/*
 * Vertical pass: for x in [0, w)
 *   dst[x] = clip((sum_k rows[k][x] * coef[k] + (1 << 13)) >> 14, -32768, 32767)
 */
#define AIP_DECL_RESAMPLE_V_FN(name) \
void name(int16_t *dst, const int16_t *const *rows, const int16_t *coef, int taps, int w)

/*
 * Rows to output samples: dst[x] = clip((src[x] + (1 << (shift - 1))) >> shift, lo, hi)
 * with shift = 14 - depth (1..6); pack8 writes bytes, pack16 16-bit words.
 */
#define AIP_DECL_RESAMPLE_PACK_FN(name, pixel) \
void name(pixel *dst, const int16_t *src, int shift, int lo, int hi, int w)

/*
 * Vertical pass and pack in one: dst[x] = pack(v(x)) with v the vertical
 * pass's int16 result and pack as above; bit-exact with the two in turn.
 */
#define AIP_DECL_RESAMPLE_VPACK_FN(name, pixel) \
void name(pixel *dst, const int16_t *const *rows, const int16_t *coef, int taps, \
          int shift, int lo, int hi, int w)

typedef AIP_DECL_RESAMPLE_H_FN((*aip_resample_h_fn));
typedef AIP_DECL_RESAMPLE_V_FN((*aip_resample_v_fn));
typedef AIP_DECL_RESAMPLE_PACK_FN((*aip_resample_pack8_fn), uint8_t);
typedef AIP_DECL_RESAMPLE_PACK_FN((*aip_resample_pack16_fn), uint16_t);
typedef AIP_DECL_RESAMPLE_VPACK_FN((*aip_resample_vpack8_fn), uint8_t);
typedef AIP_DECL_RESAMPLE_VPACK_FN((*aip_resample_vpack16_fn), uint16_t);

AIP_DECL_RESAMPLE_H_FN(aip_resample_h_c);
AIP_DECL_RESAMPLE_V_FN(aip_resample_v_c);
AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack8_c, uint8_t);
AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack16_c, uint16_t);
AIP_DECL_RESAMPLE_VPACK_FN(aip_resample_vpack8_c, uint8_t);
AIP_DECL_RESAMPLE_VPACK_FN(aip_resample_vpack16_c, uint16_t);
AIP_DECL_RESAMPLE_H_FN(aip_resample_h_avx2);
AIP_DECL_RESAMPLE_V_FN(aip_resample_v_avx2);
AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack8_avx2, uint8_t);
AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack16_avx2, uint16_t);
AIP_DECL_RESAMPLE_VPACK_FN(aip_resample_vpack8_avx2, uint8_t);
AIP_DECL_RESAMPLE_VPACK_FN(aip_resample_vpack16_avx2, uint16_t);

typedef struct AIPResampleDSP {
    aip_resample_h_fn      h;
    aip_resample_v_fn      v;
    aip_resample_pack8_fn  pack8;
    aip_resample_pack16_fn pack16;
    aip_resample_vpack8_fn  vpack8;
    aip_resample_vpack16_fn vpack16;
} AIPResampleDSP;

/* Outputs must not overlap inputs (SIMD may compute a few outputs twice). */

/* C references first, then the best SIMD the AIP_CPU_* flags allow. */
void aip_resample_dsp_init(AIPResampleDSP *dsp, int cpu_flags);

/*
 * Source rows on demand: the 14-bit samples of source row `row`, columns
 * [x0, x1) at least, into dst[x0 .. x1) of each of nb_planes planes (planes
 * that share one geometry, as Cb and Cr, are fetched together so that a
 * fetch can treat them jointly). Called with rows in increasing order
 * within a run of outputs.
 */
typedef void (*aip_resample_fetch_fn)(void *opaque, int16_t *const *dst, int row, int x0, int x1);

#define AIP_RESAMPLE_MAX_PLANES 2

/*
 * Rows of a resampled picture, one at a time, for a range of output rows:
 * the horizontal pass runs once per source row, into a ring of the last
 * `fy->taps` rows, and every output row is one vertical pass over them.
 * One per thread: it owns its ring and scratch.
 */
typedef struct AIPResampler {
    const AIPResampleDSP *dsp;
    const AIPResampleFilter *fx, *fy;
    int nb_planes;
    aip_resample_fetch_fn fetch;
    void *opaque;
    int16_t *ring[AIP_RESAMPLE_MAX_PLANES];  /* fy->taps rows of fx->dst_len */
    int16_t *line[AIP_RESAMPLE_MAX_PLANES];  /* one source row, src width */
    ptrdiff_t ring_stride;
    int ring_rows;
    int lo, hi;                              /* source rows held: [lo, hi) */
    size_t alloc, zeroed;
    void *mem;
} AIPResampler;

/**
 * Prepare a resampler for filters fx (columns) and fy (rows). Memory is kept
 * across calls while it suffices; the filters must stay valid while rows are
 * made.
 * @return 0 or -ENOMEM
 */
int  aip_resampler_init(AIPResampler *r, const AIPResampleDSP *dsp,
                        const AIPResampleFilter *fx, const AIPResampleFilter *fy,
                        int nb_planes, aip_resample_fetch_fn fetch, void *opaque);
void aip_resampler_uninit(AIPResampler *r);

/* The vertical pass's inputs for output row y: rows[p][k] for tap k of
 * plane p (filtering source rows horizontally as needed); the weights are
 * fy->coef + y * fy->taps. For callers that run their own vertical pass
 * (aip_resampler_row is this and dsp->v). */
void aip_resampler_rows(AIPResampler *r, const int16_t *rows[][AIP_RESAMPLE_MAX_TAPS], int y);

/* Output row y (0 <= y < fy->dst_len) of each plane into dst[p][0 .. fx->dst_len).
 * Rows may come in any order; in increasing order each source row is
 * filtered horizontally once. */
void aip_resampler_row(AIPResampler *r, int16_t *const *dst, int y);

/*
 * Box blur of an int16 picture in place, `passes` times along rows then
 * columns (three passes approach a Gaussian of sigma ~ radius), edges
 * clamped; integer sums rounded half up. tmp holds max(w, h) samples.
 */
void aip_box_blur(int16_t *buf, ptrdiff_t stride, int w, int h, int radius, int passes,
                  int16_t *tmp);

#endif /* AIPOST_RESAMPLE_H */
