/*
 * luma://GENERATION_ID: a Luma Dream Machine generation (GET
 * /generations/{id} under .../dream-machine/v1; lumalabs/lumaai-python).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_provider.h"

static const AIPProviderDesc luma_desc = {
    .name         = "luma",
    .label        = "Luma",
    .kind         = AIP_LUMA,
    .auth         = AIP_AUTH_BEARER,
    .default_base = "https://api.lumalabs.ai/dream-machine/v1",
    .key_env      = { "LUMAAI_API_KEY", NULL },
    .what         = "generation",
};

static const AVOption luma_options[] = {
    AIP_COMMON_OPTIONS(5),
    { NULL }
};

AIP_PROTOCOL(luma, luma_desc, luma_options);
