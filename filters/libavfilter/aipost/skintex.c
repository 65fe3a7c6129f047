/*
 * Skin texture kernels (C reference). See skintex.h for the model.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "counter_rng.h"
#include "grain.h"
#include "skintex.h"

/* The tile is made in floating point, which must give the same bits
 * everywhere: no contraction into fused multiply-adds (see grain.c). */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

/* Blur sizes of the tile's fields, times the feature size: with these
 * the texture's autocorrelation is half its peak at about `scale`
 * (full width 1.50, 1.94, 3.84 px at scale 1.5, 2, 4; tests/unit pins it). */
#define FINE_SIZE 1.5       /* fine variation: G(1.5 s) - G(4 s) of white noise */
#define PIT_SIZE  1.2       /* the smooth field whose tail makes the pores */
#define LOW_SIZE  4.0       /* what is taken out as low-pass */

static inline int clip_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ((d * f + 2^(g - 1)) >> g) with d * f in wrapping 32-bit arithmetic
 * (what SIMD's 32-bit multiply does): texture coordinates live modulo
 * 2^32, and a map stretched far enough by zoom must not overflow into
 * undefined behaviour. The shift is arithmetic, of the wrapped product. */
static inline uint32_t lerp_step(uint32_t d, int f, int g)
{
    return (uint32_t)((int32_t)(d * (uint32_t)f + (1u << (g - 1))) >> g);
}

static inline uint32_t lerp_coord(uint32_t a, uint32_t b, int f, int g)
{
    return lerp_step(b - a, f, g);
}

#define FFMAX_INT(a, b) ((a) > (b) ? (a) : (b))
#define FFMIN_INT(a, b) ((a) < (b) ? (a) : (b))

/* Floor of the square root of a 64-bit integer, exactly. */
static uint64_t isqrt64(uint64_t n)
{
    uint64_t r = (uint64_t)sqrt((double)n);
    /* the double estimate is within one of the root; settle it */
    while (r > 0 && r * r > n)
        r--;
    while ((r + 1) * (r + 1) <= n)
        r++;
    return r;
}

/* ------------------------------------------------------------ tile */

/* Periodic separable blur of an n x n plane with Q16 taps, in place.
 * Each output is the same sum in the same order on every machine; the
 * loops run across x so the compiler can vectorise them without
 * reordering any one sum. */
static int blur_periodic(double *p, double *tmp, int n, double size)
{
    int32_t taps[2 * 64 + 1];
    const int r = aip_grain_gaussian_taps(size, taps, 64);
    double *pad = malloc(sizeof(*pad) * (n + 2 * r));
    double k[2 * 64 + 1];

    if (!pad)
        return -ENOMEM;
    for (int i = 0; i <= 2 * r; i++)
        k[i] = taps[i] / 65536.0;
    for (int y = 0; y < n; y++) {
        const double *row = p + (size_t)y * n;
        double *out = tmp + (size_t)y * n;
        for (int i = 0; i < n + 2 * r; i++)
            pad[i] = row[(i - r + n) & (n - 1)];
        for (int x = 0; x < n; x++)
            out[x] = 0;
        for (int t = 0; t <= 2 * r; t++)
            for (int x = 0; x < n; x++)
                out[x] += k[t] * pad[x + t];
    }
    for (int y = 0; y < n; y++) {
        double *out = p + (size_t)y * n;
        for (int x = 0; x < n; x++)
            out[x] = 0;
        for (int t = 0; t <= 2 * r; t++) {
            const double *row = tmp + (size_t)((y + t - r + n) & (n - 1)) * n;
            for (int x = 0; x < n; x++)
                out[x] += k[t] * row[x];
        }
    }
    free(pad);
    return 0;
}

static void mean_sd(const double *p, size_t n, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    *mean = s / n;
    for (size_t i = 0; i < n; i++)
        s2 += (p[i] - *mean) * (p[i] - *mean);
    *sd = sqrt(s2 / n);
}

static void normalise(double *p, size_t n)
{
    double mean, sd;
    mean_sd(p, n, &mean, &sd);
    for (size_t i = 0; i < n; i++)
        p[i] = sd > 0 ? (p[i] - mean) / sd : 0;
}

/* White Gaussian noise of one field, keyed by texel position. */
static void white_noise(double *p, int n, uint64_t key, int field)
{
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            p[y * n + x] = aip_gauss4(aip_hash4(key, (uint64_t)field, (uint64_t)y, (uint64_t)x)) /
                           AIP_GAUSS4_SIGMA;
}

void aip_skintex_band_radii(double scale, int *r1, int *r2)
{
    const int r = (int)floor(scale + 0.5);
    *r1 = (int)floor(scale / 2);
    *r2 = *r1 + (r > 1 ? r : 1);
}

/* Band deviation of a periodic n x n plane (pixels) with box radii r1 < r2,
 * the measure of aip_skintex_band_energy. */
static double band_sd(const double *p, int n, int r1, int r2)
{
    const int mask = n - 1;
    const double n1 = (2 * r1 + 1) * (2 * r1 + 1), n2 = (2 * r2 + 1) * (2 * r2 + 1);
    double *col1 = malloc(sizeof(*col1) * n * n), *col2 = malloc(sizeof(*col2) * n * n);
    double s2 = 0;

    if (!col1 || !col2) {
        free(col1);
        free(col2);
        return -1;
    }
    /* vertical box sums, then horizontal on the fly */
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            double a = 0, b = 0;
            for (int k = -r2; k <= r2; k++) {
                const double v = p[((y + k) & mask) * n + x];
                b += v;
                if (k >= -r1 && k <= r1)
                    a += v;
            }
            col1[y * n + x] = a;
            col2[y * n + x] = b;
        }
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            double a = 0, b = 0;
            for (int k = -r2; k <= r2; k++) {
                b += col2[y * n + ((x + k) & mask)];
                if (k >= -r1 && k <= r1)
                    a += col1[y * n + ((x + k) & mask)];
            }
            s2 += (a / n1 - b / n2) * (a / n1 - b / n2);
        }
    free(col1);
    free(col2);
    return sqrt(s2 / ((double)n * n));
}

int aip_skintex_init(AIPSkinTexture *t, uint64_t seed, double scale, double pores)
{
    const int texel_log2 = scale < 3.0 ? 1 : 0;
    const int side = AIP_SKINTEX_PERIOD << texel_log2;
    const size_t n = (size_t)side * side;
    const double s = scale * (1 << texel_log2);     /* feature size in texels */
    const uint64_t key = aip_hash4(seed, UINT64_C(0x736b696e74657874), 0, 0);  /* "skintext" */
    double *fine = NULL, *pits = NULL, *low = NULL, *tmp = NULL, *px = NULL;
    double sd, mean, corr_k[2 * 8 + 2];
    int ret = -ENOMEM;

    memset(t, 0, sizeof(*t));
    if (!(scale >= AIP_SKINTEX_MIN_SCALE && scale <= AIP_SKINTEX_MAX_SCALE) ||
        !(pores >= 0 && pores <= 1))
        return -EINVAL;
    t->side_log2  = 9 + texel_log2;
    t->texel_log2 = texel_log2;
    t->scale      = scale;
    t->stride     = side + 8;
    aip_skintex_band_radii(scale, &t->band_r1, &t->band_r2);

    t->tile = calloc((size_t)(side + 1) * t->stride, sizeof(*t->tile));
    fine = malloc(sizeof(*fine) * n);
    pits = malloc(sizeof(*pits) * n);
    low  = malloc(sizeof(*low) * n);
    tmp  = malloc(sizeof(*tmp) * n);
    px   = malloc(sizeof(*px) * AIP_SKINTEX_PERIOD * AIP_SKINTEX_PERIOD);
    if (!t->tile || !fine || !pits || !low || !tmp || !px)
        goto end;

    /* fine variation: a difference of Gaussians of white noise */
    white_noise(fine, side, key, 1);
    memcpy(low, fine, sizeof(*low) * n);
    if (blur_periodic(fine, tmp, side, FINE_SIZE * s) < 0 ||
        blur_periodic(low, tmp, side, LOW_SIZE * s) < 0)
        goto end;
    for (size_t i = 0; i < n; i++)
        fine[i] -= low[i];
    normalise(fine, n);

    /* pores: the negative tail of a smooth field (about 16 % of the area
     * is below -1 deviation), as pits of a depth that grows with the
     * square root of how far below (shallow, rounded pits rather than
     * specks), without their low-pass */
    white_noise(pits, side, key, 2);
    if (blur_periodic(pits, tmp, side, PIT_SIZE * s) < 0)
        goto end;
    normalise(pits, n);
    for (size_t i = 0; i < n; i++)
        pits[i] = pits[i] < -1.0 ? -sqrt(-1.0 - pits[i]) : 0;
    memcpy(low, pits, sizeof(*low) * n);
    if (blur_periodic(low, tmp, side, LOW_SIZE * s) < 0)
        goto end;
    for (size_t i = 0; i < n; i++)
        pits[i] -= low[i];
    normalise(pits, n);

    for (size_t i = 0; i < n; i++)
        fine[i] = pores * pits[i] + (1 - pores) * fine[i];
    /* the mix's low-pass taken out once more: what is left below the band
     * falls with the fourth power of frequency instead of the square */
    memcpy(low, fine, sizeof(*low) * n);
    if (blur_periodic(low, tmp, side, LOW_SIZE * s) < 0)
        goto end;
    for (size_t i = 0; i < n; i++)
        fine[i] -= low[i];
    mean_sd(fine, n, &mean, &sd);
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            const double v = floor((fine[(size_t)y * side + x] - mean) / sd * AIP_SKINTEX_UNIT + 0.5);
            t->tile[(ptrdiff_t)y * t->stride + x] =
                (int16_t)(v < -AIP_SKINTEX_LIMIT ? -AIP_SKINTEX_LIMIT : v > AIP_SKINTEX_LIMIT ? AIP_SKINTEX_LIMIT : v);
        }
    for (int y = 0; y < side; y++)
        t->tile[(ptrdiff_t)y * t->stride + side] = t->tile[(ptrdiff_t)y * t->stride];
    memcpy(t->tile + (ptrdiff_t)side * t->stride, t->tile, sizeof(*t->tile) * (side + 1));

    /* The texture as the identity map lays it on pixels: its response to
     * the band measure. */
    for (int y = 0; y < AIP_SKINTEX_PERIOD; y++)
        for (int x = 0; x < AIP_SKINTEX_PERIOD; x++)
            px[y * AIP_SKINTEX_PERIOD + x] =
                t->tile[(ptrdiff_t)(y << texel_log2) * t->stride + (x << texel_log2)];
    mean_sd(px, (size_t)AIP_SKINTEX_PERIOD * AIP_SKINTEX_PERIOD, &mean, &sd);
    {
        const double b = band_sd(px, AIP_SKINTEX_PERIOD, t->band_r1, t->band_r2);
        if (b < 0)
            goto end;
        t->band_gain = (int32_t)floor(b / sd * 4096 + 0.5);
        if (t->band_gain < 1)
            t->band_gain = 1;
    }

    /* Autocorrelation at texel lags 0 .. 8 px, along x and y, then the
     * table by squared distance, linear between lags. */
    {
        const int kmax = 8 << texel_log2;
        double r0 = 0;
        for (int k = 0; k <= kmax; k++) {
            double acc = 0;
            for (int y = 0; y < side; y += 2)
                for (int x = 0; x < side; x += 2) {
                    const double c = t->tile[(ptrdiff_t)y * t->stride + x];
                    acc += c * t->tile[(ptrdiff_t)y * t->stride + ((x + k) & (side - 1))] +
                           c * t->tile[(ptrdiff_t)((y + k) & (side - 1)) * t->stride + x];
                }
            if (!k)
                r0 = acc;
            corr_k[k] = acc / r0;
        }
        for (int i = 0; i < AIP_SKINTEX_CORR_SIZE; i++) {
            const double d = sqrt(i / 16.0) * (1 << texel_log2);   /* texels */
            const int k = (int)floor(d);
            const double f = d - k, r = k >= kmax ? corr_k[kmax] : corr_k[k] + (corr_k[k + 1] - corr_k[k]) * f;
            t->corr[i] = (int16_t)clip_int((int)floor(r * 4096 + 0.5), -4096, 4096);
        }
        t->corr[0] = 4096;
    }
    ret = 0;

end:
    free(fine);
    free(pits);
    free(low);
    free(tmp);
    free(px);
    if (ret < 0)
        aip_skintex_uninit(t);
    return ret;
}

void aip_skintex_uninit(AIPSkinTexture *t)
{
    free(t->tile);
    t->tile = NULL;
}

/* ------------------------------------------------------------ amount */

uint64_t aip_skintex_band_sum(const uint8_t *plane, ptrdiff_t stride, int w, int h,
                              int x0, int y0, int x1, int y1, int r1, int r2,
                              int32_t clip, uint32_t *integral)
{
    const int bw = x1 - x0, bh = y1 - y0;
    const int iw = bw + 2 * r2 + 1, ih = bh + 2 * r2 + 1;
    const int64_t n1 = (2 * r1 + 1) * (2 * r1 + 1), n2 = (2 * r2 + 1) * (2 * r2 + 1);
    /* |band| is clipped at clip (Q8 code values), in the sums' units */
    const int64_t lim = clip > 0 ? ((int64_t)clip * n1 * n2 + 128) >> 8 : INT64_MAX;
    uint64_t sum2 = 0;

    if (bw <= 0 || bh <= 0)
        return 0;
    /* integral[j][i]: sum of the window's samples above and left of (i, j);
     * the window starts at (x0 - r2, y0 - r2), edges repeated */
    memset(integral, 0, sizeof(*integral) * iw);
    for (int j = 1; j < ih; j++) {
        const uint8_t *row = plane + (ptrdiff_t)clip_int(y0 - r2 + j - 1, 0, h - 1) * stride;
        uint32_t run = 0;
        integral[(size_t)j * iw] = 0;
        for (int i = 1; i < iw; i++) {
            run += row[clip_int(x0 - r2 + i - 1, 0, w - 1)];
            integral[(size_t)j * iw + i] = integral[(size_t)(j - 1) * iw + i] + run;
        }
    }
#define BOX(x, y, r) ((int64_t)integral[(size_t)((y) + r2 + (r) + 1) * iw + (x) + r2 + (r) + 1] \
                    - integral[(size_t)((y) + r2 - (r)) * iw + (x) + r2 + (r) + 1]            \
                    - integral[(size_t)((y) + r2 + (r) + 1) * iw + (x) + r2 - (r)]            \
                    + integral[(size_t)((y) + r2 - (r)) * iw + (x) + r2 - (r)])
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            int64_t b = BOX(x, y, r1) * n2 - BOX(x, y, r2) * n1;
            b = b > lim ? lim : b < -lim ? -lim : b;
            sum2 += (uint64_t)(b * b);
        }
#undef BOX
    return sum2;
}

void aip_skintex_band_sums(const uint8_t *plane, ptrdiff_t stride, int w, int h,
                           int x0, int ncells, int cell_w, int y0, int y1, int r1, int r2,
                           int32_t clip, uint64_t *sums, uint32_t *integral)
{
    const int xe = x0 + ncells * cell_w < w ? x0 + ncells * cell_w : w;
    const int bw = xe - x0, bh = y1 - y0;
    const int iw = bw + 2 * r2 + 1, ih = bh + 2 * r2 + 1;
    const int64_t n1 = (2 * r1 + 1) * (2 * r1 + 1), n2 = (2 * r2 + 1) * (2 * r2 + 1);
    const int64_t lim = clip > 0 ? ((int64_t)clip * n1 * n2 + 128) >> 8 : INT64_MAX;
    uint8_t *row = (uint8_t *)(integral + (size_t)iw * ih);

    for (int c = 0; c < ncells; c++)
        sums[c] = 0;
    if (bw <= 0 || bh <= 0)
        return;
    /* the same integral image as aip_skintex_band_sum, over the strip */
    memset(integral, 0, sizeof(*integral) * iw);
    for (int j = 1; j < ih; j++) {
        const uint8_t *src = plane + (ptrdiff_t)clip_int(y0 - r2 + j - 1, 0, h - 1) * stride;
        uint32_t run = 0, *out = integral + (size_t)j * iw;
        const uint32_t *up = out - iw;
        /* the strip's samples with the edges repeated, then the sums */
        for (int i = 1; i < iw; i++)
            row[i] = src[clip_int(x0 - r2 + i - 1, 0, w - 1)];
        out[0] = 0;
        for (int i = 1; i < iw; i++) {
            run += row[i];
            out[i] = up[i] + run;
        }
    }
    /* band values at even columns and rows of the plane (a quarter of the
     * samples: the energy is a mean, and neighbours are correlated) */
    for (int y = (y0 & 1); y < bh; y += 2) {
        const uint32_t *a1 = integral + (size_t)(y + r2 + r1 + 1) * iw + r2 + r1 + 1;
        const uint32_t *b1 = integral + (size_t)(y + r2 - r1) * iw + r2 + r1 + 1;
        const uint32_t *a2 = integral + (size_t)(y + 2 * r2 + 1) * iw + 2 * r2 + 1;
        const uint32_t *b2 = integral + (size_t)y * iw + 2 * r2 + 1;
        const int d1 = 2 * r1 + 1, d2 = 2 * r2 + 1;
        for (int c = 0; c < ncells; c++) {
            const int cx0 = c * cell_w, cx1 = cx0 + cell_w < bw ? cx0 + cell_w : bw;
            uint64_t acc = 0;
            for (int x = cx0 + ((x0 + cx0) & 1); x < cx1; x += 2) {
                const int64_t box1 = (int64_t)a1[x] - b1[x] - a1[x - d1] + b1[x - d1];
                const int64_t box2 = (int64_t)a2[x] - b2[x] - a2[x - d2] + b2[x - d2];
                int64_t b = box1 * n2 - box2 * n1;
                b = b > lim ? lim : b < -lim ? -lim : b;
                acc += (uint64_t)(b * b);
            }
            sums[c] += acc;
        }
    }
}

uint32_t aip_skintex_band_energy(uint64_t sum, uint64_t count, int r1, int r2)
{
    const uint64_t n12 = (uint64_t)(2 * r1 + 1) * (2 * r1 + 1) * (2 * r2 + 1) * (2 * r2 + 1);
    /* Q8 mean of (b / (n1 n2))^2 */
    return count ? (uint32_t)(sum / n12 * 256 / (count * n12)) : 0;
}

int32_t aip_skintex_amplitude(const AIPSkinTexture *t, uint32_t energy, int32_t target)
{
    const int64_t want = ((int64_t)target * target) >> 8;     /* Q8 */
    const int64_t deficit = want - (int64_t)energy;
    int64_t amp;

    if (deficit <= 0)
        return 0;
    amp = ((int64_t)isqrt64((uint64_t)deficit << 8) * 4096 + t->band_gain / 2) / t->band_gain;
    return (int32_t)(amp > AIP_SKINTEX_AMP_MAX ? AIP_SKINTEX_AMP_MAX : amp);
}

/* ------------------------------------------------------------ maps */

void aip_skintex_map_identity(uint32_t *map, int nodes_w, int nodes_h, int grid_log2)
{
    for (int j = 0; j < nodes_h; j++)
        for (int i = 0; i < nodes_w; i++) {
            uint32_t *m = map + 2 * ((size_t)j * nodes_w + i);
            m[0] = (uint32_t)i << (grid_log2 + AIP_SKINTEX_COORD_BITS);
            m[1] = (uint32_t)j << (grid_log2 + AIP_SKINTEX_COORD_BITS);
        }
}

void aip_skintex_map_advect(uint32_t *dst, const uint32_t *src, const AIPMotionVector *vec,
                            int nodes_w, int nodes_h, int grid_log2)
{
    const int sh = grid_log2 + AIP_SKINTEX_COORD_BITS;
    const int64_t one = (int64_t)1 << sh;
    const int64_t xmax = (nodes_w - 1) * one, ymax = (nodes_h - 1) * one;
    const int to_coord = AIP_SKINTEX_COORD_BITS - AIP_MOTION_FRAC_BITS;

    for (int j = 0; j < nodes_h; j++)
        for (int i = 0; i < nodes_w; i++) {
            const size_t n = (size_t)j * nodes_w + i;
            /* where the content of this node was, Q COORD_BITS pixels */
            const int64_t px = ((int64_t)i << sh) - (int64_t)vec[n].x * (1 << to_coord);
            const int64_t py = ((int64_t)j << sh) - (int64_t)vec[n].y * (1 << to_coord);
            const int64_t cx = px < 0 ? 0 : px > xmax ? xmax : px;
            const int64_t cy = py < 0 ? 0 : py > ymax ? ymax : py;
            const int ci = (int)(cx >> sh) < nodes_w - 2 ? (int)(cx >> sh) : nodes_w - 2;
            const int cj = (int)(cy >> sh) < nodes_h - 2 ? (int)(cy >> sh) : nodes_h - 2;
            const int64_t fx = cx - ((int64_t)ci << sh), fy = cy - ((int64_t)cj << sh);
            const uint32_t *s00 = src + 2 * ((size_t)cj * nodes_w + ci);
            const uint32_t *s10 = s00 + 2, *s01 = s00 + 2 * nodes_w, *s11 = s01 + 2;

            for (int c = 0; c < 2; c++) {
                /* relative to the first node, so wrapping cancels */
                const int64_t d10 = (int32_t)(s10[c] - s00[c]);
                const int64_t d01 = (int32_t)(s01[c] - s00[c]);
                const int64_t d11 = (int32_t)(s11[c] - s00[c]);
                const int64_t acc = d10 * fx * (one - fy) + d01 * (one - fx) * fy + d11 * fx * fy;
                const int64_t rel = (acc + ((int64_t)1 << (2 * sh - 1))) >> (2 * sh);
                const int64_t outside = c ? py - cy : px - cx;
                dst[2 * n + c] = s00[c] + (uint32_t)(rel + outside);
            }
        }
}

void aip_skintex_layer_gains(const AIPSkinTexture *t, int wa, int wb, int32_t du, int32_t dv,
                             int *ka, int *kb)
{
    const int64_t d2 = ((int64_t)du * du + (int64_t)dv * dv) >> (2 * AIP_SKINTEX_COORD_BITS - 4);
    const int r = t->corr[d2 < AIP_SKINTEX_CORR_SIZE ? d2 : AIP_SKINTEX_CORR_SIZE - 1];
    /* (wa^2 + wb^2 + 2 wa wb R) in Q16 x Q12; at least a quarter of
     * (wa + wb)^2, so the gain stays within 2 */
    int64_t var = ((int64_t)wa * wa + (int64_t)wb * wb) * 4096 + 2 * (int64_t)wa * wb * r;
    const int64_t floor_var = (int64_t)(wa + wb) * (wa + wb) * 1024;
    uint64_t root;

    if (var < floor_var)
        var = floor_var;
    root = isqrt64((uint64_t)var);
    *ka = (int)(((int64_t)wa * 256 * 64 + (int64_t)(root / 2)) / (int64_t)root);
    *kb = (int)(((int64_t)wb * 256 * 64 + (int64_t)(root / 2)) / (int64_t)root);
}

/* ------------------------------------------------------------ rows */

#define BITDEPTH 8
#include "skintex_tmpl.c"
#undef BITDEPTH

#define BITDEPTH 16
#include "skintex_tmpl.c"
#undef BITDEPTH

AIP_DECL_SKINTEX_PREP_FN(aip_skintex_prep_c)
{
    const int g = grid_log2, half = 1 << (g - 1), cmask = (1 << g) - 1;
    int32_t orb = 0;

    for (int x = xs; x < xe; x++) {
        const int fx = (x << sub_x) & cmask;
        uint32_t u0 = c->ua + lerp_step((uint32_t)c->dua, fx, g);
        uint32_t v0 = c->va + lerp_step((uint32_t)c->dva, fx, g);
        uint32_t u1 = c->ub + lerp_step((uint32_t)c->dub, fx, g);
        uint32_t v1 = c->vb + lerp_step((uint32_t)c->dvb, fx, g);
        const int32_t a0 = c->a0 + ((c->da0 * fx + half) >> g);
        const int32_t a1 = c->a1 + ((c->da1 * fx + half) >> g);
        if (chroma) {
            u0 = (u0 >> 1) + AIP_SKINTEX_CHROMA_OFFSET_U;
            v0 = (v0 >> 1) + AIP_SKINTEX_CHROMA_OFFSET_V;
            u1 = (u1 >> 1) + AIP_SKINTEX_CHROMA_OFFSET_U;
            v1 = (v1 >> 1) + AIP_SKINTEX_CHROMA_OFFSET_V;
        }
        px->ua[x] = u0;
        px->va[x] = v0;
        px->ub[x] = u1;
        px->vb[x] = v1;
        px->aw_a[x] = (((a0 * wq_[x] + 128) >> 8) * gain + 128) >> 8;
        px->aw_b[x] = (((a1 * wq_[x] + 128) >> 8) * gain + 128) >> 8;
        orb |= px->aw_b[x];
    }
    return orb;
}

void aip_skintex_dsp_init(AIPSkinTexDSP *dsp, int cpu_flags)
{
    dsp->prep  = aip_skintex_prep_c;
    dsp->row8  = aip_skintex_row_8_c;
    dsp->row16 = aip_skintex_row_16_c;
#if AIP_HAVE_X86_SIMD
    if (!(cpu_flags & AIP_CPU_AVX2))
        return;
    dsp->prep  = aip_skintex_prep_avx2;
    dsp->row8  = aip_skintex_row_8_avx2;
    dsp->row16 = aip_skintex_row_16_avx2;
#else
    (void)cpu_flags;
#endif
}

size_t aip_skintex_rows_scratch(const AIPSkinTexFrame *f)
{
    /* mask column (int32 per analysis column), mask row (one byte per
     * luma sample), 7 node columns, 7 per-sample arrays of 4 bytes (with
     * room for a SIMD block past the end) */
    return sizeof(int32_t) * (f->mask_w + 1) + (size_t)f->width + 64 +
           7 * sizeof(int32_t) * (f->nodes_w + 1) + 7 * sizeof(int32_t) * (f->width + 16) + 64;
}

/* Position of luma sample x on the analysis grid: samples sit at the
 * centres of their blocks, so x is (2 x + 1 - A) / (2 A) samples from the
 * first; *i0 and *f (Q(1 + mask_log2)) of the sample before it, clamped at
 * the edges (where the nearest sample is taken). */
static inline void analysis_pos(int x, int a_log2, int n, int *i0, int *i1, int *f)
{
    const int den_log2 = a_log2 + 1;
    const int pos = 2 * x + 1 - (1 << a_log2);
    int i = pos >> den_log2;
    int fr = pos - (i << den_log2);

    if (pos < 0) {
        i = 0;
        fr = 0;
    }
    if (i >= n - 1) {
        i = n - 1;
        fr = 0;
    }
    *i0 = i;
    *i1 = i + 1 < n ? i + 1 : i;
    *f = fr;
}

void aip_skintex_mask_row(const AIPSkinTexFrame *f, uint8_t *out, int y, int sub_x, int n,
                          int skip_below, int32_t *col, int *span0, int *span1)
{
    const int a = f->mask_log2, den = 2 << a, sh = 2 * (a + 1);
    int j0, j1, fy, first = 0, last = f->mask_w - 1, x0 = 0, x1 = n;

    analysis_pos(y, a, f->mask_h, &j0, &j1, &fy);
    {
        const uint8_t *r0 = f->mask + (ptrdiff_t)j0 * f->mask_stride;
        const uint8_t *r1 = f->mask + (ptrdiff_t)j1 * f->mask_stride;
        for (int i = 0; i < f->mask_w; i++)
            col[i] = r0[i] * (den - fy) + r1[i] * fy;
        if (skip_below >= 0) {
            /* between samples at or below the bar, the interpolation is too */
            const int32_t bar = skip_below * den;
            while (first < f->mask_w && col[first] <= bar)
                first++;
            while (last >= first && col[last] <= bar)
                last--;
            if (first > last) {
                memset(out, 0, n);
                if (span0)
                    *span0 = *span1 = 0;
                return;
            }
            x0 = FFMAX_INT(0, (first - 1) * (1 << a)) >> sub_x;
            x1 = FFMIN_INT(n, (((last + 2) * (1 << a)) >> sub_x) + 1);
            memset(out, 0, x0);
            memset(out + x1, 0, n - x1);
        }
    }
    if (span0) {
        *span0 = x0;
        *span1 = x1;
    }
    {
        /* pos = 2 (x << sub_x) + 1 - A in 1/(2 A) samples: clamped to the
         * first sample before it is 0, to the last from (mask_w - 1) 2 A on;
         * between, i0 = pos >> (a + 1) and the fraction pos & (2 A - 1), a
         * plain loop per pair of samples */
        const int step = 2 << sub_x, last = (f->mask_w - 1) * den;
        const int32_t round = 1 << (sh - 1);
        int x = x0, pos = (2 * (x0 << sub_x)) + 1 - (1 << a);
        for (; x < x1 && pos < 0; x++, pos += step)
            out[x] = (uint8_t)((col[0] * den + round) >> sh);
        while (x < x1 && pos < last) {
            const int i0 = pos >> (a + 1);
            const int32_t c0 = col[i0], c1 = col[i0 + 1];
            const int end = (i0 + 1) * den;     /* where the next pair starts */
            for (; x < x1 && pos < end; x++, pos += step) {
                const int fr = pos - i0 * den;
                out[x] = (uint8_t)((c0 * (den - fr) + c1 * fr + round) >> sh);
            }
        }
        for (; x < x1; x++)
            out[x] = (uint8_t)((col[f->mask_w - 1] * den + round) >> sh);
    }
}

void aip_skintex_weights(uint16_t *weight, int threshold)
{
    const int full = threshold + AIP_SKINTEX_SOFT_WIDTH < 255 ? threshold + AIP_SKINTEX_SOFT_WIDTH : 255;
    for (int m = 0; m < 256; m++)
        weight[m] = m <= threshold ? 0 : m >= full ? 256 :
                    (uint16_t)(((m - threshold) * 256 + (full - threshold) / 2) / (full - threshold));
}

int64_t aip_skintex_rows(const AIPSkinTexFrame *f, void *plane, ptrdiff_t stride, int w,
                         int sub_x, int sub_y, int chroma, int32_t gain,
                         int r0, int r1, void *scratch)
{
    const int g = f->grid_log2, G = 1 << g, nw = f->nodes_w, half = G / 2;
    const int step = 1 << sub_x;
    const int shift = 26 - f->depth, maxval = (1 << f->depth) - 1;
    int32_t *mcol = scratch;
    uint8_t *mrow = (uint8_t *)(mcol + f->mask_w + 1);
    uint32_t *cols = (uint32_t *)(((uintptr_t)(mrow + f->width + 32)) & ~(uintptr_t)31);
    uint32_t *ua = cols, *va = ua + nw, *ub = va + nw, *vb = ub + nw;
    int32_t *aa = (int32_t *)(vb + nw), *ab = aa + nw, *at = ab + nw;
    uint32_t *pu = (uint32_t *)(((uintptr_t)(at + nw) + 31) & ~(uintptr_t)31);
    AIPSkinTexPixels px = {
        .ua = pu, .va = pu + (w + 16), .ub = pu + 2 * (w + 16), .vb = pu + 3 * (w + 16),
        .aw_a = (int32_t *)(pu + 4 * (w + 16)), .aw_b = (int32_t *)(pu + 5 * (w + 16)),
    };
    int64_t changed = 0;

    for (int y = r0; y < r1; y++) {
        const int ly = y << sub_y;
        int j0, j1, fa, x0 = w, x1 = 0, s0, s1;

        /* rows whose analysis rows hold no skin are left alone */
        analysis_pos(ly, f->mask_log2, f->mask_h, &j0, &j1, &fa);
        if (f->mask_row_max[j0] <= f->threshold && f->mask_row_max[j1] <= f->threshold)
            continue;
        aip_skintex_mask_row(f, mrow, ly, sub_x, w, f->threshold, mcol, &s0, &s1);
        for (int x = s0; x < s1; x++)
            if (mrow[x] > f->threshold) {
                x0 = x0 < x ? x0 : x;
                x1 = x + 1;
                changed++;
            }
        if (x1 <= x0)
            continue;

        {
            /* node values down the columns to this row */
            const int j = ly >> g, fy = ly & (G - 1);
            const size_t top = (size_t)j * nw, bot = top + nw;
            const int i0 = (x0 << sub_x) >> g, i1 = (((x1 - 1) << sub_x) >> g) + 1;
            int32_t *wqs = (int32_t *)(px.aw_b + (w + 16));
            for (int i = i0; i <= i1; i++) {
                ua[i] = f->map_a[2 * (top + i)]     + lerp_coord(f->map_a[2 * (top + i)],     f->map_a[2 * (bot + i)],     fy, g);
                va[i] = f->map_a[2 * (top + i) + 1] + lerp_coord(f->map_a[2 * (top + i) + 1], f->map_a[2 * (bot + i) + 1], fy, g);
                ub[i] = f->map_b[2 * (top + i)]     + lerp_coord(f->map_b[2 * (top + i)],     f->map_b[2 * (bot + i)],     fy, g);
                vb[i] = f->map_b[2 * (top + i) + 1] + lerp_coord(f->map_b[2 * (top + i) + 1], f->map_b[2 * (bot + i) + 1], fy, g);
                aa[i] = f->amp_a[top + i] + (((f->amp_a[bot + i] - f->amp_a[top + i]) * fy + half) >> g);
                ab[i] = f->amp_b[top + i] + (((f->amp_b[bot + i] - f->amp_b[top + i]) * fy + half) >> g);
                at[i] = f->amp_t[top + i] + (((f->amp_t[bot + i] - f->amp_t[top + i]) * fy + half) >> g);
            }

            /* then along the row, per sample: the weights first (a table),
             * then cell by cell, where the node values are constants and
             * the loop is plain arithmetic the compiler vectorises */
            for (int x = x0; x < x1; x++)
                wqs[x] = mrow[x] > f->threshold ? f->weight[mrow[x]] : 0;
            px.two_layers = 0;
            for (int i = i0; i < i1; i++) {
                const int one = f->single || f->coincident[(size_t)j * (nw - 1) + i];
                const int32_t *amp = one ? (f->single ? aa : at) : aa;
                const AIPSkinTexCell c = {
                    .ua = ua[i], .va = va[i], .ub = ub[i], .vb = vb[i],
                    .dua = (int32_t)(ua[i + 1] - ua[i]), .dva = (int32_t)(va[i + 1] - va[i]),
                    .dub = (int32_t)(ub[i + 1] - ub[i]), .dvb = (int32_t)(vb[i + 1] - vb[i]),
                    .a0 = amp[i], .da0 = amp[i + 1] - amp[i],
                    .a1 = one ? 0 : ab[i], .da1 = one ? 0 : ab[i + 1] - ab[i],
                };
                /* the samples of this cell within [x0, x1) */
                const int xs = FFMAX_INT(x0, ((i << g) + step - 1) >> sub_x);
                const int xe = FFMIN_INT(x1, (((i + 1) << g) + step - 1) >> sub_x);
                if (xs < xe)
                    px.two_layers |= f->dsp->prep(&px, &c, wqs, xs, xe, sub_x, g, chroma, gain) != 0;
            }
        }

        if (f->depth == 8) {
            uint8_t *p = (uint8_t *)plane + (ptrdiff_t)y * stride;
            f->dsp->row8(p, p, x0, x1, &px, f->tex, shift, maxval);
        } else {
            uint16_t *p = (uint16_t *)((uint8_t *)plane + (ptrdiff_t)y * stride);
            f->dsp->row16(p, p, x0, x1, &px, f->tex, shift, maxval);
        }
    }
    return changed;
}
