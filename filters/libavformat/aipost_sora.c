/*
 * sora://VIDEO_ID: an OpenAI Sora video (GET /videos/{id}, then
 * /videos/{id}/content; openai/openai-python). The server's
 * openai-poll-after-ms hint sets each pause when it is given.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_provider.h"

static const AIPProviderDesc sora_desc = {
    .name         = "sora",
    .label        = "Sora",
    .kind         = AIP_SORA,
    .auth         = AIP_AUTH_BEARER,
    .default_base = "https://api.openai.com/v1",
    .key_env      = { "OPENAI_API_KEY", NULL },
    .what         = "video",
};

static const AVOption sora_options[] = {
    AIP_COMMON_OPTIONS(1),
    { "variant", "content variant: video, thumbnail or spritesheet",
      AIP_OFFSET(variant), AV_OPT_TYPE_STRING, { .str = "video" }, 0, 0, AIP_D },
    { NULL }
};

AIP_PROTOCOL(sora, sora_desc, sora_options);
