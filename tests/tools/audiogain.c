/*
 * audiogain: the per-sample gain a filter applied to a quadrature probe.
 *
 *   audiogain RATE IN.f32 OUT.f32 [T0:T1 ...]
 *
 * IN is the stereo probe (L = A sin wt, R = A cos wt, interleaved f32le),
 * OUT what the filter made of it. Because |(L, R)| is constant, the gain of
 * every sample is |out| / |in| exactly, and the angle between the two
 * vectors is the timing error: a single sample of shift at 440 Hz / 48 kHz
 * is 0.058 rad. Prints key=value lines:
 *   samples, phase_err_max (rad), slope_down_max, slope_up_max (dB/ms),
 *   and for each range K: rK_min_db, rK_max_db, rK_exact (1 when every
 *   sample of OUT equals IN bit for bit).
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rawio.h"

int main(int argc, char **argv)
{
    long n_in, n_out, n;
    float *in, *out;
    double rate, phase_max = 0, down = 0, up = 0, prev_db = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: audiogain RATE IN.f32 OUT.f32 [T0:T1 ...]\n");
        return 2;
    }
    rate = atof(argv[1]);
    in  = slurp_f32(argv[2], &n_in, 2);
    out = slurp_f32(argv[3], &n_out, 2);
    if (!in || !out) {
        fprintf(stderr, "audiogain: cannot read the inputs\n");
        return 1;
    }
    n = n_in < n_out ? n_in : n_out;
    printf("samples=%ld\nsamples_in=%ld\n", n_out, n_in);

    for (long i = 0; i < n; i++) {
        double il = in[2 * i], ir = in[2 * i + 1], ol = out[2 * i], or_ = out[2 * i + 1];
        double mi = hypot(il, ir), mo = hypot(ol, or_);
        double db = 20 * log10(fmax(mo, 1e-12) / fmax(mi, 1e-12));
        if (mo > 1e-6 * mi) {
            double ang = fabs(atan2(il * or_ - ir * ol, il * ol + ir * or_));
            phase_max = fmax(phase_max, ang);
        }
        if (i) {
            down = fmax(down, prev_db - db);
            up   = fmax(up, db - prev_db);
        }
        prev_db = db;
    }
    printf("phase_err_max=%.6f\nslope_down_max=%.5f\nslope_up_max=%.5f\n",
           phase_max, down * rate / 1000, up * rate / 1000);

    for (int k = 4; k < argc; k++) {
        long a = (long)(atof(argv[k]) * rate), b;
        const char *colon = strchr(argv[k], ':');
        double lo = 1e9, hi = -1e9;
        int exact = 1;

        b = colon ? (long)(atof(colon + 1) * rate) : a + 1;
        if (a < 0)
            a = 0;
        if (b > n)
            b = n;
        for (long i = a; i < b; i++) {
            double mi = hypot(in[2 * i], in[2 * i + 1]);
            double mo = hypot(out[2 * i], out[2 * i + 1]);
            double db = 20 * log10(fmax(mo, 1e-12) / fmax(mi, 1e-12));
            lo = fmin(lo, db);
            hi = fmax(hi, db);
            exact &= memcmp(&in[2 * i], &out[2 * i], 2 * sizeof(float)) == 0;
        }
        printf("r%d_min_db=%.4f\nr%d_max_db=%.4f\nr%d_exact=%d\n", k - 4, lo, k - 4, hi,
               k - 4, b > a ? exact : 0);
    }
    free(in);
    free(out);
    return 0;
}
