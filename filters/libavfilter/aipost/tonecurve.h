/*
 * Tone and colour curves that prepare a picture for platform encoders
 * (socialprep), as lookup tables into the resampler's 14-bit scale.
 *
 * Luma, on n = the position between the input's black and white (0..1):
 *   1. midtone separation, a gentle S-curve about mid-grey: with t = 2n - 1,
 *        s(t) = t + contrast * t * (1 - t^2),   n' = (s + 1) / 2,
 *      which fixes black, white and mid-grey, steepens the midtones by
 *      1 + contrast and flattens the ends by 1 - 2 contrast (monotonic for
 *      contrast <= 0.5);
 *   2. a soft black floor: below the knee k, n'' = f + (k - f) h(n' / k),
 *      h(x) = (2 - r) x + (r - 1) x^2, r = k / (k - f), which starts at the
 *      floor f (no output below it), meets the identity at the knee with
 *      slope 1 (no corner), and is monotonic for k >= 2 f (the knee is
 *      raised to 2 f when set lower). Pure black, where encoders break
 *      into blocks, becomes a dark grey; detail above the knee is untouched.
 * Input beyond black and white (super-black, super-white) is clipped first.
 * The result is written in the output's video range (limited: 16..235 in
 * 8-bit terms) at the 14-bit scale.
 *
 * Chroma: a saturation trim for neon-like colours. With r the chroma
 * magnitude sqrt(Cb^2 + Cr^2) relative to the largest of the output range
 * (112 in 8-bit terms), saturations above the knee are compressed:
 *   r' = knee + d / (1 + strength * d / (1 - knee)),  d = r - knee,
 * slope 1 at the knee, monotonic, and full saturation (r = 1) lands at
 * knee + (1 - knee) / (1 + strength). Hue is kept (Cb and Cr are scaled
 * alike). The table gives the gain r' / r (times the input-to-output range
 * factor) as a function of r^2.
 *
 * Tables are built from polynomials and divisions only, so every machine
 * gets the same integers.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_TONECURVE_H
#define AIPOST_TONECURVE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

typedef struct AIPToneCurve {
    double contrast;    /* S-curve strength, 0 (off) .. 0.5 */
    double floor;       /* lowest output, fraction of black..white, 0 (off) .. 0.25 */
    double knee;        /* where the floor's curve joins the identity, >= 2 floor */
} AIPToneCurve;

/* The curve on normalised levels: n in, n'' out (both 0..1 at black..white). */
double aip_tone_eval(const AIPToneCurve *c, double n);

/* Largest luma table: inputs deeper than 12 bits index it by their top 12. */
#define AIP_TONE_LUT_BITS 12

/**
 * Luma table: lut[v >> index_shift] for a sample v of `depth` bits is the
 * curve's output at the 14-bit scale, limited range (black 16 << 6, white
 * 235 << 6). in_black, in_white: the input's black and white in its own
 * code values. Entries: 1 << min(depth, AIP_TONE_LUT_BITS).
 * @return index_shift
 */
int aip_tone_luma_lut(uint16_t *lut, int depth, int in_black, int in_white,
                      const AIPToneCurve *c);

typedef struct AIPSatTrim {
    double knee;        /* saturation where the trim starts, 0..1 of the output's largest */
    double strength;    /* 0 (off) .. */
} AIPSatTrim;

/* The trim on normalised saturation r (0..sqrt 2). */
double aip_sat_trim_eval(const AIPSatTrim *t, double r);

/* Chroma gain table, indexed by (u^2 + v^2) >> AIP_SAT_R2_SHIFT with u, v
 * the 14-bit chroma minus 8192. */
#define AIP_SAT_LUT_SIZE 4096
#define AIP_SAT_R2_SHIFT 15
/* Gains are Q14. */
#define AIP_SAT_GAIN_BITS 14

/**
 * in_scale: the input chroma's largest excursion at the 14-bit scale (112
 * << 6 for limited range, 127.5 << 6 for full range); the table maps it to
 * the limited output's 112 << 6 on top of the trim.
 */
void aip_sat_gain_lut(uint16_t *lut, double in_scale, const AIPSatTrim *t);

/*
 * Rows: 14-bit luma from input samples through a luma table, and 14-bit
 * chroma pairs through the gain table: with u, v the samples at the 14-bit
 * scale minus 8192, out = 8192 + sign(u g) ((|u g| + 2^13) >> 14) for
 * g = gain[min((u^2 + v^2) >> AIP_SAT_R2_SHIFT, AIP_SAT_LUT_SIZE - 1)].
 * src is uint8_t at depth 8, uint16_t above (up to 16; deeper than 14
 * shifted down to 14 first).
 */
#define AIP_DECL_TONE_LUMA_ROW_FN(name) \
void name(int16_t *dst, const void *src, int depth, const uint16_t *lut, int index_shift, int n)
#define AIP_DECL_SAT_CHROMA_ROW_FN(name) \
void name(int16_t *dst_u, int16_t *dst_v, const void *src_u, const void *src_v, \
          int depth, const uint16_t *gain, int n)

typedef AIP_DECL_TONE_LUMA_ROW_FN((*aip_tone_luma_row_fn));
typedef AIP_DECL_SAT_CHROMA_ROW_FN((*aip_sat_chroma_row_fn));
AIP_DECL_TONE_LUMA_ROW_FN(aip_tone_luma_row_c);
AIP_DECL_SAT_CHROMA_ROW_FN(aip_sat_chroma_row_c);
/* 8-bit in SIMD, deeper samples through the C reference */
AIP_DECL_SAT_CHROMA_ROW_FN(aip_sat_chroma_row_avx2);

typedef struct AIPToneDSP {
    aip_tone_luma_row_fn  luma_row;
    aip_sat_chroma_row_fn chroma_row;
} AIPToneDSP;

void aip_tone_dsp_init(AIPToneDSP *dsp, int cpu_flags);

#endif /* AIPOST_TONECURVE_H */
