/*
 * aigrain_opencl: the grain of aipost/grain.c, bit-exact, on an OpenCL
 * device. Built after opencl/aipost.cl and aipost/counter_rng.h (the same
 * hash as the CPU filter's), with the defines of aip_grain_cl_defines()
 * (aipost/grain_cl.h), constants of aipost/grain.h among them:
 *   AIG_TEMPLATE_SIZE AIG_BLOCK AIG_WEIGHT_SHIFT
 *   AIG_TEMPLATE_STRIDE    shorts per field in the template buffer
 *   AIG_PLATE_SHIFT        plate deviation << this (ff_aigrain_plate_shift)
 * and the layout of the buffers the host writes (grain_cl.h):
 *   templates  per field, its AIG_TEMPLATE_SIZE^2 template
 *   fields     per field AIG_FIELD_STRIDE ints: at AIG_FIELD_OVERLAP,
 *              _BLOCKS_W, _OFFSETS + key (where its offsets start),
 *              _FADE_OUT[], _FADE_IN[]
 *   offsets    per field and key, a block's template offset (y << 16 | x)
 *   scaling    per plane AIG_SCALING_STRIDE ints: at AIG_SCALING_ACTIVE,
 *              _INDEX_SHIFT, _ROUND_SHIFT, then the table at _LUT
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

/* Where each block of a field takes its grain from, for one frame key:
 * aip_grain_offsets() of grain.c, one work item per block. */
__kernel void aigrain_offsets(__global uint *offsets, int base,
                              ulong field_seed, ulong frame_key,
                              uint range, int blocks_w, int blocks_h)
{
    const int bx = get_global_id(0), by = get_global_id(1);
    uint64_t h;

    if (bx >= blocks_w || by >= blocks_h)
        return;
    h = aip_hash4(field_seed, frame_key, (uint64_t)by, (uint64_t)bx);
    offsets[base + by * blocks_w + bx] = aip_bounded((uint32_t)(h >> 32), range) << 16 |
                                         aip_bounded((uint32_t)h, range);
}

/* fade() of grain.c: Q7 weights, saturating. */
inline int aig_fade(int a, int wa, int b, int wb)
{
    return clamp((a * wa + b * wb + (1 << (AIG_WEIGHT_SHIFT - 1))) >> AIG_WEIGHT_SHIFT,
                 -32768, 32767);
}

/* Sample i of row `row` (0 .. block + overlap - 1) of block bx in a block
 * row, faded with the previous block's extension: aip_grain_block_row_c. */
inline int aig_block_row(__global const short *tmpl, __global const uint *offs,
                         __global const int *field, int bx, int i, int row)
{
    const uint o = offs[bx];
    int v = tmpl[((int)(o >> 16) + row) * AIG_TEMPLATE_SIZE + (int)(o & 0xffff) + i];

    if (bx > 0 && i < field[AIG_FIELD_OVERLAP]) {
        const uint q = offs[bx - 1];
        const int prev = tmpl[((int)(q >> 16) + row) * AIG_TEMPLATE_SIZE + (int)(q & 0xffff) +
                              AIG_BLOCK + i];
        v = aig_fade(prev, field[AIG_FIELD_FADE_OUT + i], v, field[AIG_FIELD_FADE_IN + i]);
    }
    return v;
}

/* Grain of field f, key k at (x, y): aip_grain_row. */
inline int aig_grain_key(__global const short *templates, __global const uint *offsets,
                         __global const int *fields, int f, int k, int x, int y)
{
    __global const int *field = fields + f * AIG_FIELD_STRIDE;
    __global const short *tmpl = templates + f * AIG_TEMPLATE_STRIDE;
    const int blocks_w = field[AIG_FIELD_BLOCKS_W];
    const int by = y / AIG_BLOCK, row = y - by * AIG_BLOCK;
    const int bx = x / AIG_BLOCK, i = x - bx * AIG_BLOCK;
    __global const uint *offs = offsets + field[AIG_FIELD_OFFSETS + k] + by * blocks_w;
    int v = aig_block_row(tmpl, offs, field, bx, i, row);

    if (by > 0 && row < field[AIG_FIELD_OVERLAP]) {
        /* the block row above extends `overlap` rows into this one */
        const int above = aig_block_row(tmpl, offs - blocks_w, field, bx, i, AIG_BLOCK + row);
        v = aig_fade(above, field[AIG_FIELD_FADE_OUT + row], v, field[AIG_FIELD_FADE_IN + row]);
    }
    return v;
}

/* Grain of field f at (x, y), cross-fading two keys for correlated
 * temporal grain: field_row() of vf_aigrain.c. */
inline int aig_field(__global const short *templates, __global const uint *offsets,
                     __global const int *fields, int f, int x, int y,
                     int weight_a, int weight_b)
{
    int v = aig_grain_key(templates, offsets, fields, f, 0, x, y);

    if (weight_b)
        v = aig_fade(v, weight_a, aig_grain_key(templates, offsets, fields, f, 1, x, y), weight_b);
    return v;
}

/*
 * One image of a frame: `channels` planes (2 where Cb and Cr are
 * interleaved), the first being plane `first` of the CPU filter. One work
 * item per pixel. luma is the input's luma image, which drives the chroma
 * planes' grain at (x << luma_shift_x, y << luma_shift_y); plate, when
 * use_plate, the plate's image of the same planes, plate_w x plate_h.
 */
__kernel void aigrain_plane(__write_only image2d_t dst,
                            __read_only  image2d_t src,
                            __read_only  image2d_t luma,
                            __read_only  image2d_t plate,
                            __global const short *templates,
                            __global const uint *offsets,
                            __global const int *fields,
                            __global const int *scaling,
                            int first, int channels, int width, int height,
                            int luma_shift_x, int luma_shift_y,
                            int is_rgb, int chroma_q, int weight_a, int weight_b,
                            int use_plate, int plate_w, int plate_h)
{
    const int x = get_global_id(0), y = get_global_id(1);
    const int2 pos = (int2)(x, y);
    float4 in, grain_src = 0.0f;
    int out[2];

    if (x >= width || y >= height)
        return;

    in = read_imagef(src, aip_sampler, pos);
    if (use_plate)
        grain_src = read_imagef(plate, aip_sampler, (int2)(x % plate_w, y % plate_h));

    for (int c = 0; c < channels; c++) {
        const int p = first + c;
        __global const int *sc = scaling + p * AIG_SCALING_STRIDE;
        const int sample = aip_channel(in, c);
        int grain, driver, v, delta;

        if (!sc[AIG_SCALING_ACTIVE]) {
            out[c] = sample;
            continue;
        }

        if (use_plate) {
            grain = (aip_channel(grain_src, c) - (1 << (AIP_DEPTH - 1))) * (1 << AIG_PLATE_SHIFT);
        } else if (is_rgb) {
            /* one grain shared by R, G and B, plus each plane's own */
            grain = aig_field(templates, offsets, fields, 0, x, y, weight_a, weight_b);
            if (chroma_q)
                grain = aig_fade(grain, 1 << AIG_WEIGHT_SHIFT,
                                 aig_field(templates, offsets, fields, p + 1, x, y, weight_a, weight_b),
                                 chroma_q);
        } else {
            grain = aig_field(templates, offsets, fields, p, x, y, weight_a, weight_b);
        }

        /* the blend of grain_tmpl.c */
        driver = !is_rgb && p > 0 ? aip_load(luma, (int2)(x << luma_shift_x, y << luma_shift_y), 0)
                                  : sample;
        v = sc[AIG_SCALING_LUT + (driver >> sc[AIG_SCALING_INDEX_SHIFT])];
        delta = (v * grain + (1 << (sc[AIG_SCALING_ROUND_SHIFT] - 1))) >> sc[AIG_SCALING_ROUND_SHIFT];
        out[c] = clamp(sample + delta, 0, AIP_SAMPLE_MAX);
    }

    write_imagef(dst, pos, (float4)(aip_unorm(out[0]), channels > 1 ? aip_unorm(out[1]) : 0.0f,
                                    0.0f, 1.0f));
}
