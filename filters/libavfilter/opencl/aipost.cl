/*
 * What every aipost OpenCL program starts with (after the defines the host
 * writes, see aipost_opencl.h): the fixed-width types of the pure-C kernel
 * headers in aipost/, so that the same source compiles as OpenCL C, and sample
 * access that gives the integers the CPU filters see.
 *
 * Frames are images of CL_UNORM_INT8 or CL_UNORM_INT16 channels (FFmpeg's
 * OpenCL hwcontext). A stored code value k reads as k / max within 1.5 ulp
 * and a written k / max is stored as round(k / max * max), so both
 * directions are exact for integers: the arithmetic in between is integer
 * and bit-exact with the C reference.
 *
 * Defines the host writes first:
 *   AIP_UNORM_MAX     255.0f or 65535.0f, the images' normalisation
 *   AIP_SAMPLE_SHIFT  stored code value >> this = sample (6 for P010)
 *   AIP_DEPTH         bits of a sample
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

typedef uchar  uint8_t;
typedef short  int16_t;
typedef ushort uint16_t;
typedef int    int32_t;
typedef uint   uint32_t;
typedef long   int64_t;
typedef ulong  uint64_t;
#define UINT64_C(c) c ## UL

#define AIP_SAMPLE_MAX ((1 << AIP_DEPTH) - 1)

__constant sampler_t aip_sampler = CLK_NORMALIZED_COORDS_FALSE |
                                   CLK_ADDRESS_CLAMP_TO_EDGE |
                                   CLK_FILTER_NEAREST;

/* The sample of a normalised channel value. */
inline int aip_sample(float v)
{
    return convert_int_rte(v * AIP_UNORM_MAX) >> AIP_SAMPLE_SHIFT;
}

/* The normalised channel value of a sample in 0 .. AIP_SAMPLE_MAX. */
inline float aip_unorm(int sample)
{
    return (float)(sample << AIP_SAMPLE_SHIFT) / AIP_UNORM_MAX;
}

/* Channel c (0 or 1: Cb, Cr where an image interleaves them) of a pixel. */
inline int aip_channel(float4 v, int c)
{
    return aip_sample(c ? v.y : v.x);
}

inline int aip_load(__read_only image2d_t img, int2 pos, int c)
{
    return aip_channel(read_imagef(img, aip_sampler, pos), c);
}
