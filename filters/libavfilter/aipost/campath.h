/*
 * A virtual camera operator for reframing (socialprep): the position of a
 * crop window along one axis, frame after frame, from the raw targets that
 * saliency proposes for the frames ahead (a lookahead window).
 *
 * The operator holds the shot while the subject stays inside a dead zone
 * around the window's centre and pans when it leaves: towards the
 * lookahead target (the confidence-weighted mean of the targets ahead,
 * nearer frames weighing more, so the pan starts before the subject gets
 * to the edge and leaves lead room ahead of it), with a speed limit, an
 * acceleration limit and a braking rule (at distance e, a speed v with
 * v + (v - a) + (v - 2a) + ... <= e, so it can stop on the target in
 * frame steps), until it is back on the
 * target. At a scene cut the path starts afresh on the new target. So:
 *   - between cuts, the position moves by at most max_speed per frame;
 *     its speed changes by at most max_accel per frame, except when the
 *     window meets the frame's edge, where it stops;
 *   - while the subject stays in the dead zone the position does not change.
 * Doubles with basic arithmetic and sqrt only (correctly rounded in IEEE
 * 754): the same path on every machine.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_CAMPATH_H
#define AIPOST_CAMPATH_H

typedef struct AIPCamPathParams {
    double win;         /* window length along the axis, samples */
    double len;         /* frame length along the axis (>= win) */
    double deadzone;    /* target offsets up to this keep the camera still, samples */
    double max_speed;   /* samples per frame, > 0 */
    double max_accel;   /* samples per frame per frame, > 0 */
} AIPCamPathParams;

typedef struct AIPCamPath {
    AIPCamPathParams p;
    double pos;         /* window centre */
    double vel;         /* samples per frame */
    double target;      /* the lookahead target of the last step */
    int moving;
    int started;
} AIPCamPath;

void aip_campath_init(AIPCamPath *c, const AIPCamPathParams *p);

/* The lookahead target of n >= 1 raw targets (targets[0] is the current
 * frame's): sum (n - j) w_j t_j / sum (n - j) w_j, kept where the window
 * fits; `fallback` when every weight is 0. */
double aip_campath_target(const AIPCamPathParams *p, const double *targets,
                          const double *weights, int n, double fallback);

/**
 * Advance one frame. targets/weights: the raw targets and their confidences
 * for the current frame and up to n - 1 frames ahead, not across a scene
 * cut (the caller stops the window there). cut: this frame starts a new
 * scene (or is the first). Returns the window centre for this frame.
 */
double aip_campath_step(AIPCamPath *c, const double *targets, const double *weights,
                        int n, int cut);

#endif /* AIPOST_CAMPATH_H */
