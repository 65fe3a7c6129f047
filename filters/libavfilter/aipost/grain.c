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

/* Normalised Gaussian taps in Q16; returns the radius. */
static int gaussian_taps(double size, int32_t *taps, int max_radius)
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

    rx = gaussian_taps(size_x, taps_x, 64);
    ry = gaussian_taps(size_y, taps_y, 64);
    ext_w = T + 2 * rx;
    ext_h = T + 2 * ry;

    p->seed     = aip_hash4(seed, (uint64_t)plane_id, 0x6772616eULL, 0);
    p->template = malloc(sizeof(*p->template) * T * T);
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

static inline int16_t fade(int a, int wa, int b, int wb)
{
    return (int16_t)((a * wa + b * wb + (1 << (AIP_GRAIN_WEIGHT_SHIFT - 1))) >> AIP_GRAIN_WEIGHT_SHIFT);
}

void aip_grain_offsets(const AIPGrainPlane *p, uint32_t *offsets, uint64_t frame_key,
                       int blocks_w, int blocks_h)
{
    const uint32_t range = T - AIP_GRAIN_BLOCK - p->overlap + 1;

    for (int by = 0; by < blocks_h; by++)
        for (int bx = 0; bx < blocks_w; bx++) {
            const uint64_t h = aip_hash4(p->seed, frame_key, (uint64_t)by, (uint64_t)bx);
            const uint32_t ox = aip_bounded((uint32_t)h, range);
            const uint32_t oy = aip_bounded((uint32_t)(h >> 32), range);
            offsets[by * blocks_w + bx] = oy << 16 | ox;
        }
}

/* Row `row` (0 .. block + overlap - 1) of the block row whose offsets are
 * given, across the width, with horizontal cross-fades between blocks. */
static void block_row(const AIPGrainPlane *p, int16_t *dst, const uint32_t *offsets,
                      int row, int w)
{
    const int overlap = p->overlap;
    const int16_t *prev = NULL;     /* previous block's extension */

    for (int bx = 0, x0 = 0; x0 < w; bx++, x0 += AIP_GRAIN_BLOCK) {
        const int16_t *src = p->template + ((offsets[bx] >> 16) + row) * T + (offsets[bx] & 0xffff);
        int16_t *out = dst + x0;
        int i = 0;

        if (w - x0 >= AIP_GRAIN_BLOCK) {
            /* constant size: the compiler inlines the copy */
            memcpy(out, src, AIP_GRAIN_BLOCK * sizeof(*out));
        } else {
            memcpy(out, src, (w - x0) * sizeof(*out));
        }
        if (prev)
            for (; i < overlap && x0 + i < w; i++)
                out[i] = fade(prev[i], p->fade_out[i], src[i], p->fade_in[i]);
        prev = src + AIP_GRAIN_BLOCK;
    }
}

void aip_grain_row(const AIPGrainPlane *p, const uint32_t *offsets, int blocks_w,
                   int16_t *dst, int16_t *tmp, int y, int w)
{
    const int by = y / AIP_GRAIN_BLOCK;
    const int row = y - by * AIP_GRAIN_BLOCK;

    block_row(p, dst, offsets + by * blocks_w, row, w);
    if (by > 0 && row < p->overlap) {
        /* The block row above extends `overlap` rows into this one. */
        const int w_out = p->fade_out[row], w_in = p->fade_in[row];
        block_row(p, tmp, offsets + (by - 1) * blocks_w, AIP_GRAIN_BLOCK + row, w);
        for (int x = 0; x < w; x++)
            dst[x] = fade(tmp[x], w_out, dst[x], w_in);
    }
}

void aip_grain_mix_rows(int16_t *dst, const int16_t *a, const int16_t *b,
                        int wa, int wb, int w)
{
    for (int x = 0; x < w; x++)
        dst[x] = fade(a[x], wa, b[x], wb);
}

void aip_grain_scaling_lut(int32_t *lut, int lut_entries, int index_shift,
                           int black, int white, enum AIPGrainShape shape,
                           const AIPGrainCurve *curve, double gain,
                           int round_shift)
{
    const double one = (double)(1 << round_shift);

    for (int i = 0; i < lut_entries; i++) {
        /* The centre of the bucket of samples that share this entry. */
        const double v = (double)((int64_t)i << index_shift) +
                         (index_shift ? (double)(1 << (index_shift - 1)) : 0.0);
        double n = (v - black) / (double)(white - black), s, c;

        n = n < 0 ? 0 : n > 1 ? 1 : n;
        s = shape == AIP_GRAIN_SHAPE_OVERLAY ? 2.0 * (n < 1 - n ? n : 1 - n) : 1.0;
        c = n < 0.5 ? curve->shadows  + (curve->midtones   - curve->shadows)  * (n / 0.5)
                    : curve->midtones + (curve->highlights - curve->midtones) * ((n - 0.5) / 0.5);
        lut[i] = (int32_t)floor(gain * s * c * one + 0.5);
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
    dsp->blend8  = aip_grain_blend_8_c;
    dsp->blend16 = aip_grain_blend_16_c;
#if AIP_HAVE_X86_SIMD
    if (!(cpu_flags & AIP_CPU_AVX2))
        return;
    dsp->blend8  = aip_grain_blend_8_avx2;
    dsp->blend16 = aip_grain_blend_16_avx2;
#else
    (void)cpu_flags;
#endif
}
