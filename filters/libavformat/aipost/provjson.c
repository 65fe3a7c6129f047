/*
 * The providers' documented JSON shapes. See provjson.h; the shapes and
 * their sources are listed in docs/protocols.md.
 *
 * This file is part of aipost. Licensed under the LGPL v2.1 or later.
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"
#include "provjson.h"

void aip_job_init(AIPJob *job)
{
    memset(job, 0, sizeof(*job));
    job->progress = -1;
    job->created_ms = INT64_MIN;
}

void aip_job_free(AIPJob *job)
{
    free(job->message);
    free(job->code);
    free(job->result);
    free(job->file_id);
    free(job->model);
    free(job->prompt);
    json_decref(job->fields);
    aip_job_init(job);
}

const char *aip_job_state_name(enum AIPJobState s)
{
    switch (s) {
    case AIP_JOB_PENDING:   return "pending";
    case AIP_JOB_RUNNING:   return "running";
    case AIP_JOB_DONE:      return "finished";
    case AIP_JOB_FAILED:    return "failed";
    case AIP_JOB_CANCELLED: return "cancelled";
    case AIP_JOB_MODERATED: return "moderated";
    case AIP_JOB_REFUSED:   return "refused";
    case AIP_JOB_RETRY:     return "rate-limited";
    }
    return "?";
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A string member (NULL when absent or not a string). */
static const char *str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* Replace *dst with a copy of s (NULL stays NULL). */
static int set(char **dst, const char *s)
{
    size_t n;

    free(*dst);
    *dst = NULL;
    if (!s)
        return 0;
    n = strlen(s) + 1;
    if (!(*dst = malloc(n)))
        return -1;
    memcpy(*dst, s, n);
    return 0;
}

static void set_status(AIPJob *job, const char *s)
{
    snprintf(job->status, sizeof(job->status), "%s", s ? s : "");
}

/* Copy obj[key] (any JSON value but null) into job->fields[name]. */
static void keep(AIPJob *job, const char *name, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return;
    if (!job->fields && !(job->fields = json_object()))
        return;
    json_object_set(job->fields, name, v);
}

/* Integer seconds or milliseconds (a JSON number, or a decimal string). */
static int get_int(json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_real(v) && isfinite(json_real_value(v))) {
        *out = (int64_t)json_real_value(v);
        return 0;
    }
    if (json_is_string(v)) {
        char *e;
        const char *s = json_string_value(v);
        const long long x = strtoll(s, &e, 10);
        if (*s && !*e) {
            *out = x;
            return 0;
        }
    }
    return -1;
}

static void created_iso(AIPJob *job, json_t *obj, const char *key)
{
    const char *s = str(obj, key);
    int64_t t;

    if (!s)
        return;
    t = aip_iso8601_parse(s);
    if (t == INT64_MIN)
        return;
    job->created_ms = t;
    job->created_has_ms = strchr(s, '.') != NULL;
}

static void created_unix(AIPJob *job, json_t *obj, const char *key, int in_ms)
{
    int64_t t;
    if (get_int(json_object_get(obj, key), &t) < 0 || t <= 0)
        return;
    job->created_ms = in_ms ? t : t * 1000;
    job->created_has_ms = in_ms;
}

/* Runway: {id, status, createdAt, progress, output[], failure, failureCode}
 * (runwayml/sdk-python types/task_retrieve_response.py). */
static int parse_runway(json_t *root, int index, AIPJob *job, char *err, size_t errlen)
{
    const char *status = str(root, "status");
    json_t *progress = json_object_get(root, "progress");

    if (!status)
        return fail(err, errlen, "the Runway task has no \"status\" string");
    set_status(job, status);
    created_iso(job, root, "createdAt");
    if (json_is_number(progress))
        job->progress = json_number_value(progress);

    if (!strcmp(status, "PENDING") || !strcmp(status, "THROTTLED")) {
        job->state = AIP_JOB_PENDING;
    } else if (!strcmp(status, "RUNNING")) {
        job->state = AIP_JOB_RUNNING;
    } else if (!strcmp(status, "SUCCEEDED")) {
        json_t *output = json_object_get(root, "output");
        const char *url;
        if (!json_is_array(output) || !json_array_size(output))
            return fail(err, errlen, "the Runway task SUCCEEDED without an \"output\" URL");
        job->nb_results = (int)json_array_size(output);
        if (index >= job->nb_results)
            return fail(err, errlen, "index=%d: the Runway task has %d output(s)", index, job->nb_results);
        url = json_string_value(json_array_get(output, (size_t)index));
        if (!url)
            return fail(err, errlen, "Runway output[%d] is not a string", index);
        if (set(&job->result, url) < 0)
            return fail(err, errlen, "out of memory");
        job->state = AIP_JOB_DONE;
    } else if (!strcmp(status, "FAILED")) {
        const char *code = str(root, "failureCode");
        if (set(&job->message, str(root, "failure")) < 0 || set(&job->code, code) < 0)
            return fail(err, errlen, "out of memory");
        /* SAFETY.INPUT.* / SAFETY.OUTPUT.*: "You should not retry these". */
        job->state = code && !strncmp(code, "SAFETY.", 7) ? AIP_JOB_MODERATED : AIP_JOB_FAILED;
    } else if (!strcmp(status, "CANCELLED")) {
        job->state = AIP_JOB_CANCELLED;
    } else {
        return fail(err, errlen, "unknown Runway task status \"%s\"", status);
    }
    return 0;
}

/* Does a failure text name moderation? (Luma documents its moderation
 * failures only as failure_reason texts.) */
static int names_moderation(const char *s)
{
    static const char *const words[] = { "moderation", "blacklisted", "safety", "content polic" };
    if (!s)
        return 0;
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        const size_t n = strlen(words[w]);
        for (const char *p = s; *p; p++) {
            size_t i = 0;
            while (i < n && p[i] && (p[i] | 0x20) == words[w][i])
                i++;
            if (i == n)
                return 1;
        }
    }
    return 0;
}

/* Luma Dream Machine: {id, state, failure_reason, created_at, model,
 * assets{video}, request{prompt, model, ...}} (lumalabs/lumaai-python
 * types/generation.py). */
static int parse_luma(json_t *root, AIPJob *job, char *err, size_t errlen)
{
    const char *state = str(root, "state");
    json_t *request = json_object_get(root, "request");
    const char *model = str(root, "model");

    if (!state)
        return fail(err, errlen, "the Luma generation has no \"state\" string");
    set_status(job, state);
    created_iso(job, root, "created_at");
    if (!model)
        model = str(request, "model");
    if (set(&job->model, model) < 0 || set(&job->prompt, str(request, "prompt")) < 0)
        return fail(err, errlen, "out of memory");
    keep(job, "generation_type", root, "generation_type");
    keep(job, "resolution", request, "resolution");
    keep(job, "duration", request, "duration");
    keep(job, "aspect_ratio", request, "aspect_ratio");
    keep(job, "loop", request, "loop");

    if (!strcmp(state, "queued")) {
        job->state = AIP_JOB_PENDING;
    } else if (!strcmp(state, "dreaming")) {
        job->state = AIP_JOB_RUNNING;
    } else if (!strcmp(state, "completed")) {
        const char *video = str(json_object_get(root, "assets"), "video");
        if (!video)
            return fail(err, errlen, "the Luma generation is completed without \"assets.video\"%s",
                        str(root, "generation_type") && strcmp(str(root, "generation_type"), "video") ?
                        " (it is not a video generation)" : "");
        if (set(&job->result, video) < 0)
            return fail(err, errlen, "out of memory");
        job->nb_results = 1;
        job->state = AIP_JOB_DONE;
    } else if (!strcmp(state, "failed")) {
        const char *reason = str(root, "failure_reason");
        if (!reason)
            reason = str(root, "state_reason");         /* v1alpha */
        if (set(&job->message, reason) < 0)
            return fail(err, errlen, "out of memory");
        job->state = names_moderation(reason) ? AIP_JOB_MODERATED : AIP_JOB_FAILED;
    } else {
        return fail(err, errlen, "unknown Luma generation state \"%s\"", state);
    }
    return 0;
}

/* Kling's envelope: {code, message, request_id, data}; code 0 is success.
 * 1300/1301: refused by policy or content security. */
static int kling_envelope(json_t *root, AIPJob *job, char *err, size_t errlen)
{
    int64_t code;
    char buf[32];

    if (get_int(json_object_get(root, "code"), &code) < 0)
        return fail(err, errlen, "the Kling response has no \"code\"");
    if (!code)
        return 0;
    snprintf(buf, sizeof(buf), "%lld", (long long)code);
    if (set(&job->code, buf) < 0 || set(&job->message, str(root, "message")) < 0)
        return fail(err, errlen, "out of memory");
    job->state = code == 1300 || code == 1301 ? AIP_JOB_MODERATED :
                 code == 1302 || code == 1303 || code >= 5000 ? AIP_JOB_RETRY : AIP_JOB_REFUSED;
    return 1;
}

/* Kling legacy: data{task_id, task_status, task_status_msg, created_at (ms),
 * task_result{videos[]{id, url, duration}}}; Kling new standard: data[]{id,
 * status, message, create_time (ms), outputs[]{type, url, ...}}. */
static int parse_kling(json_t *root, int index, AIPJob *job, char *err, size_t errlen)
{
    const int env = kling_envelope(root, job, err, errlen);
    json_t *data = json_object_get(root, "data");
    const char *status, *message;
    json_t *results, *task;
    int legacy;

    if (env)
        return env < 0 ? -1 : 0;

    if (json_is_object(data)) {
        legacy = 1;
        task = data;
        status = str(task, "task_status");
        message = str(task, "task_status_msg");
        created_unix(job, task, "created_at", 1);
        results = json_object_get(json_object_get(task, "task_result"), "videos");
        keep(job, "external_task_id", json_object_get(task, "task_info"), "external_task_id");
        keep(job, "final_unit_deduction", task, "final_unit_deduction");
    } else if (json_is_array(data)) {
        legacy = 0;
        if (!json_array_size(data))
            return fail(err, errlen, "the Kling task query returned no task");
        task = json_array_get(data, 0);
        status = str(task, "status");
        message = str(task, "message");
        created_unix(job, task, "create_time", 1);
        results = json_object_get(task, "outputs");
        keep(job, "external_id", task, "external_id");
        keep(job, "billing", task, "billing");
    } else {
        return fail(err, errlen, "the Kling response has no \"data\"");
    }
    if (!status)
        return fail(err, errlen, "the Kling task has no status");
    set_status(job, status);

    if (!strcmp(status, "submitted")) {
        job->state = AIP_JOB_PENDING;
    } else if (!strcmp(status, "processing")) {
        job->state = AIP_JOB_RUNNING;
    } else if (!strcmp(status, legacy ? "succeed" : "succeeded")) {
        /* The new standard's outputs mix types: count the videos, or the
         * audio (mp3_url, wav_url) of an audio task. */
        json_t *pick = NULL;
        const char *url = NULL;
        int n = 0;
        for (int pass = 0; pass < 2 && !n; pass++) {
            size_t i;
            json_t *o;
            json_array_foreach(results, i, o) {
                const char *type = str(o, "type");
                const char *u = str(o, "url");
                if (!u && pass)
                    u = str(o, "mp3_url") ? str(o, "mp3_url") : str(o, "wav_url");
                if (!u || (!legacy && !pass && type && strcmp(type, "video")))
                    continue;
                if (n++ == index) {
                    pick = o;
                    url = u;
                }
            }
        }
        if (!n)
            return fail(err, errlen, "the Kling task %s without a result URL", status);
        job->nb_results = n;
        if (!pick)
            return fail(err, errlen, "index=%d: the Kling task has %d result(s)", index, n);
        if (set(&job->result, url) < 0)
            return fail(err, errlen, "out of memory");
        keep(job, "result_id", pick, "id");
        keep(job, "duration", pick, "duration");
        job->state = AIP_JOB_DONE;
    } else if (!strcmp(status, "failed")) {
        if (set(&job->message, message) < 0)
            return fail(err, errlen, "out of memory");
        job->state = AIP_JOB_FAILED;
    } else {
        return fail(err, errlen, "unknown Kling task status \"%s\"", status);
    }
    return 0;
}

/* Veo through the Gemini API: a google.longrunning.Operation {name, done,
 * error{code, message}, response{generateVideoResponse{generatedSamples[]
 * {video{uri}}, raiMediaFilteredCount, raiMediaFilteredReasons[]}}}
 * (googleapis/python-genai models.py, operations.py). */
static int parse_veo(json_t *root, int index, AIPJob *job, char *err, size_t errlen)
{
    const char *name = str(root, "name"), *uri;
    json_t *done = json_object_get(root, "done");
    json_t *error = json_object_get(root, "error");
    json_t *gvr = json_object_get(json_object_get(root, "response"), "generateVideoResponse");
    json_t *samples = json_object_get(gvr, "generatedSamples"), *video;
    const size_t n = json_is_array(samples) ? json_array_size(samples) : 0;

    if (!name)
        return fail(err, errlen, "the Veo operation has no \"name\"");
    /* "models/veo-3.1-generate-preview/operations/ID": the model is in it. */
    if (!strncmp(name, "models/", 7)) {
        const char *slash = strchr(name + 7, '/');
        if (slash && !strncmp(slash, "/operations/", 12)) {
            const size_t len = (size_t)(slash - name - 7);
            char *m = malloc(len + 1);
            if (!m)
                return fail(err, errlen, "out of memory");
            memcpy(m, name + 7, len);
            m[len] = 0;
            free(job->model);
            job->model = m;
        }
    }
    keep(job, "operation", root, "name");
    created_iso(job, json_object_get(root, "metadata"), "createTime");

    if (done && !json_is_boolean(done))
        return fail(err, errlen, "the Veo operation's \"done\" is not a boolean");
    if (!json_is_true(done)) {
        set_status(job, "running");
        job->state = AIP_JOB_RUNNING;
        return 0;
    }
    set_status(job, "done");
    if (error) {
        int64_t code = 0;
        char buf[32] = "";
        if (!get_int(json_object_get(error, "code"), &code))
            snprintf(buf, sizeof(buf), "%lld", (long long)code);
        if (set(&job->message, str(error, "message")) < 0 || set(&job->code, buf[0] ? buf : NULL) < 0)
            return fail(err, errlen, "out of memory");
        job->state = AIP_JOB_FAILED;
        return 0;
    }
    if (!n) {
        /* Outputs filtered by the safety filters leave a finished operation
         * without samples. */
        const char *why = json_string_value(json_array_get(json_object_get(gvr, "raiMediaFilteredReasons"), 0));
        int64_t filtered = 0;
        get_int(json_object_get(gvr, "raiMediaFilteredCount"), &filtered);
        if (set(&job->message, why ? why : "the operation finished without a video") < 0)
            return fail(err, errlen, "out of memory");
        job->state = filtered > 0 || why ? AIP_JOB_MODERATED : AIP_JOB_FAILED;
        return 0;
    }
    job->nb_results = (int)n;
    if ((size_t)index >= n)
        return fail(err, errlen, "index=%d: the Veo operation has %zu sample(s)", index, n);
    video = json_object_get(json_array_get(samples, (size_t)index), "video");
    uri = str(video, "uri");
    if (!uri)
        return fail(err, errlen, "Veo sample %d has no \"video.uri\"%s", index,
                    str(video, "encodedVideo") ? " (inline video bytes are not supported)" : "");
    if (set(&job->result, uri) < 0)
        return fail(err, errlen, "out of memory");
    job->state = AIP_JOB_DONE;
    return 0;
}

/* OpenAI Sora: {id, object, model, status, progress, created_at, prompt,
 * seconds, size, error{code, message}} (openai-python types/video.py); the
 * bytes come from /videos/{id}/content. */
static int parse_sora(json_t *root, AIPJob *job, char *err, size_t errlen)
{
    const char *status = str(root, "status");
    json_t *progress = json_object_get(root, "progress");

    if (!status)
        return fail(err, errlen, "the Sora video has no \"status\" string");
    set_status(job, status);
    created_unix(job, root, "created_at", 0);
    if (set(&job->model, str(root, "model")) < 0 || set(&job->prompt, str(root, "prompt")) < 0)
        return fail(err, errlen, "out of memory");
    if (json_is_number(progress))
        job->progress = json_number_value(progress) / 100.0;
    keep(job, "seconds", root, "seconds");
    keep(job, "size", root, "size");
    keep(job, "completed_at", root, "completed_at");
    keep(job, "expires_at", root, "expires_at");
    keep(job, "remixed_from_video_id", root, "remixed_from_video_id");

    if (!strcmp(status, "queued")) {
        job->state = AIP_JOB_PENDING;
    } else if (!strcmp(status, "in_progress")) {
        job->state = AIP_JOB_RUNNING;
    } else if (!strcmp(status, "completed")) {
        job->nb_results = 1;
        job->state = AIP_JOB_DONE;
    } else if (!strcmp(status, "failed")) {
        json_t *error = json_object_get(root, "error");
        const char *code = str(error, "code");
        if (set(&job->message, str(error, "message")) < 0 || set(&job->code, code) < 0)
            return fail(err, errlen, "out of memory");
        job->state = names_moderation(code) || names_moderation(str(error, "message")) ?
                     AIP_JOB_MODERATED : AIP_JOB_FAILED;
    } else {
        return fail(err, errlen, "unknown Sora video status \"%s\"", status);
    }
    return 0;
}

/* MiniMax's business status: base_resp{status_code, status_msg}, 0 is
 * success; 1026/1027 input/output sensitive; 1002/1039 rate or token limit. */
static int minimax_base(json_t *root, AIPJob *job, char *err, size_t errlen)
{
    json_t *base = json_object_get(root, "base_resp");
    int64_t code;
    char buf[32];

    if (!base)
        return 0;
    if (get_int(json_object_get(base, "status_code"), &code) < 0)
        return fail(err, errlen, "the MiniMax base_resp has no status_code");
    if (!code)
        return 0;
    snprintf(buf, sizeof(buf), "%lld", (long long)code);
    if (set(&job->code, buf) < 0 || set(&job->message, str(base, "status_msg")) < 0)
        return fail(err, errlen, "out of memory");
    set_status(job, "error");
    job->state = code == 1026 || code == 1027 ? AIP_JOB_MODERATED :
                 code == 1002 || code == 1039 || code == 1001 || code == 1024 || code == 1033 ?
                 AIP_JOB_RETRY : AIP_JOB_REFUSED;
    return 1;
}

/* MiniMax Hailuo query: {task_id, status, file_id, video_width,
 * video_height, base_resp} (platform.minimax.io video-generation-query). */
static int parse_hailuo(json_t *root, AIPJob *job, char *err, size_t errlen)
{
    const int base = minimax_base(root, job, err, errlen);
    const char *status = str(root, "status");

    if (base)
        return base < 0 ? -1 : 0;
    if (!status)
        return fail(err, errlen, "the MiniMax task has no \"status\" string");
    set_status(job, status);
    keep(job, "video_width", root, "video_width");
    keep(job, "video_height", root, "video_height");

    if (!strcmp(status, "Preparing") || !strcmp(status, "Queueing")) {
        job->state = AIP_JOB_PENDING;
    } else if (!strcmp(status, "Processing")) {
        job->state = AIP_JOB_RUNNING;
    } else if (!strcmp(status, "Success")) {
        /* file_id is a string in the query, an int64 in files/retrieve. */
        json_t *fid = json_object_get(root, "file_id");
        int64_t v;
        char buf[32];
        const char *s = json_string_value(fid);
        if (!s && !get_int(fid, &v)) {
            snprintf(buf, sizeof(buf), "%lld", (long long)v);
            s = buf;
        }
        if (!s || !*s || !aip_id_valid(s, 0))
            return fail(err, errlen, "the MiniMax task succeeded without a usable \"file_id\"");
        if (set(&job->file_id, s) < 0)
            return fail(err, errlen, "out of memory");
        job->nb_results = 1;
        job->state = AIP_JOB_DONE;
    } else if (!strcmp(status, "Fail")) {
        const char *msg = str(json_object_get(root, "base_resp"), "status_msg");
        if (set(&job->message, msg && strcmp(msg, "success") ? msg : NULL) < 0)
            return fail(err, errlen, "out of memory");
        job->state = AIP_JOB_FAILED;
    } else {
        return fail(err, errlen, "unknown MiniMax task status \"%s\"", status);
    }
    return 0;
}

int aip_hailuo_file_parse(json_t *root, AIPJob *job, char *err, size_t errlen)
{
    json_t *file = json_object_get(root, "file");
    const char *url = str(file, "download_url");
    int base;

    if (!json_is_object(root))
        return fail(err, errlen, "the MiniMax file response is not a JSON object");
    base = minimax_base(root, job, err, errlen);
    if (base)
        return base < 0 ? -1 : 0;
    if (!url)
        return fail(err, errlen, "the MiniMax file has no \"download_url\"");
    if (set(&job->result, url) < 0)
        return fail(err, errlen, "out of memory");
    created_unix(job, file, "created_at", 0);
    keep(job, "filename", file, "filename");
    keep(job, "bytes", file, "bytes");
    keep(job, "file_id", file, "file_id");
    job->state = AIP_JOB_DONE;
    return 0;
}

/* ElevenLabs history item: {history_item_id, request_id, voice_id,
 * voice_name, model_id, text, date_unix, state, output_format, ...}
 * (elevenlabs-python types/speech_history_item_response.py); the audio is
 * /v1/history/{id}/audio. */
static int parse_elevenlabs(json_t *root, AIPJob *job, char *err, size_t errlen)
{
    const char *state = str(root, "state");

    if (!str(root, "history_item_id"))
        return fail(err, errlen, "the ElevenLabs history item has no \"history_item_id\"");
    set_status(job, state ? state : "created");
    if (set(&job->model, str(root, "model_id")) < 0 || set(&job->prompt, str(root, "text")) < 0)
        return fail(err, errlen, "out of memory");
    created_unix(job, root, "date_unix", 0);
    keep(job, "voice_id", root, "voice_id");
    keep(job, "voice_name", root, "voice_name");
    keep(job, "voice_category", root, "voice_category");
    keep(job, "output_format", root, "output_format");
    keep(job, "content_type", root, "content_type");
    keep(job, "source", root, "source");
    keep(job, "request_id", root, "request_id");
    keep(job, "settings", root, "settings");

    if (!state || !strcmp(state, "created")) {
        job->nb_results = 1;
        job->state = AIP_JOB_DONE;
    } else if (!strcmp(state, "processing")) {
        job->state = AIP_JOB_RUNNING;
    } else if (!strcmp(state, "deleted")) {
        if (set(&job->message, "the history item was deleted") < 0)
            return fail(err, errlen, "out of memory");
        job->state = AIP_JOB_CANCELLED;
    } else {
        return fail(err, errlen, "unknown ElevenLabs history item state \"%s\"", state);
    }
    return 0;
}

int aip_job_parse(enum AIPProviderKind kind, json_t *root, int index,
                  AIPJob *job, char *err, size_t errlen)
{
    static const char *const names[AIP_NB_PROVIDERS] = {
        "Runway", "Luma", "Kling", "Veo", "Sora", "MiniMax", "ElevenLabs"
    };

    err[0] = 0;
    if ((unsigned)kind >= AIP_NB_PROVIDERS)
        return fail(err, errlen, "unknown provider");
    if (index < 0)
        return fail(err, errlen, "index=%d is negative", index);
    if (!json_is_object(root))
        return fail(err, errlen, "the %s response is not a JSON object", names[kind]);
    switch (kind) {
    case AIP_RUNWAY:     return parse_runway(root, index, job, err, errlen);
    case AIP_LUMA:       return parse_luma(root, job, err, errlen);
    case AIP_KLING:      return parse_kling(root, index, job, err, errlen);
    case AIP_VEO:        return parse_veo(root, index, job, err, errlen);
    case AIP_SORA:       return parse_sora(root, job, err, errlen);
    case AIP_HAILUO:     return parse_hailuo(root, job, err, errlen);
    case AIP_ELEVENLABS: return parse_elevenlabs(root, job, err, errlen);
    default:             return fail(err, errlen, "unknown provider");
    }
}

static void copy_text(char *dst, size_t size, const char *s)
{
    size_t n = 0;
    if (!size)
        return;
    /* One line of printable text: the message goes into a log line. */
    for (; s && *s && n + 1 < size; s++)
        dst[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
    dst[n] = 0;
}

static void copy_code(char *dst, size_t size, json_t *v)
{
    int64_t i;
    if (!dst || !size || !v || dst[0])
        return;
    if (json_is_string(v))
        copy_text(dst, size, json_string_value(v));
    else if (!get_int(v, &i))
        snprintf(dst, size, "%lld", (long long)i);
}

void aip_error_message(enum AIPProviderKind kind, const char *body, size_t len,
                       char *msg, size_t msglen, char *code, size_t codelen)
{
    json_t *root = json_loadb(body, len, 0, NULL);
    json_t *e = json_object_get(root, "error");
    json_t *d = json_object_get(root, "detail");
    json_t *base = json_object_get(root, "base_resp");

    (void)kind;
    msg[0] = 0;
    if (code && codelen)
        code[0] = 0;
    if (!json_is_object(root)) {
        json_decref(root);
        return;
    }
    if (json_is_string(e)) {                                /* Runway */
        copy_text(msg, msglen, json_string_value(e));
    } else if (json_is_object(e)) {                         /* Google, OpenAI */
        copy_text(msg, msglen, str(e, "message"));
        copy_code(code, codelen, json_object_get(e, "status"));
        copy_code(code, codelen, json_object_get(e, "code"));
        copy_code(code, codelen, json_object_get(e, "type"));
    } else if (json_is_string(d)) {                         /* Luma */
        copy_text(msg, msglen, json_string_value(d));
    } else if (json_is_object(d)) {                         /* ElevenLabs */
        copy_text(msg, msglen, str(d, "message"));
        copy_code(code, codelen, json_object_get(d, "code"));
        copy_code(code, codelen, json_object_get(d, "status"));
    } else if (json_is_array(d)) {                          /* FastAPI 422 */
        copy_text(msg, msglen, str(json_array_get(d, 0), "msg"));
    } else if (json_is_object(base)) {                      /* MiniMax */
        copy_text(msg, msglen, str(base, "status_msg"));
        copy_code(code, codelen, json_object_get(base, "status_code"));
    } else {                                                /* Kling */
        copy_text(msg, msglen, str(root, "message"));
        copy_code(code, codelen, json_object_get(root, "code"));
    }
    json_decref(root);
}

int aip_error_retryable(enum AIPProviderKind kind, int http_status, const char *body, size_t len)
{
    if (http_status != 408 && http_status != 429 && (http_status < 500 || http_status > 599))
        return 0;
    if (kind == AIP_KLING && http_status == 429) {
        char msg[8], code[16];
        aip_error_message(kind, body, len, msg, sizeof(msg), code, sizeof(code));
        if (!strcmp(code, "1100") || !strcmp(code, "1101") || !strcmp(code, "1102"))
            return 0;
    }
    if (http_status == 501)
        return 0;
    return 1;
}

int aip_error_moderated(enum AIPProviderKind kind, const char *code)
{
    if (kind == AIP_KLING)
        return !strcmp(code, "1300") || !strcmp(code, "1301");
    if (kind == AIP_HAILUO)
        return !strcmp(code, "1026") || !strcmp(code, "1027");
    return 0;
}
