/*
 * speechgen: speech-like dialogue over a known noise floor, as raw mono
 * f32le on stdout, for the duckfloor tests and docs.
 *
 *   speechgen RATE SECONDS NOISE_DBFS SPEECH_DBFS [START-END,...] [SEED]
 *
 * The same generator the unit tests use (tests/common/speechgen.h).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/speechgen.h"

int main(int argc, char **argv)
{
    SpeechSpan span[64];
    int nb = 0, rate, n;
    float *buf;

    if (argc < 5) {
        fprintf(stderr, "usage: speechgen RATE SECONDS NOISE_DBFS SPEECH_DBFS [START-END,...] [SEED]\n");
        return 2;
    }
    rate = atoi(argv[1]);
    n = (int)(atof(argv[2]) * rate);
    if (argc > 5 && strcmp(argv[5], "-")) {
        char *p = argv[5];
        while (*p && nb < 64) {
            span[nb].start = strtod(p, &p);
            if (*p++ != '-')
                return 2;
            span[nb].end = strtod(p, &p);
            nb++;
            if (*p == ',')
                p++;
        }
    }
    buf = malloc((size_t)n * sizeof(*buf));
    if (rate <= 0 || n <= 0 || !buf)
        return 2;
    speechgen(buf, n, rate, atof(argv[3]), atof(argv[4]), span, nb,
              argc > 6 ? (uint32_t)strtoul(argv[6], NULL, 0) : 1);
    fwrite(buf, sizeof(*buf), n, stdout);
    free(buf);
    return 0;
}
