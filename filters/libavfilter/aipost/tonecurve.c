/*
 * Tone and colour curves for platform encoders. See tonecurve.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <math.h>

#include "tonecurve.h"

/* The output's video range at the resampler's 14-bit scale. */
#define OUT_BLACK (16 << 6)
#define OUT_WHITE (235 << 6)
#define OUT_CHROMA_MAX (112 << 6)
#define CHROMA_ZERO (1 << 13)

static double clip01(double v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static double knee_of(const AIPToneCurve *c)
{
    return c->knee < 2 * c->floor ? 2 * c->floor : c->knee;
}

double aip_tone_eval(const AIPToneCurve *c, double n)
{
    const double t = 2 * clip01(n) - 1;
    const double s = (t + c->contrast * t * (1 - t * t) + 1) / 2;
    const double k = knee_of(c);

    if (c->floor > 0 && s < k) {
        const double r = k / (k - c->floor), x = s / k;
        return c->floor + (k - c->floor) * ((2 - r) * x + (r - 1) * x * x);
    }
    return s;
}

int aip_tone_luma_lut(uint16_t *lut, int depth, int in_black, int in_white,
                      const AIPToneCurve *c)
{
    const int shift = depth > AIP_TONE_LUT_BITS ? depth - AIP_TONE_LUT_BITS : 0;
    const int entries = 1 << (depth - shift);

    for (int j = 0; j < entries; j++) {
        /* Buckets of deep inputs are evaluated at their centre. */
        const double v = (double)j * (1 << shift) + (shift ? (1 << shift) / 2.0 - 0.5 : 0);
        const double n = (v - in_black) / (in_white - in_black);
        const double o = aip_tone_eval(c, n);
        lut[j] = (uint16_t)floor(OUT_BLACK + o * (OUT_WHITE - OUT_BLACK) + 0.5);
    }
    return shift;
}

double aip_sat_trim_eval(const AIPSatTrim *t, double r)
{
    const double d = r - t->knee;
    if (t->strength <= 0 || d <= 0 || t->knee >= 1)
        return r;
    return t->knee + d / (1 + t->strength * d / (1 - t->knee));
}

void aip_sat_gain_lut(uint16_t *lut, double in_scale, const AIPSatTrim *t)
{
    for (int i = 0; i < AIP_SAT_LUT_SIZE; i++) {
        const double r = sqrt((i + 0.5) * (1 << AIP_SAT_R2_SHIFT));
        const double rn = r / in_scale;
        const double gain = aip_sat_trim_eval(t, rn) / rn * (OUT_CHROMA_MAX / in_scale);
        lut[i] = (uint16_t)floor(gain * (1 << AIP_SAT_GAIN_BITS) + 0.5);
    }
}

AIP_DECL_TONE_LUMA_ROW_FN(aip_tone_luma_row_c)
{
    if (depth == 8) {
        const uint8_t *s = src;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            const int16_t a = (int16_t)lut[s[i]],     b = (int16_t)lut[s[i + 1]];
            const int16_t c = (int16_t)lut[s[i + 2]], d = (int16_t)lut[s[i + 3]];
            dst[i] = a;
            dst[i + 1] = b;
            dst[i + 2] = c;
            dst[i + 3] = d;
        }
        for (; i < n; i++)
            dst[i] = (int16_t)lut[s[i]];
    } else {
        const uint16_t *s = src;
        for (int i = 0; i < n; i++)
            dst[i] = (int16_t)lut[s[i] >> index_shift];
    }
}

static inline int to14(int v, int depth)
{
    return depth <= 14 ? v << (14 - depth) : v >> (depth - 14);
}

static inline int16_t apply_gain(int u, int g)
{
    /* Round half away from zero so that Cb and Cr of opposite signs are
     * treated alike. */
    const int p = u * g;
    const int m = p < 0 ? -((-p + (1 << (AIP_SAT_GAIN_BITS - 1))) >> AIP_SAT_GAIN_BITS)
                        :   (p + (1 << (AIP_SAT_GAIN_BITS - 1))) >> AIP_SAT_GAIN_BITS;
    return (int16_t)(CHROMA_ZERO + m);
}

AIP_DECL_SAT_CHROMA_ROW_FN(aip_sat_chroma_row_c)
{
    for (int i = 0; i < n; i++) {
        const int su = depth == 8 ? ((const uint8_t *)src_u)[i] : ((const uint16_t *)src_u)[i];
        const int sv = depth == 8 ? ((const uint8_t *)src_v)[i] : ((const uint16_t *)src_v)[i];
        const int u = to14(su, depth) - CHROMA_ZERO, v = to14(sv, depth) - CHROMA_ZERO;
        const int idx = (u * u + v * v) >> AIP_SAT_R2_SHIFT;
        const int g = gain[idx < AIP_SAT_LUT_SIZE ? idx : AIP_SAT_LUT_SIZE - 1];
        dst_u[i] = apply_gain(u, g);
        dst_v[i] = apply_gain(v, g);
    }
}

void aip_tone_dsp_init(AIPToneDSP *dsp, int cpu_flags)
{
    dsp->luma_row   = aip_tone_luma_row_c;
    dsp->chroma_row = aip_sat_chroma_row_c;
#if AIP_HAVE_X86_SIMD
    if (!(cpu_flags & AIP_CPU_AVX2))
        return;
    dsp->chroma_row = aip_sat_chroma_row_avx2;
#else
    (void)cpu_flags;
#endif
}
