/*
 * What the providers' JSON says: a job's state, result, failure message and
 * provenance, read from each provider's documented response shapes (see
 * docs/protocols.md for the sources). Pure C on jansson, without FFmpeg, so
 * the unit tests drive it alone.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#ifndef AIPOST_PROVJSON_H
#define AIPOST_PROVJSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum AIPProviderKind {
    AIP_RUNWAY,         /* GET /v1/tasks/{id} */
    AIP_LUMA,           /* GET /generations/{id} (Dream Machine v1) */
    AIP_KLING,          /* GET /v1/videos/{kind}/{id} (legacy), GET /tasks?task_ids= (new) */
    AIP_VEO,            /* GET /v1beta/{operation name} (Gemini API) */
    AIP_SORA,           /* GET /videos/{id}, then /videos/{id}/content */
    AIP_HAILUO,         /* GET /v1/query/video_generation, then /v1/files/retrieve */
    AIP_ELEVENLABS,     /* GET /v1/history/{id}, then /v1/history/{id}/audio */
    AIP_NB_PROVIDERS
};

enum AIPJobState {
    AIP_JOB_PENDING,    /* queued, throttled, submitted, preparing */
    AIP_JOB_RUNNING,
    AIP_JOB_DONE,       /* finished with a result */
    AIP_JOB_FAILED,
    AIP_JOB_CANCELLED,  /* cancelled or deleted */
    AIP_JOB_MODERATED,  /* refused by the provider's content moderation */
    AIP_JOB_REFUSED,    /* the API refused the request (an error inside a 200) */
    AIP_JOB_RETRY,      /* the API asks to come back later (a rate limit inside a 200) */
};

typedef struct AIPJob {
    enum AIPJobState state;
    char status[64];    /* the provider's own word, e.g. "RUNNING", "dreaming" */
    double progress;    /* 0..1; -1 unknown */
    char *message;      /* the provider's failure text */
    char *code;         /* the provider's machine code, if any */
    char *result;       /* where the bytes are: an URL, absolute or relative
                           to the API base; NULL while running, and for the
                           providers whose next step gives it */
    char *file_id;      /* MiniMax: the file to look up with files/retrieve */
    char *model;        /* when the API says */
    char *prompt;       /* when the API echoes it */
    int64_t created_ms; /* generation time, Unix ms; INT64_MIN unknown */
    int created_has_ms;
    int nb_results;     /* how many results the job has */
    json_t *fields;     /* further documented provenance fields (an object) */
} AIPJob;

void aip_job_init(AIPJob *job);
void aip_job_free(AIPJob *job);

const char *aip_job_state_name(enum AIPJobState s);

/**
 * Read a job-status response.
 *
 * @param kind   the provider
 * @param root   the parsed body of a 2xx response
 * @param index  which result when the job has several (Runway output[],
 *               Kling videos[], Veo generatedSamples[]); out of range is
 *               an error naming how many there are
 * @param job    filled (aip_job_init'ed by the caller, freed by it)
 * @param err    on failure: what was wrong with the response
 * @return 0, -1 when the response is not the documented shape
 */
int aip_job_parse(enum AIPProviderKind kind, json_t *root, int index,
                  AIPJob *job, char *err, size_t errlen);

/**
 * MiniMax: read a files/retrieve response into job (result URL, created,
 * file fields). @return 0, -1 not the documented shape (err says why)
 */
int aip_hailuo_file_parse(json_t *root, AIPJob *job, char *err, size_t errlen);

/**
 * The human message of an error response body (any HTTP status): Runway
 * {"error": "..."}, Luma {"detail": "..."}, Kling {"code", "message"},
 * Google and OpenAI {"error": {"message", ...}}, MiniMax base_resp,
 * ElevenLabs {"detail": {"message"}} or FastAPI's [{"msg"}].
 * Writes "" when the body has none. code (may be NULL) receives the
 * provider's machine code when there is one.
 */
void aip_error_message(enum AIPProviderKind kind, const char *body, size_t len,
                       char *msg, size_t msglen, char *code, size_t codelen);

/**
 * Is an HTTP error worth retrying (408, 429, 5xx), given the provider's
 * body? Kling answers 429 for a suspended account or an exhausted resource
 * pack (codes 1100-1102) too, which no retry can fix.
 */
int aip_error_retryable(enum AIPProviderKind kind, int http_status, const char *body, size_t len);

/* Does a provider's error code (from aip_error_message) say moderation?
 * Kling 1300/1301 (policy, content security), MiniMax 1026/1027 (input or
 * output sensitive). */
int aip_error_moderated(enum AIPProviderKind kind, const char *code);

#endif /* AIPOST_PROVJSON_H */
