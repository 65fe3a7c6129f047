/*
 * The grain kernels' side of aigrain_opencl: what the host writes for
 * opencl/aigrain.cl (its defines and the layout of its buffers), pure C so
 * that the filter and the unit test that runs the kernels on their own
 * (tests/unit/test_grain_opencl.c) write the same thing.
 *
 * Buffers of opencl/aigrain.cl:
 *   templates  per field, AIP_GRAIN_CL_TEMPLATE_STRIDE int16: its template
 *   fields     per field, AIP_GRAIN_CL_FIELD_STRIDE int32 (aip_grain_cl_field)
 *   offsets    per field and key, one uint32 per block (written on the
 *              device by the aigrain_offsets kernel)
 *   scaling    per plane, AIP_GRAIN_CL_SCALING_STRIDE int32 (aip_grain_cl_scaling)
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_GRAIN_CL_H
#define AIPOST_GRAIN_CL_H

#include <stddef.h>
#include <stdint.h>

#include "grain.h"

enum {
    AIP_GRAIN_CL_FIELD_OVERLAP,
    AIP_GRAIN_CL_FIELD_BLOCKS_W,
    AIP_GRAIN_CL_FIELD_OFFSETS,                   /* + key: 0 a, 1 b */
    AIP_GRAIN_CL_FIELD_FADE_OUT = AIP_GRAIN_CL_FIELD_OFFSETS + 2,
    AIP_GRAIN_CL_FIELD_FADE_IN  = AIP_GRAIN_CL_FIELD_FADE_OUT + AIP_GRAIN_MAX_OVERLAP,
    AIP_GRAIN_CL_FIELD_STRIDE   = AIP_GRAIN_CL_FIELD_FADE_IN + AIP_GRAIN_MAX_OVERLAP,
};
enum {
    AIP_GRAIN_CL_SCALING_ACTIVE,
    AIP_GRAIN_CL_SCALING_INDEX_SHIFT,
    AIP_GRAIN_CL_SCALING_ROUND_SHIFT,
    AIP_GRAIN_CL_SCALING_LUT    = 4,
    AIP_GRAIN_CL_SCALING_STRIDE = AIP_GRAIN_CL_SCALING_LUT + AIP_GRAIN_LUT_SIZE,
};
#define AIP_GRAIN_CL_TEMPLATE_STRIDE (AIP_GRAIN_TEMPLATE_SIZE * AIP_GRAIN_TEMPLATE_SIZE)

/**
 * The defines opencl/aigrain.cl is built with (constants of grain.h, the
 * layout above, the plate shift), as one string of #define lines.
 * @return the length written (as snprintf), or the length needed
 */
int aip_grain_cl_defines(char *buf, size_t size, int plate_shift);

/* A field's entry: overlap, blocks per row, where its offsets of key a and
 * key b start in the offsets buffer, fade weights. */
void aip_grain_cl_field(int32_t *dst, const AIPGrainPlane *p, int blocks_w,
                        int offsets_a, int offsets_b);

/* A plane's entry: active (0: the plane is copied), shifts, table. */
void aip_grain_cl_scaling(int32_t *dst, const AIPGrainScaling *sc, int active);

#endif /* AIPOST_GRAIN_CL_H */
