/*
 * pngpattern: a test picture through aipost's PNG writer, for the graph
 * tests to decode with the built ffmpeg.
 *
 *   pngpattern palette|rgb stored|runs W H OUT.png OUT.rgb
 *
 * Writes OUT.png with aip_png_encode and the same pixels as raw rgb24 in
 * OUT.rgb; ffmpeg -i OUT.png -f rawvideo -pix_fmt rgb24 must give OUT.rgb.
 * The picture mixes flat runs (long matches), noise (literals of every
 * value) and short repeats (matches of 3..10), so every code path of the
 * run coder is decoded.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aipost/counter_rng.h"
#include "aipost/png.h"

static int write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f)) {
        fprintf(stderr, "pngpattern: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint8_t palette[256 * 3], *px, *rgb, *png;
    int w, h, rgb_mode, ret;
    size_t size;

    if (argc != 7 || (strcmp(argv[1], "palette") && strcmp(argv[1], "rgb")) ||
        (strcmp(argv[2], "stored") && strcmp(argv[2], "runs"))) {
        fprintf(stderr, "usage: pngpattern palette|rgb stored|runs W H OUT.png OUT.rgb\n");
        return 2;
    }
    rgb_mode = !strcmp(argv[1], "rgb");
    w = atoi(argv[3]);
    h = atoi(argv[4]);
    if (w < 1 || h < 1 || w > 4096 || h > 4096) {
        fprintf(stderr, "pngpattern: size out of 1..4096\n");
        return 2;
    }
    for (int i = 0; i < 256 * 3; i++)
        palette[i] = (uint8_t)(aip_mix64(1000 + i) >> 40);
    px = malloc((size_t)w * h * 3);
    rgb = malloc((size_t)w * h * 3);
    if (!px || !rgb)
        return 1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * (rgb_mode ? 3 : 1); x++) {
            const int band = (y / 16) % 3;
            uint8_t v = band == 0 ? (uint8_t)(x / 97 + y / 40)                    /* flat */
                      : band == 1 ? (uint8_t)(aip_mix64((uint64_t)y * 65536 + x) >> 56) /* noise */
                      : (uint8_t)((x / (3 + y % 8)) & 1 ? 200 : 7);             /* short runs */
            px[(size_t)y * w * (rgb_mode ? 3 : 1) + x] = v;
        }
    for (size_t i = 0; i < (size_t)w * h; i++)
        memcpy(rgb + 3 * i, rgb_mode ? px + 3 * i : palette + 3 * px[i], 3);
    ret = aip_png_encode(px, (ptrdiff_t)w * (rgb_mode ? 3 : 1), w, h,
                         rgb_mode ? AIP_PNG_RGB : AIP_PNG_PALETTE, palette, 256,
                         strcmp(argv[2], "runs") ? AIP_PNG_STORED : AIP_PNG_RUNS, &png, &size);
    if (ret < 0) {
        fprintf(stderr, "pngpattern: encoding failed (%d)\n", ret);
        return 1;
    }
    ret = write_file(argv[5], png, size) || write_file(argv[6], rgb, (size_t)w * h * 3);
    free(png);
    free(px);
    free(rgb);
    return ret ? 1 : 0;
}
