/*
 * framestats: measurements on raw single-plane video for the graph tests.
 *
 *   framestats stats W H BYTES A [B]   mean, sd, max |.| of A (or of A - B)
 *   framestats fwhm  W H BYTES A B     width at half maximum of the
 *                                      horizontal autocorrelation of A - B
 *   framestats tcorr W H BYTES A B     mean correlation of A - B between
 *                                      consecutive frames
 *
 *   framestats band  W H BYTES A R1 R2 X0 Y0 X1 Y1
 *                                      deviation in the pore band of A inside
 *                                      the region [X0, X1) x [Y0, Y1): band =
 *                                      box(2 R1 + 1) - box(2 R2 + 1), edges
 *                                      repeated (skintexture's measure)
 *   framestats diff  W H BYTES A B X0 Y0 X1 Y1
 *                                      samples of the region that differ
 *                                      (changed=), largest |A - B|
 *   framestats masked W H BYTES A B M LEVEL
 *                                      samples where A and B differ although
 *                                      the mask M (same geometry) is at or
 *                                      below LEVEL there (changed_outside=),
 *                                      and where M is above it (inside=)
 *   framestats mccorr W H BYTES IN OUT [X0 Y0 X1 Y1]
 *                                      correlation of the residual OUT - IN
 *                                      of consecutive frames after motion
 *                                      compensation: the motion of IN is
 *                                      found per 16 x 16 block (SSD, +-12 px,
 *                                      then quarter pixels, bilinear), the
 *                                      previous residual is brought along it
 *                                      and correlated with the current one
 *                                      over blocks whose residual is not
 *                                      zero; mean and smallest per frame
 *   framestats deltae W H A B SIGMA X0 Y0 X1 Y1
 *                                      A, B packed rgb24 (sRGB): CIE76
 *                                      colour difference of the two pictures
 *                                      blurred by a Gaussian of SIGMA px,
 *                                      largest and mean over the region
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

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Region arguments, clipped to the picture. */
static void region(char **argv, int w, int h, int *x0, int *y0, int *x1, int *y1)
{
    *x0 = clampi(atoi(argv[0]), 0, w);
    *y0 = clampi(atoi(argv[1]), 0, h);
    *x1 = clampi(atoi(argv[2]), *x0, w);
    *y1 = clampi(atoi(argv[3]), *y0, h);
    if (*x1 <= *x0 || *y1 <= *y0)
        die("empty region", NULL);
}

static double box_at(const double *p, int w, int h, int x, int y, int r)
{
    double s = 0;
    for (int j = -r; j <= r; j++)
        for (int i = -r; i <= r; i++)
            s += p[clampi(y + j, 0, h - 1) * w + clampi(x + i, 0, w - 1)];
    return s / ((2 * r + 1) * (2 * r + 1));
}

static void cmd_band(const Clip *c, int r1, int r2, int x0, int y0, int x1, int y1)
{
    const size_t n = (size_t)c->w * c->h;
    double s2 = 0;
    for (size_t f = 0; f < c->frames; f++)
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
                const double b = box_at(c->v + f * n, c->w, c->h, x, y, r1) -
                                 box_at(c->v + f * n, c->w, c->h, x, y, r2);
                s2 += b * b;
            }
    printf("band_sd=%.4f\n", sqrt(s2 / ((double)c->frames * (x1 - x0) * (y1 - y0))));
}

static void cmd_masked(const Clip *a, const Clip *b, const Clip *m, double level)
{
    const size_t n = (size_t)a->w * a->h * a->frames;
    size_t outside = 0, changed = 0, inside = 0;
    if (a->frames != b->frames || a->frames != m->frames)
        die("the three inputs have different frame counts", NULL);
    for (size_t i = 0; i < n; i++) {
        const int d = a->v[i] != b->v[i];
        changed += d;
        if (m->v[i] <= level)
            outside += d;
        else
            inside++;
    }
    printf("changed=%zu\nchanged_outside=%zu\ninside=%zu\n", changed, outside, inside);
}

static void cmd_diff(const Clip *a, const Clip *b, int x0, int y0, int x1, int y1)
{
    const size_t n = (size_t)a->w * a->h;
    size_t changed = 0;
    double maxabs = 0;
    if (a->frames != b->frames)
        die("the two inputs have different frame counts", NULL);
    for (size_t f = 0; f < a->frames; f++)
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
                const double d = fabs(a->v[f * n + y * a->w + x] - b->v[f * n + y * a->w + x]);
                changed += d != 0;
                maxabs = fmax(maxabs, d);
            }
    printf("changed=%zu\nmaxabs=%.0f\n", changed, maxabs);
}

/* Bilinear sample of plane p at (x, y), edges repeated. */
static double bilin(const double *p, int w, int h, double x, double y)
{
    const int ix = (int)floor(x), iy = (int)floor(y);
    const double fx = x - ix, fy = y - iy;
    const int x0 = clampi(ix, 0, w - 1), x1 = clampi(ix + 1, 0, w - 1);
    const int y0 = clampi(iy, 0, h - 1), y1 = clampi(iy + 1, 0, h - 1);
    return (p[y0 * w + x0] * (1 - fx) + p[y0 * w + x1] * fx) * (1 - fy) +
           (p[y1 * w + x0] * (1 - fx) + p[y1 * w + x1] * fx) * fy;
}

#define MC_BLOCK 16
#define MC_RANGE 12

/* SSD of the block at (bx, by) of cur against prev displaced by (dx, dy):
 * what is at p now was at p - d. */
static double block_ssd(const double *cur, const double *prev, int w, int h,
                        int bx, int by, double dx, double dy)
{
    double s = 0;
    for (int y = by; y < by + MC_BLOCK; y++)
        for (int x = bx; x < bx + MC_BLOCK; x++) {
            const double d = cur[y * w + x] - bilin(prev, w, h, x - dx, y - dy);
            s += d * d;
        }
    return s;
}

static void cmd_mccorr(const Clip *in, const Clip *out, int x0, int y0, int x1, int y1)
{
    const size_t n = (size_t)in->w * in->h;
    const int w = in->w, h = in->h;
    double sum = 0, minc = 2;
    size_t frames = 0, blocks = 0;
    double *res = malloc(sizeof(*res) * n * in->frames);

    if (!res || in->frames != out->frames || in->frames < 2)
        die("mccorr needs two clips of the same length, two frames or more", NULL);
    for (size_t i = 0; i < n * in->frames; i++)
        res[i] = out->v[i] - in->v[i];
    for (size_t f = 1; f < in->frames; f++) {
        const double *cur = in->v + f * n, *prev = in->v + (f - 1) * n;
        const double *rc = res + f * n, *rp = res + (f - 1) * n;
        double cov = 0, va = 0, vb = 0;
        for (int by = y0; by + MC_BLOCK <= y1; by += MC_BLOCK)
            for (int bx = x0; bx + MC_BLOCK <= x1; bx += MC_BLOCK) {
                double e = 0, best, bdx = 0, bdy = 0;
                for (int y = by; y < by + MC_BLOCK; y++)
                    for (int x = bx; x < bx + MC_BLOCK; x++)
                        e += rc[y * w + x] * rc[y * w + x];
                if (e < 0.25 * MC_BLOCK * MC_BLOCK)     /* residual below 0.5 rms: not textured */
                    continue;
                best = block_ssd(cur, prev, w, h, bx, by, 0, 0);
                for (int dy = -MC_RANGE; dy <= MC_RANGE; dy++)
                    for (int dx = -MC_RANGE; dx <= MC_RANGE; dx++) {
                        const double c = block_ssd(cur, prev, w, h, bx, by, dx, dy);
                        if (c < best) {
                            best = c;
                            bdx = dx;
                            bdy = dy;
                        }
                    }
                {
                    const double cx = bdx, cy = bdy;
                    for (int qy = -3; qy <= 3; qy++)
                        for (int qx = -3; qx <= 3; qx++) {
                            const double c = block_ssd(cur, prev, w, h, bx, by, cx + qx / 4.0, cy + qy / 4.0);
                            if (c < best) {
                                best = c;
                                bdx = cx + qx / 4.0;
                                bdy = cy + qy / 4.0;
                            }
                        }
                }
                if (getenv("FRAMESTATS_DEBUG") && getenv("FRAMESTATS_DEBUG")[0] == '2')
                    fprintf(stderr, "  block %d,%d: v %.2f %.2f\n", bx, by, bdx, bdy);
                for (int y = by; y < by + MC_BLOCK; y++)
                    for (int x = bx; x < bx + MC_BLOCK; x++) {
                        const double a = rc[y * w + x], b = bilin(rp, w, h, x - bdx, y - bdy);
                        cov += a * b;
                        va  += a * a;
                        vb  += b * b;
                    }
                blocks++;
            }
        if (va > 0 && vb > 0) {
            const double c = cov / sqrt(va * vb);
            if (getenv("FRAMESTATS_DEBUG"))
                fprintf(stderr, "frame %zu: corr %.4f\n", f, c);
            sum += c;
            minc = fmin(minc, c);
            frames++;
        }
    }
    free(res);
    if (!frames)
        die("no textured blocks to correlate", NULL);
    printf("mccorr=%.4f\nmccorr_min=%.4f\nblocks=%zu\n", sum / frames, minc, blocks);
}

/* sRGB code value to linear light. */
static double srgb_linear(double v)
{
    v /= 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double lab_f(double t)
{
    return t > 216.0 / 24389.0 ? cbrt(t) : (24389.0 / 27.0 * t + 16) / 116;
}

static void rgb_to_lab(const double *rgb, double *lab)
{
    const double r = srgb_linear(rgb[0]), g = srgb_linear(rgb[1]), b = srgb_linear(rgb[2]);
    /* BT.709 / sRGB primaries, D65 */
    const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    const double y =  0.2126 * r + 0.7152 * g + 0.0722 * b;
    const double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    lab[0] = 116 * lab_f(y) - 16;
    lab[1] = 500 * (lab_f(x) - lab_f(y));
    lab[2] = 200 * (lab_f(y) - lab_f(z));
}

/* Separable Gaussian blur of one channel of packed rgb (doubles). */
static void blur_rgb(double *p, int w, int h, double sigma)
{
    const int r = (int)ceil(3 * sigma);
    double *k = malloc(sizeof(*k) * (2 * r + 1)), *t = malloc(sizeof(*t) * w * h * 3), ks = 0;
    if (!k || !t)
        die("out of memory", NULL);
    for (int i = -r; i <= r; i++)
        ks += k[i + r] = exp(-(double)i * i / (2 * sigma * sigma));
    for (int i = 0; i <= 2 * r; i++)
        k[i] /= ks;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                double a = 0;
                for (int i = -r; i <= r; i++)
                    a += k[i + r] * p[(y * w + clampi(x + i, 0, w - 1)) * 3 + c];
                t[(y * w + x) * 3 + c] = a;
            }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++) {
                double a = 0;
                for (int i = -r; i <= r; i++)
                    a += k[i + r] * t[(clampi(y + i, 0, h - 1) * w + x) * 3 + c];
                p[(y * w + x) * 3 + c] = a;
            }
    free(k);
    free(t);
}

static void cmd_deltae(int w, int h, const char *pa, const char *pb, double sigma, char **reg)
{
    Clip a = { .w = w * 3, .h = h, .bytes = 1 }, b = { .w = w * 3, .h = h, .bytes = 1 };
    const size_t n = (size_t)w * h * 3;
    int x0, y0, x1, y1;
    double maxe = 0, sume = 0;
    size_t cnt = 0;

    load(&a, pa);
    load(&b, pb);
    if (a.frames != b.frames)
        die("the two inputs have different frame counts", NULL);
    region(reg, w, h, &x0, &y0, &x1, &y1);
    for (size_t f = 0; f < a.frames; f++) {
        blur_rgb(a.v + f * n, w, h, sigma);
        blur_rgb(b.v + f * n, w, h, sigma);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
                double la[3], lb[3], e;
                rgb_to_lab(a.v + f * n + (size_t)(y * w + x) * 3, la);
                rgb_to_lab(b.v + f * n + (size_t)(y * w + x) * 3, lb);
                e = sqrt((la[0] - lb[0]) * (la[0] - lb[0]) + (la[1] - lb[1]) * (la[1] - lb[1]) +
                         (la[2] - lb[2]) * (la[2] - lb[2]));
                maxe = fmax(maxe, e);
                sume += e;
                cnt++;
            }
    }
    printf("deltae_max=%.4f\ndeltae_mean=%.4f\n", maxe, sume / cnt);
    free(a.v);
    free(b.v);
}

int main(int argc, char **argv)
{
    Clip a = { 0 }, b = { 0 };

    if (argc >= 11 && !strcmp(argv[1], "deltae")) {
        cmd_deltae(atoi(argv[2]), atoi(argv[3]), argv[4], argv[5], atof(argv[6]), argv + 7);
        return 0;
    }

    if (argc < 6)
        die("usage: framestats stats|fwhm|tcorr|band|diff|mccorr|deltae W H ... (see the source)", NULL);
    a.w = b.w = atoi(argv[2]);
    a.h = b.h = atoi(argv[3]);
    a.bytes = b.bytes = atoi(argv[4]);
    if (a.w <= 0 || a.h <= 0 || (a.bytes != 1 && a.bytes != 2))
        die("bad geometry", NULL);
    load(&a, argv[5]);
    if (!strcmp(argv[1], "masked")) {
        Clip m = a;
        if (argc < 9)
            die("usage: framestats masked W H BYTES A B M LEVEL", NULL);
        load(&b, argv[6]);
        m.v = NULL;
        load(&m, argv[7]);
        cmd_masked(&a, &b, &m, atof(argv[8]));
        free(a.v);
        free(b.v);
        free(m.v);
        return 0;
    }
    if (!strcmp(argv[1], "band") || !strcmp(argv[1], "diff") || !strcmp(argv[1], "mccorr")) {
        int x0 = 0, y0 = 0, x1 = a.w, y1 = a.h;
        if (!strcmp(argv[1], "band")) {
            if (argc < 12)
                die("usage: framestats band W H BYTES A R1 R2 X0 Y0 X1 Y1", NULL);
            region(argv + 8, a.w, a.h, &x0, &y0, &x1, &y1);
            cmd_band(&a, atoi(argv[6]), atoi(argv[7]), x0, y0, x1, y1);
        } else {
            if (argc < 7)
                die("this measure needs two inputs", NULL);
            load(&b, argv[6]);
            if (argc >= 11)
                region(argv + 7, a.w, a.h, &x0, &y0, &x1, &y1);
            else if (!strcmp(argv[1], "diff"))
                die("usage: framestats diff W H BYTES A B X0 Y0 X1 Y1", NULL);
            if (!strcmp(argv[1], "diff"))
                cmd_diff(&a, &b, x0, y0, x1, y1);
            else
                cmd_mccorr(&a, &b, x0, y0, x1, y1);
        }
        free(a.v);
        free(b.v);
        return 0;
    }
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
