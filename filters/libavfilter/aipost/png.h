/*
 * A small PNG writer for qcdetect's picture report: 8-bit palette or RGB
 * images, written whole into memory. Pure C without FFmpeg or zlib, so the
 * unit tests drive it alone and the filter needs no new library.
 *
 * The zlib stream inside IDAT is either stored (uncompressed deflate
 * blocks: trivially correct, about one byte a pixel for a palette image) or
 * compressed with one fixed-Huffman block whose only matches are runs of
 * the previous byte (distance 1). A plot is mostly long runs of one colour,
 * so that alone shrinks it 20 to 40 times without a match search. Both are
 * deterministic: the same pixels give the same bytes.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_PNG_H
#define AIPOST_PNG_H

#include <stddef.h>
#include <stdint.h>

enum AIPPngColour {
    AIP_PNG_PALETTE = 3,        /* PNG colour type 3: one index byte a pixel */
    AIP_PNG_RGB     = 2,        /* PNG colour type 2: three bytes a pixel */
};

enum AIPPngDeflate {
    AIP_PNG_STORED = 0,         /* uncompressed deflate blocks */
    AIP_PNG_RUNS   = 1,         /* fixed Huffman, runs of the previous byte */
};

/* CRC-32 of PNG and zlib (reflected, polynomial 0xEDB88320), continuing
 * from crc (0 to start): "123456789" gives 0xCBF43926. */
uint32_t aip_png_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* Adler-32 of zlib, continuing from adler (1 to start): "Wikipedia" gives
 * 0x11E60398. */
uint32_t aip_png_adler32(uint32_t adler, const uint8_t *data, size_t len);

/**
 * Encode an image as a complete PNG file in memory.
 *
 * @param pixels   rows of width index bytes (AIP_PNG_PALETTE) or width RGB
 *                 triplets (AIP_PNG_RGB), stride bytes apart
 * @param palette  nb_colours RGB triplets (AIP_PNG_PALETTE only; 1..256);
 *                 every index in pixels must be below nb_colours
 * @param out      receives a malloc'ed buffer the caller frees
 * @return 0, -EINVAL for a bad size, colour type, palette or index,
 *         -ENOMEM
 */
int aip_png_encode(const uint8_t *pixels, ptrdiff_t stride, int width, int height,
                   enum AIPPngColour colour, const uint8_t *palette, int nb_colours,
                   enum AIPPngDeflate deflate, uint8_t **out, size_t *out_size);

#endif /* AIPOST_PNG_H */
