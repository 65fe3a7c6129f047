/*
 * 3D LUT with tetrahedral interpolation: table building and the C
 * reference of the row kernel (the arithmetic is specified in lut3d.h).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <errno.h>
#include <stdlib.h>

#include "lut3d.h"

static uint16_t unit_to_u16(double x)
{
    /* written so that NaN lands on 0 */
    x = x > 0 ? x : 0;
    x = x < 1 ? x : 1;
    return (uint16_t)(x * 65535 + 0.5);
}

int aip_lut3d_init(AIPLut3D *lut, int size, aip_lut3d_fill_fn fill, void *opaque)
{
    size_t nodes;

    lut->grid = NULL;
    lut->size = 0;
    if (size < AIP_LUT3D_MIN_SIZE || size > AIP_LUT3D_MAX_SIZE || !fill)
        return -EINVAL;
    nodes = (size_t)size * size * size;
    lut->grid = malloc(nodes * 3 * sizeof(*lut->grid));
    if (!lut->grid)
        return -ENOMEM;
    lut->size = size;

    for (int i0 = 0; i0 < size; i0++)
        for (int i1 = 0; i1 < size; i1++)
            for (int i2 = 0; i2 < size; i2++) {
                const double in[3] = { (double)i0 / (size - 1), (double)i1 / (size - 1),
                                       (double)i2 / (size - 1) };
                double out[3] = { 0, 0, 0 };
                uint16_t *node = lut->grid + (((size_t)i0 * size + i1) * size + i2) * 3;
                fill(opaque, in, out);
                for (int c = 0; c < 3; c++)
                    node[c] = unit_to_u16(out[c]);
            }

    /* The finest fixed point whose multiplier fits 32 bits: SIMD multiplies
     * 32 x 32 -> 64 bits, and the multiplier is then >= 2^31, which bounds
     * the position's excess by (N - 1) / 2^15 < 2^-8 Q16 units (lut3d.h).
     * Rounding the multiplier up rather than to nearest keeps positions that
     * fall exactly on a node (v = 0, v = D, ...) exact. */
    for (int depth = AIP_LUT3D_MIN_DEPTH; depth <= AIP_LUT3D_MAX_DEPTH; depth++) {
        const uint64_t d = (UINT64_C(1) << depth) - 1;
        int shift = 0;
        uint64_t mul = ((uint64_t)(size - 1) << 16) + d - 1;
        mul /= d;
        /* (N - 1) << (16 + shift) stays below 2^64: shift <= 40 */
        for (int s = 1; s <= 40; s++) {
            const uint64_t m = (((uint64_t)(size - 1) << (16 + s)) + d - 1) / d;
            if (m > UINT32_MAX)
                break;
            mul = m;
            shift = s;
        }
        lut->in_mul[depth] = (uint32_t)mul;
        lut->in_shift[depth] = shift;
    }
    return 0;
}

void aip_lut3d_uninit(AIPLut3D *lut)
{
    free(lut->grid);
    lut->grid = NULL;
    lut->size = 0;
}

uint32_t aip_lut3d_out_mul(int out_depth)
{
    const uint64_t max = (UINT64_C(1) << out_depth) - 1;
    return (uint32_t)(((max << 31) + 32767) / 65535);
}

/* One pixel, exactly as lut3d.h specifies it. */
static inline void interp_pixel(const AIPLut3D *lut, const unsigned v[3],
                                uint32_t in_mul, int in_shift, uint32_t out_mul,
                                unsigned out[3])
{
    const int n = lut->size;
    const uint32_t pos_max = (uint32_t)(n - 1) << 16;
    /* strides of the grid axes, in uint16_t */
    const int stride[3] = { 3 * n * n, 3 * n, 3 };
    uint32_t f[3];
    int base = 0;
    int a, b, c;

    for (int k = 0; k < 3; k++) {
        uint32_t pos = (uint32_t)(((uint64_t)v[k] * in_mul) >> in_shift);
        uint32_t i;
        pos = pos < pos_max ? pos : pos_max;
        i = pos >> 16;
        i = i < (uint32_t)(n - 2) ? i : (uint32_t)(n - 2);
        f[k] = pos - (i << 16);
        base += (int)i * stride[k];
    }

    /* axes by decreasing fraction; ties go either way (lut3d.h) */
    if (f[0] >= f[1]) {
        if (f[1] >= f[2])      { a = 0; b = 1; c = 2; }
        else if (f[0] >= f[2]) { a = 0; b = 2; c = 1; }
        else                   { a = 2; b = 0; c = 1; }
    } else {
        if (f[0] >= f[2])      { a = 1; b = 0; c = 2; }
        else if (f[1] >= f[2]) { a = 1; b = 2; c = 0; }
        else                   { a = 2; b = 1; c = 0; }
    }

    {
        const uint16_t *c0 = lut->grid + base;
        const uint16_t *c1 = c0 + stride[a];
        const uint16_t *c2 = c1 + stride[b];
        const uint16_t *c3 = c2 + stride[c];
        const uint32_t w0 = 65536 - f[a], w1 = f[a] - f[b], w2 = f[b] - f[c], w3 = f[c];
        for (int k = 0; k < 3; k++) {
            const uint32_t s = w0 * c0[k] + w1 * c1[k] + w2 * c2[k] + w3 * c3[k];
            out[k] = (unsigned)(((uint64_t)s * out_mul + (UINT64_C(1) << 46)) >> 47);
        }
    }
}

/* The row for each pair of sample sizes; always inlined so each gets its
 * own loop without tests on the depth. */
static inline __attribute__((always_inline))
void apply_row_c(const AIPLut3D *lut, void *const dst[3], const void *const src[3],
                 int w, int in_depth, int out_depth, int in8, int out8)
{
    const uint32_t in_mul = lut->in_mul[in_depth];
    const int in_shift = lut->in_shift[in_depth];
    const uint32_t out_mul = aip_lut3d_out_mul(out_depth);
    const unsigned vmax = (1u << in_depth) - 1;

    for (int x = 0; x < w; x++) {
        unsigned v[3], out[3];
        for (int k = 0; k < 3; k++) {
            v[k] = in8 ? ((const uint8_t *)src[k])[x] : ((const uint16_t *)src[k])[x];
            v[k] = v[k] < vmax ? v[k] : vmax;
        }
        interp_pixel(lut, v, in_mul, in_shift, out_mul, out);
        for (int k = 0; k < 3; k++) {
            if (out8)
                ((uint8_t *)dst[k])[x] = (uint8_t)out[k];
            else
                ((uint16_t *)dst[k])[x] = (uint16_t)out[k];
        }
    }
}

AIP_DECL_LUT3D_ROW_FN(aip_lut3d_apply_row_c)
{
    const int in8 = in_depth == 8, out8 = out_depth == 8;
    if (in8 && out8)
        apply_row_c(lut, dst, src, w, in_depth, out_depth, 1, 1);
    else if (in8)
        apply_row_c(lut, dst, src, w, in_depth, out_depth, 1, 0);
    else if (out8)
        apply_row_c(lut, dst, src, w, in_depth, out_depth, 0, 1);
    else
        apply_row_c(lut, dst, src, w, in_depth, out_depth, 0, 0);
}

void aip_lut3d_dsp_init(AIPLut3DDSP *dsp, int cpu_flags)
{
    dsp->apply_row = aip_lut3d_apply_row_c;
#if AIP_HAVE_X86_SIMD
    if (cpu_flags & AIP_CPU_AVX2)
        dsp->apply_row = aip_lut3d_apply_row_avx2;
#else
    (void)cpu_flags;
#endif
}
