/*
 * Dialogue-aware ducking kernels for duckfloor: filters, level meters, the
 * dialogue noise-floor tracker, the speech detector, the gain computer and
 * the gain ramp. Pure C without FFmpeg, so the unit tests drive them alone.
 *
 * Time is cut into analysis blocks of AIP_DUCK_BLOCK_MS. For each block the
 * analyser measures, on the dialogue stem:
 *   - its K-weighted power (ITU-R BS.1770), whose running minimum over
 *     `floor_window` seconds (of 20 ms means, bias-corrected) is the noise
 *     floor (minimum statistics: a floor shows in the pauses, even the
 *     short ones between syllables; speech only ever raises the level);
 *   - its speech-band power (250 Hz - 4 kHz) and the band's own floor; a
 *     block is speech when the band stands `threshold` dB above its floor
 *     AND carries at least `band_ratio` of the stem's power (hiss, hum and
 *     clicks spread their power outside the band and do not trigger);
 *     `hold` keeps the decision through the gaps between words;
 * and on the music its K-weighted short-term loudness (3 s, EBU R128).
 *
 * The gain computer turns that into a target in dB: 0 without speech;
 * under speech -depth, deeper (to -maxdepth) when the bed would stand less
 * than `sbr` dB below the speech, and never deeper than keeps the bed
 * `margin` dB above the dialogue's noise floor, so the floor stays masked.
 * The ramp moves the gain to each new target linearly in dB, within
 * `attack` (down) or `release` (up) ms, so the slope is bounded and nothing
 * clicks.
 *
 * Levels are in LUFS-like units: -0.691 + 10 log10(K-weighted mean square).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_DUCK_H
#define AIPOST_DUCK_H

#include <stdint.h>

/* Analysis block length. */
#define AIP_DUCK_BLOCK_MS       10
/* EBU R128 short-term loudness window. */
#define AIP_DUCK_SHORT_TERM_MS  3000
/* The floor window is tracked in this many sub-windows. */
#define AIP_DUCK_SUBWINDOWS     8
/* The most channels a music bed may have (FFmpeg's layouts stay far below). */
#define AIP_DUCK_MAX_CHANNELS   64
/* Level reported for digital silence. */
#define AIP_DUCK_SILENCE_DB     (-200.0)

/* y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2, transposed direct form II. */
typedef struct AIPBiquad {
    double b0, b1, b2, a1, a2;
} AIPBiquad;

typedef struct AIPBiquadState {
    double z1, z2;
} AIPBiquadState;

/* The two BS.1770 K-weighting stages (high shelf, high-pass) at any rate. */
void aip_biquad_kweighting(AIPBiquad stage[2], double rate);
/* Second-order Butterworth sections. */
void aip_biquad_highpass(AIPBiquad *f, double fc, double rate);
void aip_biquad_lowpass(AIPBiquad *f, double fc, double rate);

/* Running minimum of block powers over a window (minimum statistics, kept
 * as the minima of AIP_DUCK_SUBWINDOWS sub-windows). The minimum is taken of
 * the mean of the last two blocks (20 ms): short enough to reach the floor
 * in the 40 ms gaps between syllables, long enough that one dropped block
 * does not pull the floor down. The minimum of noisy power estimates sits
 * below their mean; `bias` (from the estimates' degrees of freedom and the
 * window length) corrects it. */
typedef struct AIPMinTracker {
    double sub_min[AIP_DUCK_SUBWINDOWS];
    int nb_sub;                 /* complete sub-windows held */
    int next_sub;               /* where the next complete one goes */
    double cur_min;             /* of the sub-window being filled */
    int sub_len, sub_fill;      /* blocks per sub-window, filled so far */
    double prev;                /* the previous block's power */
    double bias;                /* >= 1: mean / expected minimum */
    int64_t seen;               /* blocks pushed */
} AIPMinTracker;

/**
 * @param window_blocks   the window, in blocks
 * @param dof_per_block   degrees of freedom of one block's power estimate
 *                        (about the samples of a block for broadband
 *                        noise, fewer for a band); <= 0 for no correction
 */
void   aip_min_tracker_init(AIPMinTracker *t, int window_blocks, double dof_per_block);
/* Push one block power; returns the floor (a power) including that block. */
double aip_min_tracker_push(AIPMinTracker *t, double power);
double aip_min_tracker_floor(const AIPMinTracker *t);

typedef struct AIPDuckParams {
    double depth;               /* dB, >= 0: the duck under speech */
    double maxdepth;            /* dB, >= depth: deepest for sbr */
    double margin;              /* dB the bed stays above the dialogue floor */
    double sbr;                 /* dB speech stays above the bed */
    double threshold;           /* dB speech band above its floor */
    double band_ratio;          /* speech band share of the stem's power */
    double hold_ms;
    double floor_window_s;
} AIPDuckParams;

/* What one analysis block concluded. */
typedef struct AIPDuckDecision {
    int speech;                 /* the block counts as dialogue (with hold) */
    int evidence;               /* the block itself showed speech */
    double target_db;           /* gain the music should have, <= 0 */
    double floor_db;            /* dialogue noise floor, LUFS-like */
    double music_db;            /* music short-term loudness */
    double speech_db;           /* loudness of the speech blocks of the last 3 s */
    double band_db, band_floor_db;
} AIPDuckDecision;

typedef struct AIPDuckAnalyser {
    AIPDuckParams par;
    int block;                  /* samples per block */
    int hold_blocks;

    AIPBiquad kw[2], band_hp, band_lp;
    int nb_music, nb_dialogue;
    double music_weight[AIP_DUCK_MAX_CHANNELS];
    AIPBiquadState music_kw[AIP_DUCK_MAX_CHANNELS][2];
    AIPBiquadState dialogue_kw[2][2];
    AIPBiquadState band_state[2];

    AIPMinTracker floor, band_floor;
    int hold_left;

    /* short-term rings, one entry per block */
    int ring_len, ring_pos, ring_fill;
    double *music_ring;
    double *speech_ring;        /* power of speech blocks, 0 for the others */
    uint8_t *speech_flag_ring;

    AIPDuckDecision last;
} AIPDuckAnalyser;

/**
 * @param rate         sample rate shared by music and dialogue
 * @param nb_music     music channels (1..AIP_DUCK_MAX_CHANNELS)
 * @param music_weight BS.1770 channel weights (1 front, 1.41 surround, 0 LFE)
 * @param nb_dialogue  1 or 2
 * @return 0 or a negative errno value
 */
int  aip_duck_analyser_init(AIPDuckAnalyser *a, const AIPDuckParams *par, int rate,
                            int nb_music, const double *music_weight, int nb_dialogue);
void aip_duck_analyser_uninit(AIPDuckAnalyser *a);

/**
 * Analyse one block of a->block samples (fewer at the very end).
 *
 * @param music     planar music, nb_music channels; NULL when the music has
 *                  ended (counts as silence)
 * @param dialogue  planar dialogue, nb_dialogue channels; NULL when the
 *                  dialogue has ended: no speech, the floors stay as they were
 */
const AIPDuckDecision *aip_duck_analyse(AIPDuckAnalyser *a, const float *const *music,
                                        const float *const *dialogue, int n);

/* The gain computer alone (the analyser calls it). */
double aip_duck_target_db(const AIPDuckParams *par, int speech, double music_db,
                          double speech_db, double floor_db);

/* Gain ramp, linear in dB. A move down reaches its target within `attack`
 * samples of the decision, a move up within `release`: each new target sets
 * the step that gets there in time, and a later target in the same direction
 * never slows the move down. So the slope is at most maxdepth/attack going
 * down and maxdepth/release going up, and the gains are the same samples
 * whatever frame sizes the caller uses. */
typedef struct AIPDuckRamp {
    int attack, release;        /* samples */
    double target_db, target_gain;
    double cur_db, gain;        /* now, in dB and linear */
    double step_db, step;       /* per sample */
    int left;                   /* samples to the target, 0 at rest */
} AIPDuckRamp;

void aip_duck_ramp_init(AIPDuckRamp *r, int attack_samples, int release_samples);
void aip_duck_ramp_retarget(AIPDuckRamp *r, double target_db);
/* Per-sample linear gains of the next n samples. */
void aip_duck_ramp_run(AIPDuckRamp *r, float *gain, int n);

/* dst[i] = src[i] * gain[i]; dst may be src. */
void aip_duck_apply_gain(float *dst, const float *src, const float *gain, int n);

/* LUFS-like level of a K-weighted mean square (AIP_DUCK_SILENCE_DB for 0). */
double aip_duck_level_db(double power);

#endif /* AIPOST_DUCK_H */
