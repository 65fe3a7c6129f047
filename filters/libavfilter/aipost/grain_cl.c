/*
 * The host's side of the grain kernels of aigrain_opencl (see grain_cl.h).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <stdio.h>
#include <string.h>

#include "grain_cl.h"

int aip_grain_cl_defines(char *buf, size_t size, int plate_shift)
{
    return snprintf(buf, size,
        "#define AIG_TEMPLATE_SIZE %d\n#define AIG_BLOCK %d\n#define AIG_WEIGHT_SHIFT %d\n"
        "#define AIG_TEMPLATE_STRIDE %d\n#define AIG_PLATE_SHIFT %d\n"
        "#define AIG_FIELD_OVERLAP %d\n#define AIG_FIELD_BLOCKS_W %d\n#define AIG_FIELD_OFFSETS %d\n"
        "#define AIG_FIELD_FADE_OUT %d\n#define AIG_FIELD_FADE_IN %d\n#define AIG_FIELD_STRIDE %d\n"
        "#define AIG_SCALING_ACTIVE %d\n#define AIG_SCALING_INDEX_SHIFT %d\n"
        "#define AIG_SCALING_ROUND_SHIFT %d\n#define AIG_SCALING_LUT %d\n#define AIG_SCALING_STRIDE %d\n",
        AIP_GRAIN_TEMPLATE_SIZE, AIP_GRAIN_BLOCK, AIP_GRAIN_WEIGHT_SHIFT,
        AIP_GRAIN_CL_TEMPLATE_STRIDE, plate_shift,
        AIP_GRAIN_CL_FIELD_OVERLAP, AIP_GRAIN_CL_FIELD_BLOCKS_W, AIP_GRAIN_CL_FIELD_OFFSETS,
        AIP_GRAIN_CL_FIELD_FADE_OUT, AIP_GRAIN_CL_FIELD_FADE_IN, AIP_GRAIN_CL_FIELD_STRIDE,
        AIP_GRAIN_CL_SCALING_ACTIVE, AIP_GRAIN_CL_SCALING_INDEX_SHIFT,
        AIP_GRAIN_CL_SCALING_ROUND_SHIFT, AIP_GRAIN_CL_SCALING_LUT, AIP_GRAIN_CL_SCALING_STRIDE);
}

void aip_grain_cl_field(int32_t *dst, const AIPGrainPlane *p, int blocks_w,
                        int offsets_a, int offsets_b)
{
    memset(dst, 0, AIP_GRAIN_CL_FIELD_STRIDE * sizeof(*dst));
    dst[AIP_GRAIN_CL_FIELD_OVERLAP]     = p->overlap;
    dst[AIP_GRAIN_CL_FIELD_BLOCKS_W]    = blocks_w;
    dst[AIP_GRAIN_CL_FIELD_OFFSETS]     = offsets_a;
    dst[AIP_GRAIN_CL_FIELD_OFFSETS + 1] = offsets_b;
    for (int i = 0; i < AIP_GRAIN_MAX_OVERLAP; i++) {
        dst[AIP_GRAIN_CL_FIELD_FADE_OUT + i] = p->fade_out[i];
        dst[AIP_GRAIN_CL_FIELD_FADE_IN + i]  = p->fade_in[i];
    }
}

void aip_grain_cl_scaling(int32_t *dst, const AIPGrainScaling *sc, int active)
{
    memset(dst, 0, AIP_GRAIN_CL_SCALING_STRIDE * sizeof(*dst));
    dst[AIP_GRAIN_CL_SCALING_ACTIVE]      = active;
    dst[AIP_GRAIN_CL_SCALING_INDEX_SHIFT] = sc->index_shift;
    dst[AIP_GRAIN_CL_SCALING_ROUND_SHIFT] = sc->round_shift;
    memcpy(dst + AIP_GRAIN_CL_SCALING_LUT, sc->lut, sizeof(sc->lut));
}
