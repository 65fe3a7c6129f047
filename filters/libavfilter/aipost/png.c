/*
 * PNG writer: see png.h. The file is signature, IHDR, PLTE (palette images),
 * one IDAT and IEND; the image data is the rows, each behind filter byte 0
 * (none), as one zlib stream.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "png.h"

uint32_t aip_png_crc32(uint32_t crc, const uint8_t *data, size_t len)
{
    /* Bitwise: a plot is at most a few hundred kilobytes, written once per
     * stream, and no table means nothing to initialise or share. */
    crc = ~crc;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

uint32_t aip_png_adler32(uint32_t adler, const uint8_t *data, size_t len)
{
    uint32_t a = adler & 0xffff, b = adler >> 16;

    while (len) {
        /* 5552 bytes is the most that cannot overflow b before the modulo */
        size_t n = len < 5552 ? len : 5552;
        len -= n;
        while (n--) {
            a += *data++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return b << 16 | a;
}

/* ------------------------------------------------------------ output buffer */

typedef struct Buf {
    uint8_t *data;
    size_t size, cap;
    int failed;
    uint64_t bits;              /* deflate bit writer: pending bits, LSB first */
    int nb_bits;
} Buf;

static int reserve(Buf *b, size_t n)
{
    if (b->failed)
        return 0;
    if (b->size + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        uint8_t *p;
        while (cap < b->size + n)
            cap *= 2;
        p = realloc(b->data, cap);
        if (!p) {
            b->failed = 1;
            return 0;
        }
        b->data = p;
        b->cap = cap;
    }
    return 1;
}

static void put_bytes(Buf *b, const void *data, size_t n)
{
    if (reserve(b, n)) {
        memcpy(b->data + b->size, data, n);
        b->size += n;
    }
}

static void put_byte(Buf *b, uint8_t v)
{
    put_bytes(b, &v, 1);
}

static void put_be32(Buf *b, uint32_t v)
{
    const uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };
    put_bytes(b, x, 4);
}

/* Deflate packs values from the least significant bit of each byte up. */
static void put_bits(Buf *b, uint32_t value, int n)
{
    b->bits |= (uint64_t)value << b->nb_bits;
    b->nb_bits += n;
    while (b->nb_bits >= 8) {
        put_byte(b, (uint8_t)b->bits);
        b->bits >>= 8;
        b->nb_bits -= 8;
    }
}

static void flush_bits(Buf *b)
{
    if (b->nb_bits)
        put_byte(b, (uint8_t)b->bits);
    b->bits = 0;
    b->nb_bits = 0;
}

/* Huffman codes go most significant bit first: reversed into the
 * LSB-first stream. */
static void put_code(Buf *b, uint32_t code, int len)
{
    uint32_t r = 0;
    for (int i = 0; i < len; i++)
        r |= (code >> i & 1) << (len - 1 - i);
    put_bits(b, r, len);
}

/* A literal/length symbol (0..285) with the fixed code of RFC 1951 3.2.6. */
static void put_symbol(Buf *b, int sym)
{
    if (sym < 144)
        put_code(b, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(b, 0x190 + sym - 144, 9);
    else if (sym < 280)
        put_code(b, sym - 256, 7);
    else
        put_code(b, 0xc0 + sym - 280, 8);
}

static const uint16_t length_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t length_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};

/* A match of len (3..258) at distance 1: distance code 0, five zero bits. */
static void put_run(Buf *b, int len)
{
    int i = 28;
    while (length_base[i] > len)
        i--;
    put_symbol(b, 257 + i);
    if (length_extra[i])
        put_bits(b, len - length_base[i], length_extra[i]);
    put_code(b, 0, 5);
}

static void deflate_runs(Buf *b, const uint8_t *data, size_t n)
{
    size_t i = 0;

    put_bits(b, 1, 1);          /* BFINAL */
    put_bits(b, 1, 2);          /* BTYPE 01: fixed Huffman */
    while (i < n) {
        size_t run = 0;
        if (i > 0)
            while (i + run < n && run < 258 && data[i + run] == data[i - 1])
                run++;
        if (run >= 3) {
            put_run(b, (int)run);
            i += run;
        } else {
            put_symbol(b, data[i++]);
        }
    }
    put_symbol(b, 256);         /* end of block */
    flush_bits(b);
}

static void deflate_stored(Buf *b, const uint8_t *data, size_t n)
{
    do {
        const size_t len = n < 65535 ? n : 65535;
        const uint8_t hdr[5] = { len == n, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff };
        put_bytes(b, hdr, 5);
        put_bytes(b, data, len);
        data += len;
        n -= len;
    } while (n);
}

/* ------------------------------------------------------------ chunks */

/* A chunk's length is known only once its data is written: the chunk
 * starts with a placeholder that end_chunk fills in with the CRC after. */
static size_t begin_chunk(Buf *b, const char *type)
{
    put_be32(b, 0);
    put_bytes(b, type, 4);
    return b->size;
}

static void end_chunk(Buf *b, size_t data_start)
{
    size_t len;
    if (b->failed)
        return;
    len = b->size - data_start;
    b->data[data_start - 8] = (uint8_t)(len >> 24);
    b->data[data_start - 7] = (uint8_t)(len >> 16);
    b->data[data_start - 6] = (uint8_t)(len >> 8);
    b->data[data_start - 5] = (uint8_t)len;
    put_be32(b, aip_png_crc32(0, b->data + data_start - 4, len + 4));
}

int aip_png_encode(const uint8_t *pixels, ptrdiff_t stride, int width, int height,
                   enum AIPPngColour colour, const uint8_t *palette, int nb_colours,
                   enum AIPPngDeflate deflate, uint8_t **out, size_t *out_size)
{
    static const uint8_t signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    const int bpp = colour == AIP_PNG_RGB ? 3 : 1;
    Buf b = { 0 };
    uint8_t *raw;
    size_t row_bytes, raw_size, c;

    *out = NULL;
    *out_size = 0;
    /* The rows with their filter bytes are held whole: keep them far
     * below what size_t and the 31-bit chunk length can hold. */
    if (width < 1 || height < 1 || width > 16384 || height > 16384 ||
        (colour != AIP_PNG_PALETTE && colour != AIP_PNG_RGB) ||
        (deflate != AIP_PNG_STORED && deflate != AIP_PNG_RUNS))
        return -EINVAL;
    if (colour == AIP_PNG_PALETTE) {
        if (!palette || nb_colours < 1 || nb_colours > 256)
            return -EINVAL;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (pixels[y * stride + x] >= nb_colours)
                    return -EINVAL;
    }

    row_bytes = 1 + (size_t)width * bpp;
    raw_size = row_bytes * height;
    raw = malloc(raw_size);
    if (!raw)
        return -ENOMEM;
    for (int y = 0; y < height; y++) {
        raw[y * row_bytes] = 0;             /* filter: none */
        memcpy(raw + y * row_bytes + 1, pixels + y * stride, row_bytes - 1);
    }

    put_bytes(&b, signature, 8);

    c = begin_chunk(&b, "IHDR");
    put_be32(&b, width);
    put_be32(&b, height);
    put_byte(&b, 8);                        /* bit depth */
    put_byte(&b, colour);
    put_byte(&b, 0);                        /* deflate */
    put_byte(&b, 0);                        /* adaptive filtering */
    put_byte(&b, 0);                        /* not interlaced */
    end_chunk(&b, c);

    if (colour == AIP_PNG_PALETTE) {
        c = begin_chunk(&b, "PLTE");
        put_bytes(&b, palette, 3 * (size_t)nb_colours);
        end_chunk(&b, c);
    }

    c = begin_chunk(&b, "IDAT");
    /* zlib header: deflate with a 32 KiB window, no dictionary; 0x7801 is
     * a multiple of 31 as the header check requires */
    put_byte(&b, 0x78);
    put_byte(&b, 0x01);
    if (deflate == AIP_PNG_RUNS)
        deflate_runs(&b, raw, raw_size);
    else
        deflate_stored(&b, raw, raw_size);
    put_be32(&b, aip_png_adler32(1, raw, raw_size));
    end_chunk(&b, c);

    c = begin_chunk(&b, "IEND");
    end_chunk(&b, c);

    free(raw);
    if (b.failed) {
        free(b.data);
        return -ENOMEM;
    }
    *out = b.data;
    *out_size = b.size;
    return 0;
}
