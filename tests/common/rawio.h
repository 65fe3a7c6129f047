/*
 * Reading raw f32le files whole, for the audio test tools.
 */

#ifndef AIPOST_TEST_RAWIO_H
#define AIPOST_TEST_RAWIO_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file as floats; *frames = samples per channel. NULL on error. */
static inline float *slurp_f32(const char *path, long *frames, int channels)
{
    FILE *f = fopen(path, "rb");
    float *buf;
    long size;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = size >= 0 ? malloc(size + 8) : NULL;
    if (!buf || fread(buf, 1, size, f) != (size_t)size) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *frames = size / (channels * (long)sizeof(float));
    return buf;
}

#endif /* AIPOST_TEST_RAWIO_H */
