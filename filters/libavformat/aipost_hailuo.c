/*
 * hailuo://TASK_ID: a MiniMax Hailuo video task (GET
 * /v1/query/video_generation?task_id=, then /v1/files/retrieve?file_id= for
 * the download URL; platform.minimax.io API reference).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_provider.h"

static const AIPProviderDesc hailuo_desc = {
    .name         = "hailuo",
    .label        = "MiniMax Hailuo",
    .kind         = AIP_HAILUO,
    .auth         = AIP_AUTH_BEARER,
    .default_base = "https://api.minimax.io",
    .key_env      = { "MINIMAX_API_KEY", NULL },
    .what         = "task",
};

static const AVOption hailuo_options[] = {
    AIP_COMMON_OPTIONS(5),
    { NULL }
};

AIP_PROTOCOL(hailuo, hailuo_desc, hailuo_options);
