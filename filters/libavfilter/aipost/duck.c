/*
 * Dialogue-aware ducking kernels: see duck.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "duck.h"

/* Not in strict ISO C's math.h. */
#define PI      3.14159265358979323846
#define SQRT1_2 0.70710678118654752440

/* Speech band edges (Hz): voiced energy and the formants that carry
 * intelligibility; hum, rumble and the top octave of hiss fall outside. */
#define SPEECH_BAND_LO     250.0
#define SPEECH_BAND_HI    4000.0
/* Until the band floor has one sub-window of history it is not trusted
 * above this mean square (-60 dBFS): speech from the first sample would
 * otherwise become its own floor. */
#define EARLY_BAND_FLOOR  1e-6
/* Below this band mean square (-70 dBFS) nothing counts as speech. */
#define SPEECH_GATE       1e-7

double aip_duck_level_db(double power)
{
    return power > 1e-20 ? -0.691 + 10.0 * log10(power) : AIP_DUCK_SILENCE_DB;
}

/* ------------------------------------------------------------ filters */

void aip_biquad_kweighting(AIPBiquad stage[2], double rate)
{
    /* The analogue prototypes of BS.1770's two stages (as libebur128
     * derives them), so every rate gets the response 48 kHz has. */
    const double f0 = 1681.974450955533, gain_db = 3.999843853973347;
    const double q0 = 0.7071752369554196;
    const double f1 = 38.13547087602444, q1 = 0.5003270373238773;
    double k  = tan(PI * f0 / rate);
    double vh = pow(10.0, gain_db / 20.0);
    double vb = pow(vh, 0.4996667741545416);
    double a0 = 1.0 + k / q0 + k * k;

    stage[0].b0 = (vh + vb * k / q0 + k * k) / a0;
    stage[0].b1 = 2.0 * (k * k - vh) / a0;
    stage[0].b2 = (vh - vb * k / q0 + k * k) / a0;
    stage[0].a1 = 2.0 * (k * k - 1.0) / a0;
    stage[0].a2 = (1.0 - k / q0 + k * k) / a0;

    k  = tan(PI * f1 / rate);
    a0 = 1.0 + k / q1 + k * k;
    stage[1].b0 = 1.0;
    stage[1].b1 = -2.0;
    stage[1].b2 = 1.0;
    stage[1].a1 = 2.0 * (k * k - 1.0) / a0;
    stage[1].a2 = (1.0 - k / q1 + k * k) / a0;
}

/* Bilinear-transformed Butterworth sections (Q = 1/sqrt 2). */
static void butterworth(AIPBiquad *f, double fc, double rate, int highpass)
{
    double w = 2.0 * PI * fmin(fc, 0.45 * rate) / rate;
    double alpha = sin(w) / (2.0 * SQRT1_2);
    double c = cos(w), a0 = 1.0 + alpha;

    if (highpass) {
        f->b0 = (1.0 + c) / 2.0 / a0;
        f->b1 = -(1.0 + c) / a0;
    } else {
        f->b0 = (1.0 - c) / 2.0 / a0;
        f->b1 = (1.0 - c) / a0;
    }
    f->b2 = f->b0;
    f->a1 = -2.0 * c / a0;
    f->a2 = (1.0 - alpha) / a0;
}

void aip_biquad_highpass(AIPBiquad *f, double fc, double rate) { butterworth(f, fc, rate, 1); }
void aip_biquad_lowpass(AIPBiquad *f, double fc, double rate)  { butterworth(f, fc, rate, 0); }

static inline double biquad(const AIPBiquad *f, AIPBiquadState *s, double x)
{
    double y = f->b0 * x + s->z1;
    s->z1 = f->b1 * x - f->a1 * y + s->z2;
    s->z2 = f->b2 * x - f->a2 * y;
    return y;
}

/* Sum of squares of one channel through both K-weighting stages. */
static double kweighted_energy(const AIPBiquad kw[2], AIPBiquadState st[2],
                               const float *x, int n)
{
    AIPBiquadState s0 = st[0], s1 = st[1];
    double sum = 0.0;

    for (int i = 0; i < n; i++) {
        double y = biquad(&kw[1], &s1, biquad(&kw[0], &s0, x[i]));
        sum += y * y;
    }
    /* Keep denormals out of the recursion after long silences. */
    if (fabs(s0.z1) + fabs(s0.z2) < 1e-30)
        s0.z1 = s0.z2 = 0.0;
    if (fabs(s1.z1) + fabs(s1.z2) < 1e-30)
        s1.z1 = s1.z2 = 0.0;
    st[0] = s0;
    st[1] = s1;
    return sum;
}

/* --------------------------------------------------- minimum statistics */

void aip_min_tracker_init(AIPMinTracker *t, int window_blocks, double dof_per_block)
{
    double m, z;

    memset(t, 0, sizeof(*t));
    t->sub_len = (window_blocks + AIP_DUCK_SUBWINDOWS - 1) / AIP_DUCK_SUBWINDOWS;
    if (t->sub_len < 1)
        t->sub_len = 1;
    t->cur_min = DBL_MAX;
    t->bias = 1.0;
    if (dof_per_block > 0) {
        /* A two-block mean of noise power has relative deviation
         * sqrt(2 / dof) with dof = 2 dof_per_block; the least of m such
         * (nearly normal) estimates lies z(m) deviations below the mean,
         * z(m) the expected maximum of m standard normals. */
        m = fmax(t->sub_len * AIP_DUCK_SUBWINDOWS, 2);
        z = sqrt(2 * log(m)) - (log(log(m)) + log(4 * PI)) / (2 * sqrt(2 * log(m)));
        t->bias = 1.0 / fmax(1.0 - z * sqrt(1.0 / dof_per_block), 0.25);
    }
}

double aip_min_tracker_floor(const AIPMinTracker *t)
{
    double m = t->cur_min;

    for (int i = 0; i < t->nb_sub; i++)
        m = fmin(m, t->sub_min[i]);
    return m == DBL_MAX ? 0.0 : m * t->bias;
}

double aip_min_tracker_push(AIPMinTracker *t, double power)
{
    double mean = t->seen ? 0.5 * (t->prev + power) : power;

    t->prev = power;
    t->seen++;
    t->cur_min = fmin(t->cur_min, mean);
    if (++t->sub_fill == t->sub_len) {
        /* The sub-window is complete: it replaces the oldest, so the floor
         * can rise again once a louder floor has lasted a whole window. */
        t->sub_min[t->next_sub] = t->cur_min;
        t->next_sub = (t->next_sub + 1) % AIP_DUCK_SUBWINDOWS;
        if (t->nb_sub < AIP_DUCK_SUBWINDOWS)
            t->nb_sub++;
        t->cur_min  = DBL_MAX;
        t->sub_fill = 0;
    }
    return aip_min_tracker_floor(t);
}

/* ------------------------------------------------------- gain computer */

double aip_duck_target_db(const AIPDuckParams *par, int speech, double music_db,
                          double speech_db, double floor_db)
{
    double t;

    /* Silent music has nothing to duck. */
    if (!speech || music_db <= AIP_DUCK_SILENCE_DB)
        return 0.0;

    t = -par->depth;
    /* Deeper where the bed would crowd the speech, as far as maxdepth. */
    if (speech_db > AIP_DUCK_SILENCE_DB) {
        double need = speech_db - par->sbr - music_db;
        if (need < t)
            t = fmax(need, -par->maxdepth);
    }
    /* Never so deep that the dialogue's floor comes out from under the bed:
     * this wins over depth and sbr. */
    if (floor_db > AIP_DUCK_SILENCE_DB) {
        double lowest = floor_db + par->margin - music_db;
        if (t < lowest)
            t = lowest;
    }
    return fmin(t, 0.0);
}

/* ------------------------------------------------------------ analyser */

int aip_duck_analyser_init(AIPDuckAnalyser *a, const AIPDuckParams *par, int rate,
                           int nb_music, const double *music_weight, int nb_dialogue)
{
    int window_blocks;

    memset(a, 0, sizeof(*a));
    if (rate < 1000 || nb_music < 1 || nb_music > AIP_DUCK_MAX_CHANNELS ||
        nb_dialogue < 1 || nb_dialogue > 2)
        return -EINVAL;

    a->par = *par;
    a->block = rate * AIP_DUCK_BLOCK_MS / 1000;
    a->hold_blocks = (int)lrint(par->hold_ms / AIP_DUCK_BLOCK_MS);
    a->nb_music = nb_music;
    a->nb_dialogue = nb_dialogue;
    for (int c = 0; c < nb_music; c++)
        a->music_weight[c] = music_weight ? music_weight[c] : 1.0;

    aip_biquad_kweighting(a->kw, rate);
    aip_biquad_highpass(&a->band_hp, SPEECH_BAND_LO, rate);
    aip_biquad_lowpass(&a->band_lp, SPEECH_BAND_HI, rate);

    window_blocks = (int)lrint(par->floor_window_s * 1000.0 / AIP_DUCK_BLOCK_MS);
    /* Degrees of freedom of a block's power: its samples for broadband
     * hiss, the band's share of them for the speech band. */
    aip_min_tracker_init(&a->floor, window_blocks, a->block);
    aip_min_tracker_init(&a->band_floor, window_blocks,
                         a->block * 2.0 * (SPEECH_BAND_HI - SPEECH_BAND_LO) / rate);

    a->ring_len = AIP_DUCK_SHORT_TERM_MS / AIP_DUCK_BLOCK_MS;
    a->music_ring  = calloc(a->ring_len, sizeof(*a->music_ring));
    a->speech_ring = calloc(a->ring_len, sizeof(*a->speech_ring));
    a->speech_flag_ring = calloc(a->ring_len, 1);
    if (!a->music_ring || !a->speech_ring || !a->speech_flag_ring) {
        aip_duck_analyser_uninit(a);
        return -ENOMEM;
    }
    a->last.floor_db = a->last.music_db = a->last.speech_db = AIP_DUCK_SILENCE_DB;
    a->last.band_db = a->last.band_floor_db = AIP_DUCK_SILENCE_DB;
    return 0;
}

void aip_duck_analyser_uninit(AIPDuckAnalyser *a)
{
    free(a->music_ring);
    free(a->speech_ring);
    free(a->speech_flag_ring);
    a->music_ring = a->speech_ring = NULL;
    a->speech_flag_ring = NULL;
}

/* Dialogue measures of one block: K-weighted power (the channels summed, as
 * BS.1770 does), and of the mono downmix the full and speech-band powers. */
static void measure_dialogue(AIPDuckAnalyser *a, const float *const *d, int n,
                             double *kpow, double *full, double *band)
{
    AIPBiquadState hp = a->band_state[0], lp = a->band_state[1];
    double k = 0.0, f = 0.0, b = 0.0;

    for (int c = 0; c < a->nb_dialogue; c++)
        k += kweighted_energy(a->kw, a->dialogue_kw[c], d[c], n);

    for (int i = 0; i < n; i++) {
        double m = a->nb_dialogue == 2 ? 0.5 * ((double)d[0][i] + d[1][i]) : d[0][i];
        double y = biquad(&a->band_lp, &lp, biquad(&a->band_hp, &hp, m));
        f += m * m;
        b += y * y;
    }
    if (fabs(hp.z1) + fabs(hp.z2) + fabs(lp.z1) + fabs(lp.z2) < 1e-30)
        hp.z1 = hp.z2 = lp.z1 = lp.z2 = 0.0;
    a->band_state[0] = hp;
    a->band_state[1] = lp;

    *kpow = k / n;
    *full = f / n;
    *band = b / n;
}

const AIPDuckDecision *aip_duck_analyse(AIPDuckAnalyser *a, const float *const *music,
                                        const float *const *dialogue, int n)
{
    AIPDuckDecision *dec = &a->last;
    double music_pow = 0.0, speech_pow = 0.0, music_sum = 0.0, speech_sum = 0.0;
    int nb_speech = 0;

    if (n <= 0)
        return dec;

    if (music) {
        for (int c = 0; c < a->nb_music; c++)
            if (a->music_weight[c] > 0.0)
                music_pow += a->music_weight[c] *
                             kweighted_energy(a->kw, a->music_kw[c], music[c], n);
        music_pow /= n;
    }

    dec->evidence = 0;
    if (dialogue) {
        double kpow, full, band, floor_pow, band_floor;

        measure_dialogue(a, dialogue, n, &kpow, &full, &band);
        floor_pow  = aip_min_tracker_push(&a->floor, kpow);
        band_floor = aip_min_tracker_push(&a->band_floor, band);
        if (a->band_floor.seen <= a->band_floor.sub_len)
            band_floor = fmin(band_floor, EARLY_BAND_FLOOR);

        dec->evidence = band > SPEECH_GATE &&
                        band > band_floor * pow(10.0, a->par.threshold / 10.0) &&
                        band >= a->par.band_ratio * full;
        if (dec->evidence)
            a->hold_left = a->hold_blocks;
        else if (a->hold_left > 0)
            a->hold_left--;
        dec->speech = dec->evidence || a->hold_left > 0;
        if (dec->evidence)
            speech_pow = kpow;

        dec->floor_db      = aip_duck_level_db(floor_pow);
        dec->band_db       = aip_duck_level_db(band);
        dec->band_floor_db = aip_duck_level_db(band_floor);
    } else {
        /* The stem has ended: nothing more to protect or to duck for. */
        a->hold_left = 0;
        dec->speech = 0;
    }

    a->music_ring[a->ring_pos]       = music_pow;
    a->speech_ring[a->ring_pos]      = speech_pow;
    a->speech_flag_ring[a->ring_pos] = dec->evidence;
    a->ring_pos = (a->ring_pos + 1) % a->ring_len;
    if (a->ring_fill < a->ring_len)
        a->ring_fill++;
    /* Sums over at most 300 blocks per block: exact, and no running sum to
     * drift over hours. */
    for (int i = 0; i < a->ring_fill; i++) {
        music_sum  += a->music_ring[i];
        speech_sum += a->speech_ring[i];
        nb_speech  += a->speech_flag_ring[i];
    }
    dec->music_db  = aip_duck_level_db(music_sum / a->ring_fill);
    dec->speech_db = nb_speech ? aip_duck_level_db(speech_sum / nb_speech) : AIP_DUCK_SILENCE_DB;

    dec->target_db = aip_duck_target_db(&a->par, dec->speech, dec->music_db,
                                        dec->speech_db, dec->floor_db);
    return dec;
}

/* ---------------------------------------------------------------- ramp */

void aip_duck_ramp_init(AIPDuckRamp *r, int attack_samples, int release_samples)
{
    memset(r, 0, sizeof(*r));
    r->attack  = attack_samples  > 0 ? attack_samples  : 1;
    r->release = release_samples > 0 ? release_samples : 1;
    r->gain = r->target_gain = r->step = 1.0;
    r->left = 0;
}

void aip_duck_ramp_retarget(AIPDuckRamp *r, double target_db)
{
    double d = target_db - r->cur_db, step_db;

    if (target_db == r->target_db)
        return;
    r->target_db   = target_db;
    r->target_gain = pow(10.0, target_db / 20.0);
    if (d == 0.0) {
        r->left = 0;
        r->gain = r->target_gain;
        return;
    }
    step_db = d / (d < 0 ? r->attack : r->release);
    /* A move already heading this way never slows down. */
    if (r->left && (step_db < 0) == (r->step_db < 0) && fabs(r->step_db) > fabs(step_db))
        step_db = r->step_db;
    r->step_db = step_db;
    r->step    = pow(10.0, step_db / 20.0);
    /* Counted, not compared, so rounding in cur_db cannot add a sample. */
    r->left    = (int)ceil(d / step_db - 1e-9);
}

void aip_duck_ramp_run(AIPDuckRamp *r, float *gain, int n)
{
    int i = 0;

    while (i < n) {
        if (!r->left) {
            float g = (float)r->gain;
            for (; i < n; i++)
                gain[i] = g;
            break;
        }
        if (--r->left) {
            r->cur_db += r->step_db;
            r->gain   *= r->step;
        } else {
            /* Land exactly on the target: unity is 1.0f, so music outside
             * the ducks passes bit-exact. */
            r->cur_db = r->target_db;
            r->gain   = r->target_gain;
        }
        gain[i++] = (float)r->gain;
    }
}

void aip_duck_apply_gain(float *dst, const float *src, const float *gain, int n)
{
    /* Written for the compiler to vectorise; one multiply per sample. */
    for (int i = 0; i < n; i++)
        dst[i] = src[i] * gain[i];
}
