/*
 * veo://OPERATION_NAME: a Veo long-running operation of the Gemini API (GET
 * /v1beta/{name}, x-goog-api-key; googleapis/python-genai). The video's
 * Files-API URI needs the key too: it is sent there only while the URI is on
 * the API origin, never after a redirect to another host. The first pause
 * is the docs' 10 s.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_provider.h"

static const AIPProviderDesc veo_desc = {
    .name         = "veo",
    .label        = "Veo",
    .kind         = AIP_VEO,
    .auth         = AIP_AUTH_GOOG,
    .default_base = "https://generativelanguage.googleapis.com",
    .key_env      = { "GEMINI_API_KEY", "GOOGLE_API_KEY" },
    .what         = "operation",
};

static const AVOption veo_options[] = {
    AIP_COMMON_OPTIONS(10),
    { NULL }
};

AIP_PROTOCOL(veo, veo_desc, veo_options);
