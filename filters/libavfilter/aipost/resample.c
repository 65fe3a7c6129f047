/*
 * Separable sub-pixel resampling: filters, C reference passes, the row
 * generator and a box blur. See resample.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "resample.h"

static inline int clip_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static inline int16_t clip_int16(int32_t v)
{
    return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

double aip_resample_kernel(double x)
{
    x = fabs(x);
    if (x < 1.0)
        return (1.5 * x - 2.5) * x * x + 1.0;
    if (x < 2.0)
        return ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0;
    return 0.0;
}

/* Width of the filter in source samples: 1 when enlarging, the step when
 * shrinking (the kernel stretched to low-pass at the output's Nyquist). */
static double filter_scale(double step)
{
    return step > 1.0 ? step : 1.0;
}

/* The support (4 source samples, times the step when shrinking), rounded
 * up to a multiple of 4 so that SIMD takes taps four at a time; the extra
 * taps weigh nothing. */
int aip_resample_taps(double step)
{
    return ((int)ceil(4.0 * filter_scale(step)) + 3) & ~3;
}

int aip_resample_filter_init(AIPResampleFilter *f, int dst_len, double start,
                             double step, int src_size)
{
    const double s = filter_scale(step);
    int taps = aip_resample_taps(step);
    double w[AIP_RESAMPLE_MAX_TAPS];

    if (dst_len < 1 || src_size < 1 || !(step > 0) || step > AIP_RESAMPLE_MAX_STEP ||
        !isfinite(start))
        return -EINVAL;
    if (taps > src_size)
        taps = src_size;
    if (f->coef && f->dst_len == dst_len && f->src_size == src_size &&
        f->start == start && f->step == step)
        return 0;

    /* Room for dst_len outputs of any number of taps. */
    if ((size_t)dst_len > f->alloc) {
        int16_t *coef = realloc(f->coef, (size_t)dst_len * AIP_RESAMPLE_MAX_TAPS * sizeof(*coef));
        int32_t *pos;
        uint8_t *shuf;
        if (!coef)
            return -ENOMEM;
        f->coef = coef;
        pos = realloc(f->pos, (size_t)dst_len * sizeof(*pos));
        if (!pos)
            return -ENOMEM;
        f->pos = pos;
        shuf = realloc(f->shuf, (size_t)(dst_len + 3) / 4 * 32);
        if (!shuf)
            return -ENOMEM;
        f->shuf = shuf;
        f->alloc = dst_len;
    }
    f->has_shuf = 0;
    f->dst_len  = dst_len;
    f->src_size = src_size;
    f->start    = start;
    f->step     = step;
    f->taps     = taps;
    f->src_first = src_size;
    f->src_end   = 0;

    for (int i = 0; i < dst_len; i++) {
        const double u = start + i * step;
        /* The first source sample strictly inside the support (u - 2s, u + 2s). */
        const double lo = floor(u - 2.0 * s) + 1.0;
        const int first = lo < -(double)AIP_RESAMPLE_MAX_TAPS ? -AIP_RESAMPLE_MAX_TAPS
                        : lo > src_size + (double)AIP_RESAMPLE_MAX_TAPS ? src_size + AIP_RESAMPLE_MAX_TAPS
                        : (int)lo;
        const int wstart = clip_int(first, 0, src_size - taps);
        const int full = aip_resample_taps(step);
        int16_t *c = f->coef + (size_t)i * taps;
        double sum = 0;
        int acc = 0, peak = 0;

        for (int k = 0; k < taps; k++)
            w[k] = 0;
        /* Every tap of the full support, folded onto the plane's edge
         * samples where it falls outside; the window [wstart, wstart + taps)
         * holds every folded tap (see the header). */
        for (int k = 0; k < full; k++) {
            const int src = first + k;
            const double wk = aip_resample_kernel((src - u) / s);
            w[clip_int(src, 0, src_size - 1) - wstart] += wk;
            sum += wk;
        }
        for (int k = 0; k < taps; k++) {
            c[k] = (int16_t)floor(w[k] / sum * (1 << AIP_RESAMPLE_COEF_BITS) + 0.5);
            acc += c[k];
            if (c[k] > c[peak])
                peak = k;
        }
        /* Exact unity: the rounding error goes to the largest weight. */
        c[peak] += (int16_t)((1 << AIP_RESAMPLE_COEF_BITS) - acc);
        f->pos[i] = wstart;
        if (wstart < f->src_first)
            f->src_first = wstart;
        if (wstart + taps > f->src_end)
            f->src_end = wstart + taps;
    }

    /* Shuffles of 4-tap groups whose windows fit in 8 samples. */
    if (taps == 4) {
        int ok = 1;
        for (int g = 0; g * 4 < dst_len && ok; g++) {
            const int i0 = g * 4;
            for (int j = 0; j < 4; j++) {
                const int i = i0 + j < dst_len ? i0 + j : dst_len - 1;
                const int off = f->pos[i] - f->pos[i0];
                if (off > 4) {
                    ok = 0;
                    break;
                }
                for (int k = 0; k < 4; k++) {
                    f->shuf[g * 32 + j * 8 + 2 * k]     = (uint8_t)(2 * (off + k));
                    f->shuf[g * 32 + j * 8 + 2 * k + 1] = (uint8_t)(2 * (off + k) + 1);
                }
            }
        }
        f->has_shuf = ok;
    }
    return 0;
}

void aip_resample_filter_uninit(AIPResampleFilter *f)
{
    free(f->coef);
    free(f->pos);
    free(f->shuf);
    memset(f, 0, sizeof(*f));
}

AIP_DECL_RESAMPLE_H_FN(aip_resample_h_c)
{
    const int taps = f->taps;
    for (int i = 0; i < f->dst_len; i++) {
        const int16_t *s = src + f->pos[i];
        const int16_t *c = f->coef + (size_t)i * taps;
        int32_t acc = 1 << (AIP_RESAMPLE_COEF_BITS - 1);
        for (int k = 0; k < taps; k++)
            acc += s[k] * c[k];
        dst[i] = clip_int16(acc >> AIP_RESAMPLE_COEF_BITS);
    }
}

AIP_DECL_RESAMPLE_V_FN(aip_resample_v_c)
{
    for (int x = 0; x < w; x++) {
        int32_t acc = 1 << (AIP_RESAMPLE_COEF_BITS - 1);
        for (int k = 0; k < taps; k++)
            acc += rows[k][x] * coef[k];
        dst[x] = clip_int16(acc >> AIP_RESAMPLE_COEF_BITS);
    }
}

AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack8_c, uint8_t)
{
    const int round = 1 << (shift - 1);
    for (int x = 0; x < w; x++)
        dst[x] = (uint8_t)clip_int((src[x] + round) >> shift, lo, hi);
}

AIP_DECL_RESAMPLE_PACK_FN(aip_resample_pack16_c, uint16_t)
{
    const int round = 1 << (shift - 1);
    for (int x = 0; x < w; x++)
        dst[x] = (uint16_t)clip_int((src[x] + round) >> shift, lo, hi);
}

#define DEFINE_VPACK_C(name, pixel)                                              \
AIP_DECL_RESAMPLE_VPACK_FN(name, pixel)                                          \
{                                                                                \
    const int round = 1 << (shift - 1);                                          \
    for (int x = 0; x < w; x++) {                                                \
        int32_t acc = 1 << (AIP_RESAMPLE_COEF_BITS - 1);                         \
        for (int k = 0; k < taps; k++)                                           \
            acc += rows[k][x] * coef[k];                                         \
        dst[x] = (pixel)clip_int((clip_int16(acc >> AIP_RESAMPLE_COEF_BITS) + round) >> shift, lo, hi); \
    }                                                                            \
}
DEFINE_VPACK_C(aip_resample_vpack8_c, uint8_t)
DEFINE_VPACK_C(aip_resample_vpack16_c, uint16_t)

void aip_resample_dsp_init(AIPResampleDSP *dsp, int cpu_flags)
{
    dsp->h      = aip_resample_h_c;
    dsp->v      = aip_resample_v_c;
    dsp->pack8  = aip_resample_pack8_c;
    dsp->pack16 = aip_resample_pack16_c;
    dsp->vpack8  = aip_resample_vpack8_c;
    dsp->vpack16 = aip_resample_vpack16_c;
#if AIP_HAVE_X86_SIMD
    if (!(cpu_flags & AIP_CPU_AVX2))
        return;
    dsp->h      = aip_resample_h_avx2;
    dsp->v      = aip_resample_v_avx2;
    dsp->pack8  = aip_resample_pack8_avx2;
    dsp->pack16 = aip_resample_pack16_avx2;
    dsp->vpack8  = aip_resample_vpack8_avx2;
    dsp->vpack16 = aip_resample_vpack16_avx2;
#else
    (void)cpu_flags;
#endif
}

/* ------------------------------------------------------------ row generator */

/* Rows and lines are padded so SIMD may read and write a little past w. */
#define ROW_PAD 32

int aip_resampler_init(AIPResampler *r, const AIPResampleDSP *dsp,
                       const AIPResampleFilter *fx, const AIPResampleFilter *fy,
                       int nb_planes, aip_resample_fetch_fn fetch, void *opaque)
{
    const ptrdiff_t stride = (fx->dst_len + ROW_PAD + 15) & ~(ptrdiff_t)15;
    const ptrdiff_t line = (fx->src_size + ROW_PAD + 15) & ~(ptrdiff_t)15;
    const size_t need = (size_t)nb_planes * (fy->taps * stride + line) * sizeof(int16_t);

    if (nb_planes < 1 || nb_planes > AIP_RESAMPLE_MAX_PLANES)
        return -EINVAL;
    if (need > r->alloc) {
        void *mem = realloc(r->mem, need);
        if (!mem)
            return -ENOMEM;
        r->mem = mem;
        r->alloc = need;
    }
    r->dsp = dsp;
    r->fx = fx;
    r->fy = fy;
    r->nb_planes = nb_planes;
    r->fetch = fetch;
    r->opaque = opaque;
    r->ring_stride = stride;
    r->ring_rows = fy->taps;
    for (int p = 0; p < nb_planes; p++) {
        r->ring[p] = (int16_t *)r->mem + (size_t)p * (fy->taps * stride + line);
        r->line[p] = r->ring[p] + fy->taps * stride;
    }
    /* Defined values where SIMD loads past what is fetched. */
    if (need > r->zeroed) {
        memset(r->mem, 0, need);
        r->zeroed = need;
    }
    r->lo = r->hi = 0;
    return 0;
}

void aip_resampler_uninit(AIPResampler *r)
{
    free(r->mem);
    memset(r, 0, sizeof(*r));
}

void aip_resampler_rows(AIPResampler *r, const int16_t *rows[][AIP_RESAMPLE_MAX_TAPS], int y)
{
    const AIPResampleFilter *fx = r->fx, *fy = r->fy;
    const int lo = fy->pos[y], hi = lo + fy->taps;

    /* Keep what the ring already holds of [lo, hi) when moving forward. */
    if (lo < r->lo || lo >= r->hi)
        r->lo = r->hi = lo;
    for (int s = r->hi > lo ? r->hi : lo; s < hi; s++) {
        const int slot = s % r->ring_rows;
        r->fetch(r->opaque, r->line, s, fx->src_first, fx->src_end);
        for (int p = 0; p < r->nb_planes; p++)
            r->dsp->h(r->ring[p] + slot * r->ring_stride, r->line[p], fx);
    }
    r->lo = lo;
    r->hi = hi;

    for (int p = 0; p < r->nb_planes; p++)
        for (int k = 0; k < fy->taps; k++)
            rows[p][k] = r->ring[p] + ((lo + k) % r->ring_rows) * r->ring_stride;
}

void aip_resampler_row(AIPResampler *r, int16_t *const *dst, int y)
{
    const int16_t *rows[AIP_RESAMPLE_MAX_PLANES][AIP_RESAMPLE_MAX_TAPS];

    aip_resampler_rows(r, rows, y);
    for (int p = 0; p < r->nb_planes; p++)
        r->dsp->v(dst[p], rows[p], r->fy->coef + (size_t)y * r->fy->taps, r->fy->taps,
                  r->fx->dst_len);
}

/* ------------------------------------------------------------ box blur */

static inline int32_t floor_div(int32_t a, int32_t b)
{
    return a / b - (a % b < 0);
}

static void blur_line(int16_t *dst, const int16_t *src, ptrdiff_t step, int n, int radius,
                      int16_t *tmp)
{
    const int len = 2 * radius + 1;
    int32_t sum = 0;

    for (int i = 0; i < n; i++)
        tmp[i] = src[i * step];
    for (int k = -radius; k <= radius; k++)
        sum += tmp[clip_int(k, 0, n - 1)];
    for (int i = 0; i < n; i++) {
        /* Rounded half up, for negative sums too. */
        dst[i * step] = (int16_t)floor_div(2 * sum + len, 2 * len);
        sum += tmp[clip_int(i + radius + 1, 0, n - 1)] - tmp[clip_int(i - radius, 0, n - 1)];
    }
}

void aip_box_blur(int16_t *buf, ptrdiff_t stride, int w, int h, int radius, int passes,
                  int16_t *tmp)
{
    if (radius < 1)
        return;
    for (int p = 0; p < passes; p++) {
        for (int y = 0; y < h; y++)
            blur_line(buf + y * stride, buf + y * stride, 1, w, radius, tmp);
        for (int x = 0; x < w; x++)
            blur_line(buf + x, buf + x, stride, h, radius, tmp);
    }
}
