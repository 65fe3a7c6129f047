/*
 * levelplot: a level-over-time picture for docs/duckfloor.md, as PPM.
 *
 *   levelplot RATE MUSIC_IN.f32 MUSIC_OUT.f32 DIALOGUE.f32 FLOOR.txt MARGIN OUT.ppm
 *
 * MUSIC_* are stereo f32le, DIALOGUE mono f32le, FLOOR.txt lines of
 * "seconds floor_db" (duckfloor's noise_floor_db metadata). Levels are
 * K-weighted (the kernels' BS.1770 filter) over 50 ms, in the same units as
 * the floor. Drawn on a grid of 10 dB and 1 s: music in (grey), music out
 * (blue), dialogue (orange), the estimated floor (red) and floor + margin
 * (dashed red).
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/rawio.h"

#include "aipost/duck.h"

#define W 1200
#define H 420
#define DB_TOP 0.0
#define DB_BOTTOM (-80.0)

static unsigned char img[H][W][3];

static void dot(int x, int y, const unsigned char *c, int thick)
{
    for (int dy = -thick; dy <= thick; dy++)
        for (int dx = -thick; dx <= thick; dx++)
            if (x + dx >= 0 && x + dx < W && y + dy >= 0 && y + dy < H)
                memcpy(img[y + dy][x + dx], c, 3);
}

static int ypos(double db)
{
    double v = (DB_TOP - db) / (DB_TOP - DB_BOTTOM);
    return (int)lrint(fmin(fmax(v, 0), 1) * (H - 1));
}

/* K-weighted level of channels 0..ch-1 per 50 ms window, one per column. */
static void levels(const float *x, long n, int ch, double rate, double *out)
{
    AIPBiquad k[2];
    double z[8][4] = { { 0 } };
    long per = (long)(0.05 * rate);

    aip_biquad_kweighting(k, rate);
    for (int col = 0; col < W; col++) {
        long a = (long)((double)col / W * n), b = a + per;
        double sum = 0;
        if (b > n)
            b = n;
        for (int c = 0; c < ch; c++)
            for (long i = a; i < b; i++) {
                double v = x[i * ch + c], y;
                for (int s = 0; s < 2; s++) {
                    y = k[s].b0 * v + z[c][2 * s];
                    z[c][2 * s]     = k[s].b1 * v - k[s].a1 * y + z[c][2 * s + 1];
                    z[c][2 * s + 1] = k[s].b2 * v - k[s].a2 * y;
                    v = y;
                }
                sum += v * v;
            }
        out[col] = aip_duck_level_db(b > a ? sum / (b - a) : 0);
    }
}

static void curve(const double *v, const unsigned char *c, int thick, int dashed)
{
    for (int x = 0; x < W; x++) {
        int y0 = ypos(v[x > 0 ? x - 1 : 0]), y1 = ypos(v[x]);
        if (dashed && (x / 8) % 2)
            continue;
        for (int y = y0 < y1 ? y0 : y1; y <= (y0 < y1 ? y1 : y0); y++)
            dot(x, y, c, thick);
    }
}

int main(int argc, char **argv)
{
    static const unsigned char grey[3] = { 150, 150, 150 }, blue[3] = { 30, 90, 220 },
                               orange[3] = { 240, 140, 20 }, red[3] = { 210, 30, 30 },
                               grid[3] = { 225, 225, 225 };
    double rate, margin, lin[W], lout[W], ldlg[W], floor_db[W], floor_m[W];
    long nin, nout, nd;
    float *min, *mout, *dlg;
    FILE *f;

    if (argc < 8) {
        fprintf(stderr, "usage: levelplot RATE MUSIC_IN MUSIC_OUT DIALOGUE FLOOR.txt MARGIN OUT.ppm\n");
        return 2;
    }
    rate = atof(argv[1]);
    min  = slurp_f32(argv[2], &nin, 2);
    mout = slurp_f32(argv[3], &nout, 2);
    dlg  = slurp_f32(argv[4], &nd, 1);
    margin = atof(argv[6]);
    if (!min || !mout || !dlg)
        return 1;

    memset(img, 255, sizeof(img));
    for (int s = 0; s * rate < nin; s++)
        for (int y = 0; y < H; y++)
            dot((int)(s * rate / nin * W), y, grid, 0);
    for (double db = DB_TOP; db >= DB_BOTTOM; db -= 10)
        for (int x = 0; x < W; x++)
            dot(x, ypos(db), grid, 0);

    levels(min, nin, 2, rate, lin);
    levels(mout, nout, 2, rate, lout);
    levels(dlg, nd, 1, rate, ldlg);

    for (int x = 0; x < W; x++)
        floor_db[x] = DB_BOTTOM - 10;
    if ((f = fopen(argv[5], "r"))) {
        double t, v;
        while (fscanf(f, "%lf %lf", &t, &v) == 2) {
            int x = (int)(t * rate / nin * W);
            for (; x >= 0 && x < W; x++)
                floor_db[x] = v;        /* holds until the next entry */
        }
        fclose(f);
    }
    for (int x = 0; x < W; x++)
        floor_m[x] = floor_db[x] + margin;

    curve(ldlg, orange, 0, 0);
    curve(lin, grey, 1, 0);
    curve(lout, blue, 1, 0);
    curve(floor_db, red, 1, 0);
    curve(floor_m, red, 0, 1);

    if (!(f = fopen(argv[7], "wb")))
        return 1;
    fprintf(f, "P6\n%d %d\n255\n", W, H);
    fwrite(img, 1, sizeof(img), f);
    fclose(f);
    free(min);
    free(mout);
    free(dlg);
    return 0;
}
