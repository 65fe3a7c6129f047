/*
 * audiomixerr: how far a mix is from the sum it should be.
 *
 *   audiomixerr MIX.f32 BED.f32 VOICE.f32 WEIGHT
 *
 * MIX and BED are stereo f32le, VOICE mono f32le (zeros past its end, as
 * is BED). Prints max_err = max |MIX - BED - WEIGHT * VOICE| over both
 * channels, and the three lengths in samples.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/rawio.h"

int main(int argc, char **argv)
{
    long nm, nb, nv;
    float *mix, *bed, *voice;
    double w, err = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: audiomixerr MIX.f32 BED.f32 VOICE.f32 WEIGHT\n");
        return 2;
    }
    mix = slurp_f32(argv[1], &nm, 2);
    bed = slurp_f32(argv[2], &nb, 2);
    voice = slurp_f32(argv[3], &nv, 1);
    w = atof(argv[4]);
    if (!mix || !bed || !voice)
        return 1;
    for (long i = 0; i < nm; i++)
        for (int c = 0; c < 2; c++) {
            double b = i < nb ? bed[2 * i + c] : 0, v = i < nv ? voice[i] : 0;
            err = fmax(err, fabs(mix[2 * i + c] - b - w * v));
        }
    printf("max_err=%.9f\nmix_samples=%ld\nbed_samples=%ld\nvoice_samples=%ld\n", err, nm, nb, nv);
    free(mix);
    free(bed);
    free(voice);
    return 0;
}
