/*
 * Skin likelihood (C).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "skinmask.h"

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

static inline int clip_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* 0 at a, 1 at b, linear between, clipped (a < b or a > b). */
static double ramp(double x, double a, double b)
{
    const double t = (x - a) / (b - a);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

/* tan of an angle in degrees in [0, 60] by its Taylor series of sin and cos
 * (basic arithmetic only, so the tables are the same everywhere). */
static double tan_deg(double deg)
{
    const double a = deg * 3.14159265358979323846 / 180.0, a2 = a * a;
    double s = a, c = 1, ts = a, tc = 1;
    for (int k = 1; k < 12; k++) {
        ts = -ts * a2 / ((2 * k) * (2 * k + 1));
        tc = -tc * a2 / ((2 * k - 1) * (2 * k));
        s += ts;
        c += tc;
    }
    return s / c;
}

void aip_skinmask_model_init(AIPSkinMaskModel *m)
{
    /* cos and sin of the skin axis, 90 + a degrees: -sin(a), cos(a) */
    const double t38 = tan_deg(AIP_SKINMASK_HUE - 90.0);
    const double dir_s = 1.0 / sqrt(1.0 + t38 * t38);
    const double dir_c = -t38 * dir_s;
    const double tan_full = tan_deg(AIP_SKINMASK_HUE_FULL), tan_zero = tan_deg(AIP_SKINMASK_HUE_ZERO);
    const double tan_red_full = tan_deg(AIP_SKINMASK_HUE_RED_FULL), tan_red_zero = tan_deg(AIP_SKINMASK_HUE_RED_ZERO);

    for (int cb = 0; cb < 256; cb++)
        for (int cr = 0; cr < 256; cr++) {
            const double u = cb - 128, v = cr - 128;
            const double mag = sqrt(u * u + v * v);
            const double along = u * dir_c + v * dir_s;
            /* positive towards larger angles (yellow), negative towards red */
            const double across = -u * dir_s + v * dir_c;
            double hue = 0;
            if (along > 0) {
                const double t = across / along;
                hue = t >= 0 ? 1 - ramp(t, tan_full, tan_zero) : 1 - ramp(-t, tan_red_full, tan_red_zero);
            }
            m->chroma[cb * 256 + cr] = (uint8_t)floor(255 * hue + 0.5);
            m->mag4[cb * 256 + cr] = (uint8_t)(4 * mag + 0.5 > 255 ? 255 : floor(4 * mag + 0.5));
        }
    for (int q = 0; q < 256; q++)
        for (int y = 0; y < 256; y++) {
            const double mag = q / 4.0, r = mag / (y - 16 > 16 ? y - 16 : 16);
            const double sat = ramp(r, AIP_SKINMASK_SAT_LO0, AIP_SKINMASK_SAT_LO1) *
                               (1 - ramp(r, AIP_SKINMASK_SAT_HI1, AIP_SKINMASK_SAT_HI0)) *
                               (1 - ramp(mag, AIP_SKINMASK_MAG_HI1, AIP_SKINMASK_MAG_HI0));
            m->sat[q * 256 + y] = (uint8_t)floor(255 * sat + 0.5);
        }
    for (int y = 0; y < 256; y++) {
        const double l = ramp(y, AIP_SKINMASK_Y_LO0, AIP_SKINMASK_Y_LO1) *
                         (1 - ramp(y, AIP_SKINMASK_Y_HI1, AIP_SKINMASK_Y_HI0));
        m->luma[y] = (uint8_t)floor(255 * l + 0.5);
        /* full range: Y' 0..255 to 16..235, chroma 0..255 around 128 to 16..240 */
        m->full_to_limited_y[y] = (uint8_t)((y * 219 + 127) / 255 + 16);
        m->full_to_limited_c[y] = (uint8_t)clip_int(128 + (int)floor((y - 128) * 224.0 / 255.0 + 0.5), 0, 255);
    }
    /* 1 / (1 + (d / 10)^2)^2: half weight at 6.4 code values, 1/4 at 10 */
    for (int d = 0; d < 256; d++) {
        const double r = 1.0 + (d / 10.0) * (d / 10.0);
        m->range_weight[d] = (uint16_t)floor(256.0 / (r * r) + 0.5);
    }
}

/* Mean chroma (rounded) of the samples within the neutral radius of
 * (cu, cv) with luma in [48, 235]; 0 when fewer than 1/32 of the picture. */
static int neutral_pass(const AIPSkinMaskModel *m, const uint8_t *y, const uint8_t *cb,
                        const uint8_t *cr, ptrdiff_t stride, int w, int h, int full_range,
                        int cu, int cv, int *nb, int *nr)
{
    const int r2 = AIP_SKINMASK_NEUTRAL_RADIUS * AIP_SKINMASK_NEUTRAL_RADIUS;
    int64_t su = 0, sv = 0, n = 0;

    for (int j = 0; j < h; j++) {
        const uint8_t *ry = y + (ptrdiff_t)j * stride, *rb = cb + (ptrdiff_t)j * stride;
        const uint8_t *rr = cr + (ptrdiff_t)j * stride;
        for (int i = 0; i < w; i++) {
            const int yy = full_range ? m->full_to_limited_y[ry[i]] : ry[i];
            const int u = (full_range ? m->full_to_limited_c[rb[i]] : rb[i]) - 128;
            const int v = (full_range ? m->full_to_limited_c[rr[i]] : rr[i]) - 128;
            if (yy < 48 || yy > 235 || (u - cu) * (u - cu) + (v - cv) * (v - cv) > r2)
                continue;
            su += u;
            sv += v;
            n++;
        }
    }
    if (!n || n * 32 < (int64_t)w * h)
        return 0;
    *nb = (int)(su >= 0 ? (su + n / 2) / n : -((-su + n / 2) / n));
    *nr = (int)(sv >= 0 ? (sv + n / 2) / n : -((-sv + n / 2) / n));
    return 1;
}

void aip_skinmask_neutral(const AIPSkinMaskModel *m, const uint8_t *y, const uint8_t *cb,
                      const uint8_t *cr, ptrdiff_t stride, int w, int h, int full_range,
                      int *nb, int *nr)
{
    int u = 0, v = 0;

    *nb = *nr = 0;
    /* One pass around grey. (A second pass around the first estimate
     * follows stronger casts, but on a close-up it drifts onto the skin:
     * the greys are few and pale skin is near.) */
    if (!neutral_pass(m, y, cb, cr, stride, w, h, full_range, 0, 0, &u, &v))
        return;
    /* pulled back onto the disc of AIP_SKINMASK_NEUTRAL_MAX, towards grey */
    while (u * u + v * v > AIP_SKINMASK_NEUTRAL_MAX * AIP_SKINMASK_NEUTRAL_MAX) {
        u = u * 7 / 8;
        v = v * 7 / 8;
    }
    *nb = u;
    *nr = v;
}

void aip_skinmask_likelihood(const AIPSkinMaskModel *m, uint8_t *dst, ptrdiff_t dst_stride,
                         const uint8_t *y, const uint8_t *cb, const uint8_t *cr,
                         ptrdiff_t stride, int w, int full_range, int nb, int nr,
                         int r0, int r1)
{
    for (int j = r0; j < r1; j++) {
        const uint8_t *ry = y + (ptrdiff_t)j * stride, *rb = cb + (ptrdiff_t)j * stride;
        const uint8_t *rr = cr + (ptrdiff_t)j * stride;
        uint8_t *out = dst + (ptrdiff_t)j * dst_stride;
        for (int i = 0; i < w; i++) {
            const int yy = full_range ? m->full_to_limited_y[ry[i]] : ry[i];
            const int u = clip_int((full_range ? m->full_to_limited_c[rb[i]] : rb[i]) - nb, 0, 255);
            const int v = clip_int((full_range ? m->full_to_limited_c[rr[i]] : rr[i]) - nr, 0, 255);
            const int c = u * 256 + v;
            const int hs = (m->chroma[c] * m->sat[m->mag4[c] * 256 + yy] + 127) / 255;
            out[i] = (uint8_t)((hs * m->luma[yy] + 127) / 255);
        }
    }
}

/* Binomial taps of the 5 x 5 blur. */
static const int binomial5[5] = { 1, 4, 6, 4, 1 };

void aip_skinmask_smooth_h(const AIPSkinMaskModel *m, uint8_t *tmp, const uint8_t *src,
                       const uint8_t *guide, ptrdiff_t stride, int w, int r0, int r1)
{
    for (int j = r0; j < r1; j++) {
        const uint8_t *s = src + (ptrdiff_t)j * stride, *g = guide + (ptrdiff_t)j * stride;
        uint8_t *out = tmp + (ptrdiff_t)j * stride;
        for (int i = 0; i < w; i++) {
            uint32_t acc = 0, wsum = 0;
            /* a flat neighbourhood is its own average, whatever the weights */
            if (s[clip_int(i - 2, 0, w - 1)] == s[i] && s[clip_int(i - 1, 0, w - 1)] == s[i] &&
                s[clip_int(i + 1, 0, w - 1)] == s[i] && s[clip_int(i + 2, 0, w - 1)] == s[i]) {
                out[i] = s[i];
                continue;
            }
            for (int k = -2; k <= 2; k++) {
                const int q = clip_int(i + k, 0, w - 1);
                const uint32_t wt = binomial5[k + 2] * m->range_weight[abs(g[q] - g[i])];
                acc  += wt * s[q];
                wsum += wt;
            }
            out[i] = (uint8_t)((acc + wsum / 2) / wsum);
        }
    }
}

void aip_skinmask_smooth_v(const AIPSkinMaskModel *m, uint8_t *dst, const uint8_t *tmp,
                       const uint8_t *guide, ptrdiff_t stride, int w, int h, int r0, int r1)
{
    for (int j = r0; j < r1; j++) {
        const uint8_t *g = guide + (ptrdiff_t)j * stride;
        uint8_t *out = dst + (ptrdiff_t)j * stride;
        const uint8_t *t[5];
        for (int k = 0; k < 5; k++)
            t[k] = tmp + (ptrdiff_t)clip_int(j + k - 2, 0, h - 1) * stride;
        for (int i = 0; i < w; i++) {
            uint32_t acc = 0, wsum = 0;
            const int c = t[2][i];
            if (t[0][i] == c && t[1][i] == c && t[3][i] == c && t[4][i] == c) {
                out[i] = (uint8_t)c;
                continue;
            }
            for (int k = -2; k <= 2; k++) {
                const ptrdiff_t q = (ptrdiff_t)clip_int(j + k, 0, h - 1) * stride;
                const uint32_t wt = binomial5[k + 2] * m->range_weight[abs(guide[q + i] - g[i])];
                acc  += wt * tmp[q + i];
                wsum += wt;
            }
            out[i] = (uint8_t)((acc + wsum / 2) / wsum);
        }
    }
}

/* One separable pass of a minimum (is_max 0) or maximum filter over
 * 2 r + 1 samples, edges repeated; written as whole-row operations so the
 * compiler vectorises them. pad: w + 2 r bytes. Rows flagged 0 in
 * `live` are all zero: they and the rows a pass makes all zero from them
 * are cleared without being computed (updating `live`). */
static void rank_pass(uint8_t *dst, const uint8_t *src, uint8_t *pad, uint8_t *live,
                      uint8_t *live_tmp, ptrdiff_t stride, int w, int h, int r,
                      int vertical, int is_max)
{
    memcpy(live_tmp, live, h);
    for (int j = 0; j < h; j++) {
        uint8_t *out = dst + (ptrdiff_t)j * stride;
        if (vertical) {
            /* a minimum meets an all-zero row, or a maximum sees only them */
            int dead = 0, zero;
            for (int k = -r; k <= r; k++)
                dead += !live_tmp[clip_int(j + k, 0, h - 1)];
            zero = is_max ? dead == 2 * r + 1 : dead > 0;
            live[j] = !zero;
            if (zero) {
                memset(out, 0, w);
                continue;
            }
            memcpy(out, src + (ptrdiff_t)j * stride, w);
            for (int k = -r; k <= r; k++) {
                const uint8_t *in = src + (ptrdiff_t)clip_int(j + k, 0, h - 1) * stride;
                if (!k)
                    continue;
                if (is_max)
                    for (int i = 0; i < w; i++)
                        out[i] = in[i] > out[i] ? in[i] : out[i];
                else
                    for (int i = 0; i < w; i++)
                        out[i] = in[i] < out[i] ? in[i] : out[i];
            }
        } else {
            const uint8_t *in = src + (ptrdiff_t)j * stride;
            if (!live_tmp[j]) {
                memset(out, 0, w);
                continue;
            }
            memset(pad, in[0], r);
            memcpy(pad + r, in, w);
            memset(pad + r + w, in[w - 1], r);
            memcpy(out, pad, w);
            for (int k = 1; k <= 2 * r; k++) {
                const uint8_t *p = pad + k;
                if (is_max)
                    for (int i = 0; i < w; i++)
                        out[i] = p[i] > out[i] ? p[i] : out[i];
                else
                    for (int i = 0; i < w; i++)
                        out[i] = p[i] < out[i] ? p[i] : out[i];
            }
        }
    }
}

void aip_skinmask_open(uint8_t *dst, const uint8_t *src, uint8_t *tmp, ptrdiff_t stride,
                   int w, int h, int r)
{
    uint8_t *t0 = tmp, *t1 = tmp + stride * h, *pad = tmp + 2 * stride * h;
    uint8_t *live = pad + stride + 2 * r, *live_tmp = live + h;

    for (int j = 0; j < h; j++) {
        const uint8_t *row = src + (ptrdiff_t)j * stride;
        uint8_t any = 0;
        for (int i = 0; i < w; i++)
            any |= row[i];
        live[j] = any != 0;
    }
    rank_pass(t0, src, pad, live, live_tmp, stride, w, h, r, 0, 0);
    rank_pass(t1, t0, pad, live, live_tmp, stride, w, h, r, 1, 0);
    rank_pass(t0, t1, pad, live, live_tmp, stride, w, h, r, 0, 1);
    rank_pass(dst, t0, pad, live, live_tmp, stride, w, h, r, 1, 1);
}
