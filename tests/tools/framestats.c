/*
 * framestats: measurements on raw single-plane video for the graph tests.
 *
 *   framestats stats W H BYTES A [B]   mean, sd, max |.| of A (or of A - B)
 *   framestats fwhm  W H BYTES A B     width at half maximum of the
 *                                      horizontal autocorrelation of A - B
 *   framestats tcorr W H BYTES A B     mean correlation of A - B between
 *                                      consecutive frames
 *
 * A and B are raw planes (ffmpeg -vf extractplanes=y -f rawvideo), BYTES 1
 * for 8-bit, 2 for 16-bit little-endian containers. Output: key=value.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Clip {
    int w, h, bytes;
    size_t frames;
    double *v;          /* frames * w * h samples */
} Clip;

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "framestats: %s%s\n", msg, arg ? arg : "");
    exit(2);
}

static void load(Clip *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    const size_t frame = (size_t)c->w * c->h * c->bytes;
    uint8_t *raw;
    long size;

    if (!f)
        die("cannot open ", path);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size <= 0 || size % frame)
        die("size is not a whole number of frames: ", path);
    c->frames = size / frame;
    raw = malloc(size);
    c->v = malloc(sizeof(*c->v) * c->frames * c->w * c->h);
    if (!raw || !c->v || fread(raw, 1, size, f) != (size_t)size)
        die("cannot read ", path);
    fclose(f);
    for (size_t i = 0; i < c->frames * c->w * c->h; i++)
        c->v[i] = c->bytes == 1 ? raw[i] : raw[2 * i] | raw[2 * i + 1] << 8;
    free(raw);
}

/* A - B, sample by sample, into A. */
static void subtract(Clip *a, const Clip *b)
{
    if (a->frames != b->frames)
        die("the two inputs have different frame counts", NULL);
    for (size_t i = 0; i < a->frames * a->w * a->h; i++)
        a->v[i] -= b->v[i];
}

static void frame_mean_sd(const double *p, size_t n, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    *mean = s / n;
    for (size_t i = 0; i < n; i++)
        s2 += (p[i] - *mean) * (p[i] - *mean);
    *sd = sqrt(s2 / n);
}

static void cmd_stats(const Clip *c)
{
    const size_t n = (size_t)c->w * c->h;
    double mean = 0, var = 0, maxabs = 0;
    for (size_t f = 0; f < c->frames; f++) {
        double m, sd;
        frame_mean_sd(c->v + f * n, n, &m, &sd);
        mean += m;
        var  += sd * sd;
    }
    for (size_t i = 0; i < c->frames * n; i++)
        maxabs = fmax(maxabs, fabs(c->v[i]));
    printf("frames=%zu\nmean=%.4f\nsd=%.4f\nmaxabs=%.0f\n",
           c->frames, mean / c->frames, sqrt(var / c->frames), maxabs);
}

static void cmd_fwhm(const Clip *c)
{
    const size_t n = (size_t)c->w * c->h;
    double r[64] = { 0 }, prev = 1, width = 2.0 * 63;
    for (size_t f = 0; f < c->frames; f++) {
        const double *p = c->v + f * n;
        double m, sd;
        frame_mean_sd(p, n, &m, &sd);
        for (int d = 0; d < 64 && d < c->w; d++) {
            double acc = 0;
            for (int y = 0; y < c->h; y++)
                for (int x = 0; x + d < c->w; x++)
                    acc += (p[y * c->w + x] - m) * (p[y * c->w + x + d] - m);
            r[d] += acc / ((double)c->h * (c->w - d));
        }
    }
    for (int d = 1; d < 64; d++) {
        const double rd = r[d] / r[0];
        if (rd < 0.5) {
            width = 2.0 * (d - 1 + (prev - 0.5) / (prev - rd));
            break;
        }
        prev = rd;
    }
    printf("fwhm=%.3f\nr1=%.4f\n", width, r[1] / r[0]);
}

static void cmd_tcorr(const Clip *c)
{
    const size_t n = (size_t)c->w * c->h;
    double sum = 0;
    if (c->frames < 2)
        die("tcorr needs two frames or more", NULL);
    for (size_t f = 1; f < c->frames; f++) {
        const double *a = c->v + (f - 1) * n, *b = c->v + f * n;
        double ma, mb, sa, sb, cov = 0;
        frame_mean_sd(a, n, &ma, &sa);
        frame_mean_sd(b, n, &mb, &sb);
        for (size_t i = 0; i < n; i++)
            cov += (a[i] - ma) * (b[i] - mb);
        sum += sa > 0 && sb > 0 ? cov / n / (sa * sb) : 1.0;
    }
    printf("tcorr=%.4f\n", sum / (c->frames - 1));
}

int main(int argc, char **argv)
{
    Clip a = { 0 }, b = { 0 };

    if (argc < 6)
        die("usage: framestats stats|fwhm|tcorr W H BYTES A [B]", NULL);
    a.w = b.w = atoi(argv[2]);
    a.h = b.h = atoi(argv[3]);
    a.bytes = b.bytes = atoi(argv[4]);
    if (a.w <= 0 || a.h <= 0 || (a.bytes != 1 && a.bytes != 2))
        die("bad geometry", NULL);
    load(&a, argv[5]);
    if (argc > 6) {
        load(&b, argv[6]);
        subtract(&a, &b);
    } else if (strcmp(argv[1], "stats")) {
        die("this measure needs two inputs", NULL);
    }

    if (!strcmp(argv[1], "stats"))
        cmd_stats(&a);
    else if (!strcmp(argv[1], "fwhm"))
        cmd_fwhm(&a);
    else if (!strcmp(argv[1], "tcorr"))
        cmd_tcorr(&a);
    else
        die("unknown measure ", argv[1]);
    free(a.v);
    free(b.v);
    return 0;
}
