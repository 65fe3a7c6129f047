/*
 * Unit tests of the camera path (aipost/campath.*): steady inside the dead
 * zone, speed and acceleration limits, a pan that stops on its target, a
 * subject at constant speed kept in the window, anticipation from the
 * lookahead, resets at cuts, the window kept inside the frame.
 */

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/unit.h"
#include "aipost/campath.h"

static const AIPCamPathParams P = {
    .win = 608, .len = 1920, .deadzone = 90, .max_speed = 20, .max_accel = 1.5,
};

#define LA 30

/* Step with a lookahead of LA frames of targets f(n + j), full confidence. */
static double step(AIPCamPath *c, double (*f)(int), int n, int cut)
{
    double t[LA + 1], w[LA + 1];
    for (int j = 0; j <= LA; j++) {
        t[j] = f(n + j);
        w[j] = 1;
    }
    return aip_campath_step(c, t, w, LA + 1, cut);
}

static double jitter(int n)
{
    return 900 + 40 * sin(n * 1.3) + 30 * cos(n * 0.7);
}

START_TEST(test_steady_in_deadzone)
{
    AIPCamPath c;
    double first;
    aip_campath_init(&c, &P);
    first = step(&c, jitter, 0, 1);
    for (int n = 1; n < 300; n++)
        ck_assert_msg(step(&c, jitter, n, 0) == first, "frame %d moved", n);
}
END_TEST

static double walk(int n)
{
    /* still, then 8 px/frame to the right, then still, then back */
    return n < 30 ? 400 : n < 150 ? 400 + 8 * (n - 30) : n < 200 ? 1360 : 1360 - 6 * (n - 200);
}

START_TEST(test_follows_within_limits)
{
    AIPCamPath c;
    double prev = 0, vprev = 0;
    aip_campath_init(&c, &P);
    for (int n = 0; n < 330; n++) {
        const double pos = step(&c, walk, n, n == 0);
        const double v = pos - prev;
        ck_assert(pos >= P.win / 2 && pos <= P.len - P.win / 2);
        if (n > 0)
            ck_assert_msg(fabs(v) <= P.max_speed + 1e-9, "frame %d: jump %g", n, v);
        if (n > 1 && pos > P.win / 2 && pos < P.len - P.win / 2)
            ck_assert_msg(fabs(v - vprev) <= P.max_accel + 1e-9, "frame %d: acceleration %g", n, v - vprev);
        /* a 200 px subject centred on the target stays inside */
        ck_assert_msg(fabs(walk(n) - pos) <= P.win / 2 - 100, "frame %d: subject %g, window %g", n, walk(n), pos);
        prev = pos;
        vprev = v;
    }
}
END_TEST

static double jump(int n)
{
    return n < 10 ? 500 : 1100;
}

START_TEST(test_pan_stops_on_target)
{
    AIPCamPath c;
    double pos = 0;
    int started = -1;
    aip_campath_init(&c, &P);
    for (int n = 0; n < 200; n++) {
        const double prev = pos;
        pos = step(&c, jump, n, n == 0);
        if (started < 0 && n > 0 && pos != prev)
            started = n;
    }
    /* The lookahead sees the change coming: the pan starts before it. */
    ck_assert_msg(started >= 0 && started < 10, "pan started at %d", started);
    ck_assert_msg(fabs(pos - 1100) <= P.deadzone / 4, "ended at %g", pos);
    ck_assert(!c.moving && c.vel == 0);
}
END_TEST

START_TEST(test_cut_resets)
{
    AIPCamPath c;
    double t = 500, w = 1;
    aip_campath_init(&c, &P);
    ck_assert(aip_campath_step(&c, &t, &w, 1, 1) == 500);
    t = 1500;
    ck_assert(aip_campath_step(&c, &t, &w, 1, 0) != 1500);
    ck_assert(aip_campath_step(&c, &t, &w, 1, 1) == 1500);
    ck_assert(c.vel == 0);
    /* a target beyond the frame is kept where the window fits */
    t = 5000;
    ck_assert(aip_campath_step(&c, &t, &w, 1, 1) == P.len - P.win / 2);
    /* no confidence anywhere: the last target holds */
    w = 0;
    t = 100;
    ck_assert(aip_campath_step(&c, &t, &w, 1, 0) == P.len - P.win / 2);
}
END_TEST

START_TEST(test_target_weights)
{
    const double t[3] = { 400, 600, 2000 }, w[3] = { 1, 1, 0 };
    /* (3 * 400 + 2 * 600) / 5 */
    ck_assert(fabs(aip_campath_target(&P, t, w, 3, 0) - 480) < 1e-9);
    ck_assert(aip_campath_target(&P, t, (const double[]){ 0, 0, 0 }, 3, 777) == 777);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("campath");
    TCase *tc = tcase_create("kernels");

    tcase_add_test(tc, test_steady_in_deadzone);
    tcase_add_test(tc, test_follows_within_limits);
    tcase_add_test(tc, test_pan_stops_on_target);
    tcase_add_test(tc, test_cut_resets);
    tcase_add_test(tc, test_target_weights);
    suite_add_tcase(s, tc);

    return unit_run(s);
}
