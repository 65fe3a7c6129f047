/*
 * Unit tests of the ducking kernels (filters/libavfilter/aipost/duck.*),
 * without FFmpeg: the K-weighting against BS.1770, the floor tracker on a
 * known floor, the speech detector on speech-like bursts and on hiss, the
 * gain computer's rules, and the ramp's slope, timing and independence from
 * how the samples are chunked.
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/duck.h"
#include "../common/speechgen.h"

static const AIPDuckParams defaults = {
    .depth = 12, .maxdepth = 24, .margin = 6, .sbr = 8,
    .threshold = 10, .band_ratio = 0.3, .hold_ms = 300, .floor_window_s = 5,
};

/* Level of a 997 Hz sine of amplitude 1 through the K-weighting. */
static double sine_level(double rate)
{
    AIPDuckAnalyser a;
    int n = (int)rate * 2;
    float *x = malloc(n * sizeof(*x));
    const float *ch[1] = { x };
    double level = 0;

    for (int i = 0; i < n; i++)
        x[i] = (float)sin(2 * SPEECHGEN_PI * 997.0 * i / rate);
    ck_assert_int_eq(aip_duck_analyser_init(&a, &defaults, (int)rate, 1, NULL, 1), 0);
    for (int i = 0; i + a.block <= n; i += a.block) {
        const float *blk[1] = { ch[0] + i };
        level = aip_duck_analyse(&a, blk, NULL, a.block)->music_db;
    }
    aip_duck_analyser_uninit(&a);
    free(x);
    return level;
}

START_TEST(kweighting_matches_bs1770)
{
    /* The 48 kHz coefficients BS.1770-4 publishes. */
    static const double ref[2][5] = {
        { 1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585 },
        { 1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621 },
    };
    AIPBiquad k[2];

    aip_biquad_kweighting(k, 48000);
    for (int s = 0; s < 2; s++) {
        const double got[5] = { k[s].b0, k[s].b1, k[s].b2, k[s].a1, k[s].a2 };
        for (int i = 0; i < 5; i++)
            ck_assert_msg(fabs(got[i] - ref[s][i]) < 1e-6, "stage %d coef %d: %.9f vs %.9f",
                          s, i, got[i], ref[s][i]);
    }
    /* A full-scale 997 Hz sine reads -3.01 LUFS at every rate. */
    for (int r = 0; r < 4; r++) {
        const double rate[4] = { 22050, 44100, 48000, 96000 };
        double l = sine_level(rate[r]);
        ck_assert_msg(fabs(l - -3.01) < 0.05, "%g Hz: %.3f LUFS", rate[r], l);
    }
}
END_TEST

START_TEST(floor_tracker_finds_floor_under_speech)
{
    /* 20 s: -60 dBFS floor, speech at -20 dBFS most of the time. */
    const int rate = 48000, n = 20 * rate;
    const SpeechSpan spans[] = { { 0.5, 6 }, { 6.3, 12 }, { 12.4, 19.5 } };
    float *d = malloc(n * sizeof(*d)), *noise = malloc(n * sizeof(*noise));
    AIPDuckAnalyser a, ref;
    double floor_db = 0, noise_db = 0;

    speechgen(d, n, rate, -60, -20, spans, 3, 7);
    speechgen(noise, n, rate, -60, -20, NULL, 0, 7);
    ck_assert_int_eq(aip_duck_analyser_init(&a, &defaults, rate, 1, NULL, 1), 0);
    ck_assert_int_eq(aip_duck_analyser_init(&ref, &defaults, rate, 1, NULL, 1), 0);
    for (int i = 0; i + a.block <= n; i += a.block) {
        const float *dc[1] = { d + i }, *nc[1] = { noise + i };
        floor_db = aip_duck_analyse(&a, NULL, dc, a.block)->floor_db;
        /* The stem's true K-weighted level: the noise measured as music. */
        noise_db = aip_duck_analyse(&ref, nc, NULL, a.block)->music_db;
    }
    ck_assert_msg(fabs(floor_db - noise_db) < 0.5, "floor %.2f, noise %.2f", floor_db, noise_db);
    aip_duck_analyser_uninit(&a);
    aip_duck_analyser_uninit(&ref);
    free(d);
    free(noise);
}
END_TEST

START_TEST(floor_tracker_follows_a_rising_floor)
{
    AIPMinTracker t;
    double f = 0;

    aip_min_tracker_init(&t, 500, 0);            /* 5 s of 10 ms blocks, no bias */
    for (int i = 0; i < 1000; i++)
        f = aip_min_tracker_push(&t, 1e-6);
    ck_assert(fabs(f - 1e-6) < 1e-12);
    /* A floor 20 dB higher is taken over within the window and one
     * sub-window (the one the rise fell in), and not before the window. */
    for (int i = 0; i < 480; i++)
        f = aip_min_tracker_push(&t, 1e-4);
    ck_assert_msg(f < 2e-6, "floor %g rose before the window", f);
    for (int i = 480; i < 500 + 63; i++)
        f = aip_min_tracker_push(&t, 1e-4);
    ck_assert_msg(fabs(f - 1e-4) < 1e-9, "floor %g after the window", f);
    /* A drop is followed within two blocks (the 20 ms mean)... */
    f = aip_min_tracker_push(&t, 1e-6);
    ck_assert_msg(fabs(f - 0.505e-4) < 1e-12, "floor %g one block into a drop", f);
    f = aip_min_tracker_push(&t, 1e-6);
    ck_assert_msg(fabs(f - 1e-6) < 1e-12, "floor %g after a drop", f);
    /* ...and one dropped-out block only halves it, it does not zero it. */
    f = aip_min_tracker_push(&t, 0);
    ck_assert_msg(fabs(f - 0.5e-6) < 1e-15, "floor %g after one silent block", f);
}
END_TEST

START_TEST(floor_holds_through_continuous_speech)
{
    /* Speech from the first sample and for 9 s without a pause longer than
     * the 40 ms between syllables: the floor must come from those gaps, not
     * climb towards the speech, at every moment, and the detector must hold
     * all through. */
    const int rate = 48000, n = 10 * rate;
    const SpeechSpan spans[] = { { 0.0, 9.0 } };
    float *d = malloc(n * sizeof(*d)), *noise = malloc(n * sizeof(*noise));
    AIPDuckAnalyser a, ref;
    double worst = 0, noise_db = 0;
    int speech_blocks = 0, blocks = 0;

    speechgen(d, n, rate, -60, -20, spans, 1, 9);
    speechgen(noise, n, rate, -60, -20, NULL, 0, 9);
    ck_assert_int_eq(aip_duck_analyser_init(&a, &defaults, rate, 1, NULL, 1), 0);
    ck_assert_int_eq(aip_duck_analyser_init(&ref, &defaults, rate, 1, NULL, 1), 0);
    for (int b = 0; (b + 1) * a.block <= n; b++) {
        const float *dc[1] = { d + b * a.block }, *nc[1] = { noise + b * a.block };
        const AIPDuckDecision *dec = aip_duck_analyse(&a, NULL, dc, a.block);
        noise_db = aip_duck_analyse(&ref, nc, NULL, a.block)->music_db;
        if (b >= 50 && b < 900) {           /* from 0.5 s into the speech */
            worst = fmax(worst, fabs(dec->floor_db - noise_db));
            speech_blocks += dec->speech;
            blocks++;
        }
    }
    /* measured: 0.28 dB at worst (the minimum of noisy 20 ms estimates,
     * bias-corrected); 0.12 dB in the test above */
    ck_assert_msg(worst < 1.0, "floor off by %.2f dB in continuous speech", worst);
    ck_assert_msg(speech_blocks == blocks, "speech held in %d of %d blocks", speech_blocks, blocks);
    aip_duck_analyser_uninit(&a);
    aip_duck_analyser_uninit(&ref);
    free(d);
    free(noise);
}
END_TEST

/* Decisions over a generated stem, one per block. */
static int *detect(const float *d, int n, int rate, const AIPDuckParams *par, int *nb_blocks)
{
    AIPDuckAnalyser a;
    int *ev;

    ck_assert_int_eq(aip_duck_analyser_init(&a, par, rate, 1, NULL, 1), 0);
    *nb_blocks = n / a.block;
    ev = calloc(*nb_blocks, sizeof(*ev));
    for (int b = 0; b < *nb_blocks; b++) {
        const float *dc[1] = { d + b * a.block };
        ev[b] = aip_duck_analyse(&a, NULL, dc, a.block)->evidence;
    }
    aip_duck_analyser_uninit(&a);
    return ev;
}

START_TEST(detector_fires_on_speech_from_the_onset_block)
{
    const int rate = 48000, n = 10 * rate;
    const SpeechSpan spans[] = { { 2.0, 3.5 }, { 6.005, 7.0 } };
    float *d = malloc(n * sizeof(*d));
    int nb, *ev, false_pos = 0, syll_hit = 0, syll = 0;

    speechgen(d, n, rate, -60, -25, spans, 2, 3);
    ev = detect(d, n, rate, &defaults, &nb);
    /* The blocks holding each onset (2.000 s: block 200; 6.005 s: 600). */
    ck_assert_msg(ev[200], "no speech in the onset block at 2.0 s");
    ck_assert_msg(ev[600], "no speech in the onset block at 6.005 s");
    for (int b = 0; b < nb; b++) {
        double t = b * 0.010;
        int inside = (t >= 2.0 && t < 3.5) || (t >= 6.0 && t < 7.0);
        int voiced = inside && speechgen_envelope(t + 0.005 - (t < 5 ? 2.0 : 6.005)) > 0.5;
        /* Outside the spans, beyond the filters' ring-out: never speech. */
        if (!inside && !(t >= 3.5 && t < 3.53) && !(t >= 7.0 && t < 7.03))
            false_pos += ev[b];
        syll    += voiced;
        syll_hit += voiced && ev[b];
    }
    ck_assert_msg(false_pos == 0, "%d noise blocks taken for speech", false_pos);
    ck_assert_msg(syll_hit == syll, "%d of %d voiced blocks found", syll_hit, syll);
    free(ev);
    free(d);
}
END_TEST

START_TEST(detector_ignores_hiss_and_level_changes)
{
    /* A hiss floor that jumps by 30 dB (a noisy generated take cut against a
     * clean one) is level without speech-band evidence: no speech. */
    const int rate = 48000, n = 8 * rate;
    float *d = malloc(n * sizeof(*d));
    int nb, *ev, hits = 0;

    speechgen(d, n / 2, rate, -70, 0, NULL, 0, 11);
    speechgen(d + n / 2, n / 2, rate, -40, 0, NULL, 0, 12);
    ev = detect(d, n, rate, &defaults, &nb);
    for (int b = 0; b < nb; b++)
        hits += ev[b];
    ck_assert_msg(hits == 0, "%d hiss blocks taken for speech", hits);
    free(ev);

    /* Digital silence: no speech, floor silent. */
    memset(d, 0, n * sizeof(*d));
    ev = detect(d, n, rate, &defaults, &nb);
    for (int b = 0; b < nb; b++)
        hits += ev[b];
    ck_assert_int_eq(hits, 0);
    free(ev);
    free(d);
}
END_TEST

START_TEST(gain_computer_rules)
{
    const AIPDuckParams *p = &defaults;

    /* No speech, or nothing to duck: unity. */
    ck_assert(aip_duck_target_db(p, 0, -20, -20, -60) == 0.0);
    ck_assert(aip_duck_target_db(p, 1, AIP_DUCK_SILENCE_DB, -20, -60) == 0.0);
    /* Plain duck: speech -20, music -20, floor far below. sbr asks for
     * -8 - 0 = -8, shallower than depth: -depth. */
    ck_assert(fabs(aip_duck_target_db(p, 1, -20, -20, -70) - -12) < 1e-12);
    /* Quiet speech under a loud bed: deeper for sbr, up to maxdepth. */
    ck_assert(fabs(aip_duck_target_db(p, 1, -14, -30, -90) - -24) < 1e-12);
    ck_assert(fabs(aip_duck_target_db(p, 1, -14, -22, -90) - -16) < 1e-12);
    /* The floor wins: bed -30, floor -40, margin 6 -> no deeper than -4. */
    ck_assert(fabs(aip_duck_target_db(p, 1, -30, -20, -40) - -4) < 1e-12);
    /* A bed already at the floor + margin is not ducked at all (no boost). */
    ck_assert(aip_duck_target_db(p, 1, -36, -20, -40) == 0.0);
}
END_TEST

START_TEST(ramp_bounded_timed_and_chunk_independent)
{
    const int attack = 1920, release = 24000, n = 96000;   /* 40 ms, 500 ms at 48 kHz */
    float *g1 = malloc(n * sizeof(float)), *g2 = malloc(n * sizeof(float));
    /* targets at fixed sample positions: down to -12, deeper to -24, up */
    const struct { int at; double db; } ev[] = {
        { 1000, -12 }, { 1480, -12.5 }, { 5000, -24 }, { 20000, 0 }, { 30000, -6 }, { 30500, 0 },
        { 50000, -24 },
    };
    const int nb_ev = sizeof(ev) / sizeof(ev[0]);
    AIPDuckRamp r;
    double max_down = 0, max_up = 0;

    for (int pass = 0; pass < 2; pass++) {
        float *g = pass ? g2 : g1;
        int pos = 0, e = 0;
        uint32_t state = 5;
        aip_duck_ramp_init(&r, attack, release);
        while (pos < n) {
            int next = e < nb_ev ? ev[e].at : n, len;
            /* pass 0 in one run per segment, pass 1 in random chunks */
            len = next - pos;
            if (pass && len > 1) {
                speechgen_noise(&state);
                len = 1 + (int)(state % (uint32_t)len);
            }
            aip_duck_ramp_run(&r, g + pos, len);
            pos += len;
            if (pos == next && e < nb_ev)
                aip_duck_ramp_retarget(&r, ev[e++].db);
        }
    }
    ck_assert_msg(memcmp(g1, g2, n * sizeof(float)) == 0, "gains depend on chunking");

    for (int i = 1; i < n; i++) {
        double d = 20 * log10(g1[i] / g1[i - 1]);
        max_down = fmin(max_down, d);
        max_up   = fmax(max_up, d);
    }
    /* Slopes: at most maxdepth (24 dB) per attack / release; 2e-6 dB is the
     * rounding of two gains to float. */
    ck_assert_msg(-max_down <= 24.0 / attack + 2e-6, "down slope %g dB/sample", -max_down);
    ck_assert_msg(max_up <= 24.0 / release + 2e-6, "up slope %g dB/sample", max_up);
    /* A target is reached within attack of its decision (the deeper one at
     * 1480 kept the faster step of the first); unity before: 1.0f. */
    ck_assert(g1[999] == 1.0f);
    ck_assert_msg(fabs(20 * log10(g1[1480 + attack]) - -12.5) < 1e-4, "%f",
                  20 * log10(g1[1480 + attack]));
    ck_assert(fabs(20 * log10(g1[5000 + attack]) - -24) < 1e-4);
    /* The release from -24 completes within release; then exactly unity. */
    ck_assert(g1[20000 + release] == 1.0f);
    ck_assert(g1[20000 + release - 100] < 1.0f);
    /* From rest to maxdepth: the steepest move, exactly 24 dB per attack,
     * landing on its attack-th sample. */
    ck_assert_msg(-max_down >= 24.0 / attack - 2e-6, "down slope %g dB/sample", -max_down);
    ck_assert(g1[49999] == 1.0f);
    ck_assert(g1[50000 + attack - 2] > g1[50000 + attack - 1]);
    ck_assert(g1[50000 + attack - 1] == (float)pow(10.0, -24 / 20.0));
    ck_assert(g1[50000 + attack] == g1[50000 + attack - 1]);
    free(g1);
    free(g2);
}
END_TEST

START_TEST(apply_gain_in_place)
{
    float x[37], g[37], y[37];

    for (int i = 0; i < 37; i++) {
        x[i] = (float)(i - 18) / 7;
        g[i] = (float)i / 36;
    }
    aip_duck_apply_gain(y, x, g, 37);
    aip_duck_apply_gain(x, x, g, 37);
    for (int i = 0; i < 37; i++)
        ck_assert(x[i] == y[i] && y[i] == (float)(i - 18) / 7 * ((float)i / 36));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("duck");
    TCase *tc = tcase_create("kernels");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, kweighting_matches_bs1770);
    tcase_add_test(tc, floor_tracker_finds_floor_under_speech);
    tcase_add_test(tc, floor_tracker_follows_a_rising_floor);
    tcase_add_test(tc, floor_holds_through_continuous_speech);
    tcase_add_test(tc, detector_fires_on_speech_from_the_onset_block);
    tcase_add_test(tc, detector_ignores_hiss_and_level_changes);
    tcase_add_test(tc, gain_computer_rules);
    tcase_add_test(tc, ramp_bounded_timed_and_chunk_independent);
    tcase_add_test(tc, apply_gain_in_place);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
