/*
 * Virtual camera operator. See campath.h.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <math.h>
#include <string.h>

#include "campath.h"

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void aip_campath_init(AIPCamPath *c, const AIPCamPathParams *p)
{
    memset(c, 0, sizeof(*c));
    c->p = *p;
    c->pos = c->target = p->len / 2;
}

double aip_campath_target(const AIPCamPathParams *p, const double *targets,
                          const double *weights, int n, double fallback)
{
    double sw = 0, st = 0;

    for (int j = 0; j < n; j++) {
        const double w = (double)(n - j) * weights[j];
        sw += w;
        st += w * targets[j];
    }
    return clampd(sw > 0 ? st / sw : fallback, p->win / 2, p->len - p->win / 2);
}

double aip_campath_step(AIPCamPath *c, const double *targets, const double *weights,
                        int n, int cut)
{
    const AIPCamPathParams *p = &c->p;
    const double lo = p->win / 2, hi = p->len - p->win / 2;
    /* Back on target: close enough to stop panning. */
    const double settle = p->deadzone / 4 > 1 ? p->deadzone / 4 : 1;
    const double s = aip_campath_target(p, targets, weights, n, c->target);
    double e;

    c->target = s;
    if (!c->started || cut) {
        c->pos = s;
        c->vel = 0;
        c->moving = 0;
        c->started = 1;
        return c->pos;
    }

    e = s - c->pos;
    if (!c->moving && fabs(e) > p->deadzone)
        c->moving = 1;

    if (c->moving) {
        const double a = fabs(e), acc = p->max_accel;
        /* The speed that can still stop on the target, not past it, in
         * steps of one frame: v + (v - acc) + (v - 2 acc) + ... <= a. */
        double vd = -acc / 2 + sqrt(acc * acc / 4 + 2 * acc * a);
        vd = vd < p->max_speed ? vd : p->max_speed;
        vd = vd < a ? vd : a;
        vd = e < 0 ? -vd : vd;
        c->vel += clampd(vd - c->vel, -p->max_accel, p->max_accel);
        c->pos += c->vel;
        if (c->pos <= lo || c->pos >= hi) {
            c->pos = clampd(c->pos, lo, hi);
            c->vel = 0;
        }
        if (fabs(s - c->pos) < settle && fabs(c->vel) <= p->max_accel) {
            c->moving = 0;
            c->vel = 0;
        }
    }
    return c->pos;
}
