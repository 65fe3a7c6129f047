/*
 * Speech-like dialogue over a known noise floor, for the duckfloor tests
 * (the unit tests and tests/tools/speechgen): voiced syllables (a gliding
 * harmonic series with formant peaks, 180 ms syllables, 40 ms gaps, sharp
 * 10 ms onsets) inside given spans, over white noise of a given RMS.
 * Deterministic: the noise comes from a fixed xorshift stream.
 */

#ifndef AIPOST_TEST_SPEECHGEN_H
#define AIPOST_TEST_SPEECHGEN_H

#include <math.h>
#include <stdint.h>

#define SPEECHGEN_PI 3.14159265358979323846

typedef struct SpeechSpan {
    double start, end;          /* seconds */
} SpeechSpan;

/* Gaussian-like noise with unit RMS: a sum of 4 uniforms, rescaled. */
static inline double speechgen_noise(uint32_t *state)
{
    double s = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t x = *state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *state = x;
        s += x / 4294967296.0 - 0.5;
    }
    return s * sqrt(3.0);       /* var of a uniform is 1/12; 4 of them 1/3 */
}

/* Syllable envelope at time t into a span (0 outside syllables). */
static inline double speechgen_envelope(double t)
{
    const double syll = 0.180, gap = 0.040, rise = 0.010, fall = 0.030;
    double p = fmod(t, syll + gap);

    if (p >= syll)
        return 0.0;
    if (p < rise)
        return 0.5 - 0.5 * cos(SPEECHGEN_PI * p / rise);
    if (p > syll - fall)
        return 0.5 + 0.5 * cos(SPEECHGEN_PI * (p - (syll - fall)) / fall);
    return 1.0;
}

/**
 * Write n samples at rate: speech at speech_dbfs (RMS inside syllables)
 * during the spans, over white noise at noise_dbfs RMS (none below -190).
 */
static inline void speechgen(float *out, int n, int rate, double noise_dbfs,
                             double speech_dbfs, const SpeechSpan *span, int nb_span,
                             uint32_t seed)
{
    /* Harmonic amplitudes fall as 1/k, with formant peaks near 500 Hz,
     * 1500 Hz and 2500 Hz; normalised to unit RMS below. */
    const double formant[3] = { 500, 1500, 2500 };
    double amp[40], norm = 0;
    double noise_amp  = noise_dbfs > -190 ? pow(10.0, noise_dbfs / 20.0) : 0.0;
    double speech_amp = pow(10.0, speech_dbfs / 20.0);
    uint32_t state = seed ? seed : 1;
    double phase = 0;

    for (int k = 1; k <= 40; k++) {
        double f = 130.0 * k, a = 1.0 / k;
        for (int j = 0; j < 3; j++)
            a *= 1.0 + 3.0 * exp(-pow((f - formant[j]) / 200.0, 2));
        amp[k - 1] = f < 4500 ? a : 0.0;
        norm += amp[k - 1] * amp[k - 1] / 2;
    }
    for (int k = 0; k < 40; k++)
        amp[k] /= sqrt(norm);

    for (int i = 0; i < n; i++) {
        double t = (double)i / rate, v = 0, env = 0;
        double f0 = 130.0 + 15.0 * sin(2 * SPEECHGEN_PI * 2.5 * t);

        phase += 2 * SPEECHGEN_PI * f0 / rate;
        if (phase > 2 * SPEECHGEN_PI * 1000)
            phase -= 2 * SPEECHGEN_PI * 1000;
        for (int s = 0; s < nb_span; s++)
            if (t >= span[s].start && t < span[s].end)
                env = speechgen_envelope(t - span[s].start);
        if (env > 0)
            for (int k = 0; k < 40 && amp[k] > 0; k++)
                v += amp[k] * sin((k + 1) * phase);
        out[i] = (float)(speech_amp * env * v + noise_amp * speechgen_noise(&state));
    }
}

#endif /* AIPOST_TEST_SPEECHGEN_H */
