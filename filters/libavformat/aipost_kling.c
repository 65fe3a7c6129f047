/*
 * kling://KIND/TASK_ID: a Kling task. KIND text2video, image2video, ... is the
 * legacy query GET /v1/videos/{KIND}/{id}, authorised by a JWT (HS256) made
 * here from the access key and secret key; KIND tasks is the new standard's
 * GET /tasks?task_ids={id} with a static API key (Kling's API docs).
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_provider.h"

static const AIPProviderDesc kling_desc = {
    .name         = "kling",
    .label        = "Kling",
    .kind         = AIP_KLING,
    .auth         = AIP_AUTH_KLING,
    .default_base = "https://api-singapore.klingai.com",
    .key_env      = { "KLING_API_KEY", NULL },
    .what         = "task",
};

static const AVOption kling_options[] = {
    AIP_COMMON_OPTIONS(5),
    { "access_key", "Kling access key (default: KLING_ACCESS_KEY)",
      AIP_OFFSET(access_key), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, AIP_D },
    { "secret_key", "Kling secret key (default: KLING_SECRET_KEY)",
      AIP_OFFSET(secret_key), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, AIP_D },
    { NULL }
};

AIP_PROTOCOL(kling, kling_desc, kling_options);
