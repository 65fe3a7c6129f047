/*
 * saliencymap: socialprep's saliency kernel on raw yuv420p video, for tests,
 * tuning and the docs' pictures.
 *
 *   saliencymap W H FILE.yuv [WIN]     per frame: the best window of WIN
 *                                      (default H * 9 / 16) along x: centre,
 *                                      confidence, scene change
 *   saliencymap W H FILE.yuv WIN N     frame N's map as a PGM (cells, 0..255)
 *                                      on stdout, and the per-cue column
 *                                      profiles on stderr
 *
 * Weights are socialprep's defaults (motion 2, contrast 0.3, skin 0.2,
 * face 0.6).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "aipost/saliency.h"

static void die(const char *msg)
{
    fprintf(stderr, "saliencymap: %s\n", msg);
    exit(2);
}

int main(int argc, char **argv)
{
    const AIPSaliencyWeights w = { 2.0, 0.3, 0.2, 0.6 };
    AIPSaliency s;
    AIPSaliencyFrame f[2];
    uint8_t *buf[2];
    FILE *in;
    int width, height, want = -1;
    double win, prev = -1;
    size_t ysize, csize;

    if (argc < 4)
        die("usage: saliencymap W H FILE.yuv [WIN [N]]");
    width = atoi(argv[1]);
    height = atoi(argv[2]);
    win = argc > 4 ? atof(argv[4]) : height * 9.0 / 16;
    if (argc > 5)
        want = atoi(argv[5]);
    if (!(in = fopen(argv[3], "rb")))
        die("cannot open the input");
    if (aip_saliency_init(&s, width, height, 0) < 0)
        die("bad size");
    ysize = (size_t)width * height;
    csize = (size_t)((width + 1) / 2) * ((height + 1) / 2);
    for (int i = 0; i < 2; i++) {
        f[i] = (AIPSaliencyFrame){ .depth = 8 };
        if (!(buf[i] = malloc(ysize + 2 * csize)))
            die("out of memory");
        f[i].data[0] = buf[i];
        f[i].data[1] = buf[i] + ysize;
        f[i].data[2] = buf[i] + ysize + csize;
        f[i].linesize[0] = width;
        f[i].linesize[1] = f[i].linesize[2] = (width + 1) / 2;
        f[i].depth = 8;
        f[i].hsub = f[i].vsub = 1;
    }

    for (int n = 0; fread(buf[n & 1], 1, ysize + 2 * csize, in) == ysize + 2 * csize; n++) {
        AIPSaliencyTarget t;
        double change;

        aip_saliency_cells(&s, &f[n & 1], n ? &f[(n - 1) & 1] : NULL, 0, s.rows);
        change = aip_saliency_change(&s);
        aip_saliency_map(&s, &w, n == 0);
        aip_saliency_window(&s, 0, win, prev >= 0 ? prev : width / 2.0, 0.05, &t);
        prev = t.centre;
        if (want < 0) {
            printf("%d %.1f %.3f %.2f\n", n, t.centre, t.confidence, change);
            continue;
        }
        if (n != want)
            continue;
        {
            float top = 1e-9f;
            for (int i = 0; i < s.cols * s.rows; i++)
                top = s.map[i] > top ? s.map[i] : top;
            printf("P5\n%d %d\n255\n", s.cols, s.rows);
            for (int i = 0; i < s.cols * s.rows; i++)
                putchar((int)(s.map[i] / top * 255 + 0.5));
            for (int x = 0; x < s.cols; x++) {
                double m = 0, c = 0, k = 0, sal = 0;
                for (int y = 0; y < s.rows; y++) {
                    const AIPSaliencyCell *cell = &s.cells[y * s.cols + x];
                    m += cell->motion;
                    c += cell->contrast;
                    k += cell->skin;
                    sal += s.map[y * s.cols + x];
                }
                fprintf(stderr, "col %2d x %4d motion %6.2f contrast %6.2f skin %5.3f saliency %6.3f\n",
                        x, x * s.cell, m / s.rows, c / s.rows, k / s.rows, sal);
            }
            fprintf(stderr, "window centre %.1f confidence %.3f\n", t.centre, t.confidence);
        }
        break;
    }
    fclose(in);
    aip_saliency_uninit(&s);
    free(buf[0]);
    free(buf[1]);
    return 0;
}
