/*
 * Film-grain synthesis and blending kernels (C reference).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "counter_rng.h"
#include "grain.h"

/* Template generation is floating point: it must give the same bits on
 * every machine, so no fused multiply-add may change the rounding. GCC in
 * ISO C mode (as FFmpeg builds) does not contract; clang obeys this. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define T AIP_GRAIN_TEMPLATE_SIZE

/* Full width at half maximum of the autocorrelation of white noise blurred
 * by a Gaussian of deviation s is 2 sqrt(2 ln 2) * sqrt(2) * s. */
#define FWHM_PER_BLUR_SIGMA 3.330218444630791

static inline int clip_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* exp(x) for x <= 0 with + - * / only (no libm), so template taps are the
 * same integers everywhere: halve x into [-1/1024, 0], Taylor, square back. */
static double exp_nonpositive(double x)
{
    int halvings = 0;
    double term = 1.0, sum = 1.0;

    while (x < -1.0 / 1024) {
        x *= 0.5;
        halvings++;
    }
    for (int k = 1; k < 8; k++) {
        term = term * x / k;
        sum += term;
    }
    while (halvings--)
        sum *= sum;
    return sum;
}

/* cos and sin of a in [0, pi / 2] by their Taylor series (basic arithmetic
 * only, see above); 14 terms are exact to double precision there. */
static void cos_sin_quadrant(double a, double *c, double *s)
{
    double tc = 1.0, ts = a, sc = 1.0, ss = a;
    const double a2 = a * a;

    for (int k = 1; k < 14; k++) {
        tc = -tc * a2 / ((2 * k - 1) * (2 * k));
        ts = -ts * a2 / ((2 * k) * (2 * k + 1));
        sc += tc;
        ss += ts;
    }
    *c = sc;
    *s = ss;
}

void aip_grain_fade_weights(double t, int *w_out, int *w_in)
{
    double c, s;

    t = t < 0 ? 0 : t > 1 ? 1 : t;
    cos_sin_quadrant(t * 1.5707963267948966, &c, &s);
    *w_out = (int)floor(c * (1 << AIP_GRAIN_WEIGHT_SHIFT) + 0.5);
    *w_in  = (int)floor(s * (1 << AIP_GRAIN_WEIGHT_SHIFT) + 0.5);
}

int aip_grain_gaussian_taps(double size, int32_t *taps, int max_radius)
{
    const double sigma = size / FWHM_PER_BLUR_SIGMA;
    const int radius = sigma < 0.2 ? 0 : clip_int((int)ceil(3.0 * sigma), 1, max_radius);
    double w[2 * 64 + 1], sum = 0;

    for (int k = -radius; k <= radius; k++) {
        w[k + radius] = radius ? exp_nonpositive(-(double)(k * k) / (2.0 * sigma * sigma)) : 1.0;
        sum += w[k + radius];
    }
    for (int k = 0; k <= 2 * radius; k++)
        taps[k] = (int32_t)floor(w[k] / sum * 65536.0 + 0.5);
    return radius;
}

int aip_grain_plane_init(AIPGrainPlane *p, uint64_t seed, int plane_id,
                         double size_x, double size_y)
{
    int32_t taps_x[2 * 64 + 1], taps_y[2 * 64 + 1];
    int rx, ry, ext_w, ext_h;
    int32_t *noise = NULL;
    int64_t *rows = NULL, *blurred = NULL;
    double sum = 0, sum2 = 0, mean, scale;
    const double max_size = size_x > size_y ? size_x : size_y;

    memset(p, 0, sizeof(*p));
    if (!(size_x > 0 && size_y > 0 && max_size <= AIP_GRAIN_MAX_SIZE))
        return -EINVAL;

    rx = aip_grain_gaussian_taps(size_x, taps_x, 64);
    ry = aip_grain_gaussian_taps(size_y, taps_y, 64);
    ext_w = T + 2 * rx;
    ext_h = T + 2 * ry;

    p->seed     = aip_hash4(seed, (uint64_t)plane_id, 0x6772616eULL, 0);
    /* zeroed padding: SIMD cross-fades read AIP_GRAIN_MAX_OVERLAP values
     * past a block's extension, with weight 0 past the overlap */
    p->template = calloc(T * T + AIP_GRAIN_MAX_OVERLAP, sizeof(*p->template));
    noise       = malloc(sizeof(*noise) * ext_w * ext_h);
    rows        = malloc(sizeof(*rows) * T * ext_h);
    blurred     = malloc(sizeof(*blurred) * T * T);
    if (!p->template || !noise || !rows || !blurred) {
        free(noise);
        free(rows);
        free(blurred);
        aip_grain_plane_uninit(p);
        return -ENOMEM;
    }

    for (int y = 0; y < ext_h; y++)
        for (int x = 0; x < ext_w; x++)
            noise[y * ext_w + x] = aip_gauss4(aip_hash4(p->seed, 1, (uint64_t)y, (uint64_t)x)) >> 4;

    /* Separable blur in exact integer arithmetic. */
    for (int y = 0; y < ext_h; y++)
        for (int x = 0; x < T; x++) {
            int64_t acc = 0;
            for (int k = 0; k <= 2 * rx; k++)
                acc += (int64_t)taps_x[k] * noise[y * ext_w + x + k];
            rows[y * T + x] = acc;
        }
    for (int y = 0; y < T; y++)
        for (int x = 0; x < T; x++) {
            int64_t acc = 0;
            for (int k = 0; k <= 2 * ry; k++)
                acc += taps_y[k] * (rows[(y + k) * T + x] >> 8);
            blurred[y * T + x] = acc;
            sum  += (double)acc;
            sum2 += (double)acc * (double)acc;
        }

    /* Normalise to zero mean and AIP_GRAIN_UNIT deviation, whatever the blur
     * did to the variance. */
    mean  = sum / (T * T);
    scale = AIP_GRAIN_UNIT / sqrt(sum2 / (T * T) - mean * mean);
    for (int i = 0; i < T * T; i++) {
        const double v = floor(((double)blurred[i] - mean) * scale + 0.5);
        p->template[i] = (int16_t)(v < -AIP_GRAIN_LIMIT ? -AIP_GRAIN_LIMIT :
                                   v >  AIP_GRAIN_LIMIT ?  AIP_GRAIN_LIMIT : v);
    }

    /* Cross-fade about as wide as half a grain, so grains straddling a block
     * edge blend instead of being cut. */
    p->overlap = clip_int((int)ceil(max_size / 2) + 1, 2, AIP_GRAIN_MAX_OVERLAP);
    for (int i = 0; i < p->overlap; i++) {
        int w_out, w_in;
        aip_grain_fade_weights((i + 1.0) / (p->overlap + 1.0), &w_out, &w_in);
        p->fade_out[i] = w_out;
        p->fade_in[i]  = w_in;
    }
    for (int i = 0; i < AIP_GRAIN_MAX_OVERLAP; i++) {
        p->fade_pairs[2 * i]     = i < p->overlap ? p->fade_out[i] : 0;
        p->fade_pairs[2 * i + 1] = i < p->overlap ? p->fade_in[i]  : 1 << AIP_GRAIN_WEIGHT_SHIFT;
    }

    free(noise);
    free(rows);
    free(blurred);
    return 0;
}

void aip_grain_plane_uninit(AIPGrainPlane *p)
{
    free(p->template);
    p->template = NULL;
}

/* Saturating, as SIMD packs do; grain never comes near the limits. */
static inline int16_t fade(int a, int wa, int b, int wb)
{
    return (int16_t)clip_int((a * wa + b * wb + (1 << (AIP_GRAIN_WEIGHT_SHIFT - 1))) >> AIP_GRAIN_WEIGHT_SHIFT,
                             INT16_MIN, INT16_MAX);
}

void aip_grain_offsets(const AIPGrainPlane *p, uint32_t *offsets, uint64_t frame_key,
                       int blocks_w, int blocks_h)
{
    const uint32_t range = aip_grain_offset_range(p);

    for (int by = 0; by < blocks_h; by++)
        for (int bx = 0; bx < blocks_w; bx++) {
            const uint64_t h = aip_hash4(p->seed, frame_key, (uint64_t)by, (uint64_t)bx);
            const uint32_t ox = aip_bounded((uint32_t)h, range);
            const uint32_t oy = aip_bounded((uint32_t)(h >> 32), range);
            offsets[by * blocks_w + bx] = oy << 16 | ox;
        }
}

AIP_DECL_GRAIN_BLOCK_ROW_FN(aip_grain_block_row_c)
{
    const int overlap = p->overlap;

    for (int bx = bx0, x0 = bx0 * AIP_GRAIN_BLOCK; x0 < w; bx++, x0 += AIP_GRAIN_BLOCK) {
        const int16_t *src = block_start(p, offsets[bx], row);
        int16_t *out = dst + x0;

        if (w - x0 >= AIP_GRAIN_BLOCK) {
            /* constant size: the compiler inlines the copy */
            memcpy(out, src, AIP_GRAIN_BLOCK * sizeof(*out));
        } else {
            memcpy(out, src, (w - x0) * sizeof(*out));
        }
        if (bx > 0) {
            /* the previous block's extension */
            const int16_t *prev = block_start(p, offsets[bx - 1], row) + AIP_GRAIN_BLOCK;
            for (int i = 0; i < overlap && x0 + i < w; i++)
                out[i] = fade(prev[i], p->fade_out[i], src[i], p->fade_in[i]);
        }
    }
}

void aip_grain_row(const AIPGrainDSP *dsp, const AIPGrainPlane *p,
                   const uint32_t *offsets, int blocks_w,
                   int16_t *dst, int16_t *tmp, int y, int w)
{
    const int by = y / AIP_GRAIN_BLOCK;
    const int row = y - by * AIP_GRAIN_BLOCK;

    dsp->block_row(p, dst, offsets + by * blocks_w, row, 0, w);
    if (by > 0 && row < p->overlap) {
        /* The block row above extends `overlap` rows into this one. */
        dsp->block_row(p, tmp, offsets + (by - 1) * blocks_w, AIP_GRAIN_BLOCK + row, 0, w);
        dsp->mix_rows(dst, tmp, dst, p->fade_out[row], p->fade_in[row], w);
    }
}

AIP_DECL_GRAIN_MIX_FN(aip_grain_mix_rows_c)
{
    for (int x = 0; x < w; x++)
        dst[x] = fade(a[x], wa, b[x], wb);
}

/* exact(v) of grain.h at twice the driver value, so bucket centres and
 * the 8-bit knots, which may fall between samples, stay integers. */
static double exact_scaling(int64_t v2, int black, int white, enum AIPGrainShape shape,
                            const AIPGrainCurve *curve, double gain_one)
{
    double n = (double)(v2 - 2 * (int64_t)black) / (2.0 * (white - black)), s, c;

    n = n < 0 ? 0 : n > 1 ? 1 : n;
    s = shape == AIP_GRAIN_SHAPE_OVERLAY ? 2.0 * (n < 1 - n ? n : 1 - n) : 1.0;
    c = n < 0.5 ? curve->shadows  + (curve->midtones   - curve->shadows)  * (n / 0.5)
                : curve->midtones + (curve->highlights - curve->midtones) * ((n - 0.5) / 0.5);
    return floor(gain_one * s * c + 0.5);
}

static void split_bytes(uint8_t *lo, uint8_t *hi, int v)
{
    *lo = (uint8_t)(v & 0xff);
    *hi = (uint8_t)((v >> 8) & 0xff);
}

void aip_grain_scaling_init(AIPGrainScaling *sc, int depth, int black, int white,
                            enum AIPGrainShape shape, const AIPGrainCurve *curve,
                            double gain)
{
    const double cmax = curve->shadows > curve->midtones ?
                        (curve->shadows > curve->highlights ? curve->shadows : curve->highlights) :
                        (curve->midtones > curve->highlights ? curve->midtones : curve->highlights);
    const double peak = gain * cmax;    /* largest table value at shift 0 */
    int shift = 24;

    memset(sc, 0, sizeof(*sc));
    sc->index_shift = depth > AIP_GRAIN_LUT_BITS ? depth - AIP_GRAIN_LUT_BITS : 0;
    sc->entries     = (((1 << depth) - 1) >> sc->index_shift) + 1;
    if (depth == 8 && peak * 32768.0 <= 32767.0)
        shift = 15;
    else
        while (shift > 1 && peak * (double)(1 << shift) > AIP_GRAIN_SCALING_MAX)
            shift--;
    sc->round_shift = shift;

    if (depth != 8) {
        for (int i = 0; i < sc->entries; i++) {
            /* twice the centre of the bucket of samples sharing entry i */
            const int64_t v2 = sc->index_shift ? ((2 * (int64_t)i + 1) << sc->index_shift) - 1
                                               : 2 * (int64_t)i;
            sc->lut[i] = (int32_t)exact_scaling(v2, black, white, shape, curve,
                                                gain * (double)(1 << shift));
        }
        return;
    }

    sc->t_offset     = 256 - black - white;
    sc->zero_outside = shape == AIP_GRAIN_SHAPE_OVERLAY;
    sc->black        = black;
    sc->white        = white;
    sc->knots16  = shift == 15 && black >= 0 && white <= 255;
    for (int j = 0; j < AIP_GRAIN_KNOTS; j++) {
        /* t = 2v - black - white = 32 j - 256 */
        sc->knot[j] = (int32_t)exact_scaling(32 * j - 256 + black + white, black, white,
                                             shape, curve, gain * (double)(1 << shift));
        if (sc->knot[j] > INT16_MAX)
            sc->knots16 = 0;
    }
    for (int v = 0; v < 256; v++) {
        const int u = 2 * clip_int(v + (sc->t_offset >> 1), 0, 255) + (sc->t_offset & 1);
        const int j = u >> 5, f = u & 31;
        sc->lut[v] = sc->knot[j] + (((sc->knot[j + 1] - sc->knot[j]) * f + 16) >> 5);
        if (sc->zero_outside && (v <= black || v >= white))
            sc->lut[v] = 0;
    }
    for (int j = 0; j < 16; j++) {
        split_bytes(&sc->knot_lo[j], &sc->knot_hi[j], sc->knot[j]);
        split_bytes(&sc->diff_lo[j], &sc->diff_hi[j], sc->knot[j + 1] - sc->knot[j]);
    }
}

#define BITDEPTH 8
#include "grain_tmpl.c"
#undef BITDEPTH

#define BITDEPTH 16
#include "grain_tmpl.c"
#undef BITDEPTH

void aip_grain_dsp_init(AIPGrainDSP *dsp, int cpu_flags)
{
    dsp->blend8   = aip_grain_blend_8_c;
    dsp->blend16  = aip_grain_blend_16_c;
    dsp->mix_rows  = aip_grain_mix_rows_c;
    dsp->block_row = aip_grain_block_row_c;
#if AIP_HAVE_X86_SIMD
    if (!(cpu_flags & AIP_CPU_AVX2))
        return;
    dsp->blend8   = aip_grain_blend_8_avx2;
    dsp->blend16  = aip_grain_blend_16_avx2;
    dsp->mix_rows  = aip_grain_mix_rows_avx2;
    dsp->block_row = aip_grain_block_row_avx2;
#else
    (void)cpu_flags;
#endif
}
