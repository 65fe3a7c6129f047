/*
 * elevenlabs://HISTORY_ITEM_ID: an ElevenLabs history item (GET
 * /v1/history/{id} for its text, model and voice, then /v1/history/{id}/audio;
 * xi-api-key; elevenlabs/elevenlabs-python).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_provider.h"

static const AIPProviderDesc elevenlabs_desc = {
    .name         = "elevenlabs",
    .label        = "ElevenLabs",
    .kind         = AIP_ELEVENLABS,
    .auth         = AIP_AUTH_XI,
    .default_base = "https://api.elevenlabs.io",
    .key_env      = { "ELEVENLABS_API_KEY", NULL },
    .what         = "history item",
};

static const AVOption elevenlabs_options[] = {
    AIP_COMMON_OPTIONS(1),
    { NULL }
};

AIP_PROTOCOL(elevenlabs, elevenlabs_desc, elevenlabs_options);
