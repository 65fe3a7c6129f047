/*
 * runway://TASK_ID: a Runway API task (GET /v1/tasks/{id}, X-Runway-Version;
 * runwayml/sdk-python). The first pause is 5 s: Runway asks consumers not to
 * expect updates more often than once every five seconds for a task.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include "aipost_provider.h"

static const AIPProviderDesc runway_desc = {
    .name         = "runway",
    .label        = "Runway",
    .kind         = AIP_RUNWAY,
    .auth         = AIP_AUTH_BEARER,
    .default_base = "https://api.dev.runwayml.com",
    .key_env      = { "RUNWAYML_API_SECRET", NULL },
    .what         = "task",
};

static const AVOption runway_options[] = {
    AIP_COMMON_OPTIONS(5),
    { "api_version", "X-Runway-Version header",
      AIP_OFFSET(api_version), AV_OPT_TYPE_STRING, { .str = "2024-11-06" }, 0, 0, AIP_D },
    { NULL }
};

AIP_PROTOCOL(runway, runway_desc, runway_options);
