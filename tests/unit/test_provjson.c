/*
 * Unit tests of the providers' JSON shapes, without FFmpeg
 * (aipost/provjson.c), on the documented bodies (docs/protocols.md cites
 * them): every provider's states mapped (pending, running, finished,
 * failed, cancelled, moderated), results by index, provenance fields,
 * created times in ISO or Unix s/ms, Kling's two standards and envelope
 * codes, MiniMax's base_resp and string/number file_id, Veo's filtered
 * samples, error bodies of every provider and what is worth a retry;
 * shapes that are not the documented one refused with a reason.
 */

#include <check.h>
#include <string.h>

#include "../common/unit.h"
#include "aipost/provjson.h"

static AIPJob job;
static char err[256];

static int parse(enum AIPProviderKind k, const char *text, int index)
{
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    ck_assert_msg(root != NULL, "test JSON: %s", je.text);
    aip_job_free(&job);
    const int ret = aip_job_parse(k, root, index, &job, err, sizeof(err));
    json_decref(root);
    return ret;
}

static const char *field(const char *name)
{
    return json_string_value(json_object_get(job.fields, name));
}

START_TEST(runway)
{
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"id\":\"a\",\"status\":\"PENDING\",\"createdAt\":\"2024-11-15T03:34:51.751Z\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_PENDING);
    ck_assert_int_eq(job.created_ms, INT64_C(1731641691751));
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"id\":\"a\",\"status\":\"THROTTLED\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_PENDING);
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"id\":\"be35\",\"status\":\"RUNNING\",\"createdAt\":\"2024-11-15T03:34:51.751Z\",\"progress\":0.275}", 0), 0);
    ck_assert(job.state == AIP_JOB_RUNNING && job.progress == 0.275);
    ck_assert_str_eq(job.status, "RUNNING");
    /* the documented example of a finished task */
    static const char done[] = "{\"id\":\"2272f1f2-dbb8-4083-a126-d9a8f0524bb2\",\"status\":\"SUCCEEDED\","
        "\"createdAt\":\"2024-11-30T07:06:07.912Z\",\"output\":[\"https://dnznrvs05pmza.cloudfront.net/u.mp4?_jwt=eyJ\","
        "\"https://cdn/second.mp4\"]}";
    ck_assert_int_eq(parse(AIP_RUNWAY, done, 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert_str_eq(job.result, "https://dnznrvs05pmza.cloudfront.net/u.mp4?_jwt=eyJ");
    ck_assert_int_eq(job.nb_results, 2);
    ck_assert(!job.prompt && !job.model);       /* not echoed by GET /v1/tasks */
    ck_assert_int_eq(parse(AIP_RUNWAY, done, 1), 0);
    ck_assert_str_eq(job.result, "https://cdn/second.mp4");
    ck_assert_int_eq(parse(AIP_RUNWAY, done, 2), -1);
    ck_assert(strstr(err, "has 2 output(s)"));
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"status\":\"SUCCEEDED\",\"output\":[]}", 0), -1);
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"status\":\"FAILED\",\"failure\":\"bad\",\"failureCode\":\"INTERNAL.BAD_OUTPUT.CODE01\"}", 0), 0);
    ck_assert(job.state == AIP_JOB_FAILED && !strcmp(job.message, "bad") && !strcmp(job.code, "INTERNAL.BAD_OUTPUT.CODE01"));
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"status\":\"FAILED\",\"failure\":\"flagged\",\"failureCode\":\"SAFETY.OUTPUT.VIDEO\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_MODERATED);
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"status\":\"CANCELLED\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_CANCELLED);
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"status\":\"EXPLODED\"}", 0), -1);
    ck_assert(strstr(err, "EXPLODED"));
    ck_assert_int_eq(parse(AIP_RUNWAY, "{\"status\":1}", 0), -1);
    ck_assert_int_eq(parse(AIP_RUNWAY, "[]", 0), -1);
}
END_TEST

START_TEST(luma)
{
    static const char done[] = "{\"id\":\"g\",\"state\":\"completed\",\"created_at\":\"2024-11-15T03:34:51.751Z\","
        "\"generation_type\":\"video\",\"model\":\"ray-2\",\"assets\":{\"video\":\"https://storage.cdn-luma.com/x.mp4\"},"
        "\"request\":{\"prompt\":\"a harbour\",\"model\":\"ray-2\",\"resolution\":\"720p\",\"duration\":\"5s\"}}";
    ck_assert_int_eq(parse(AIP_LUMA, done, 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert_str_eq(job.result, "https://storage.cdn-luma.com/x.mp4");
    ck_assert_str_eq(job.prompt, "a harbour");
    ck_assert_str_eq(job.model, "ray-2");
    ck_assert_str_eq(field("resolution"), "720p");
    ck_assert_str_eq(field("duration"), "5s");
    ck_assert_int_eq(parse(AIP_LUMA, "{\"state\":\"queued\",\"request\":{\"model\":\"ray-flash-2\"}}", 0), 0);
    ck_assert(job.state == AIP_JOB_PENDING && !strcmp(job.model, "ray-flash-2"));
    ck_assert_int_eq(parse(AIP_LUMA, "{\"state\":\"dreaming\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_RUNNING);
    ck_assert_int_eq(parse(AIP_LUMA, "{\"state\":\"failed\",\"failure_reason\":\"Prompt processing failed\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_FAILED);
    /* the documented moderation reasons */
    ck_assert_int_eq(parse(AIP_LUMA, "{\"state\":\"failed\",\"failure_reason\":\"Contains blacklisted words\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_MODERATED);
    ck_assert_int_eq(parse(AIP_LUMA, "{\"state\":\"failed\",\"failure_reason\":\"Frame moderation failed\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_MODERATED);
    ck_assert_int_eq(parse(AIP_LUMA, "{\"state\":\"failed\",\"state_reason\":\"v1alpha reason\"}", 0), 0);
    ck_assert_str_eq(job.message, "v1alpha reason");
    ck_assert_int_eq(parse(AIP_LUMA, "{\"state\":\"completed\",\"generation_type\":\"image\",\"assets\":{\"image\":\"x\"}}", 0), -1);
    ck_assert(strstr(err, "not a video generation"));
}
END_TEST

START_TEST(kling)
{
    /* legacy: envelope, succeed (no -ed), ms times, string durations */
    static const char legacy[] = "{\"code\":0,\"message\":\"SUCCEED\",\"request_id\":\"r\",\"data\":{\"task_id\":\"8672\","
        "\"task_status\":\"succeed\",\"task_info\":{\"external_task_id\":\"ext\"},\"created_at\":1722769557708,"
        "\"final_unit_deduction\":\"10\",\"task_result\":{\"videos\":[{\"id\":\"v0\",\"url\":\"https://p1.a.kwimgs.com/o.mp4\","
        "\"duration\":\"5.1\"},{\"id\":\"v1\",\"url\":\"https://p1.a.kwimgs.com/p.mp4\",\"duration\":\"5.1\"}]}}}";
    ck_assert_int_eq(parse(AIP_KLING, legacy, 1), 0);
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert_str_eq(job.result, "https://p1.a.kwimgs.com/p.mp4");
    ck_assert_int_eq(job.created_ms, INT64_C(1722769557708));
    ck_assert_str_eq(field("external_task_id"), "ext");
    ck_assert_str_eq(field("duration"), "5.1");
    ck_assert_str_eq(field("result_id"), "v1");
    ck_assert_int_eq(parse(AIP_KLING, legacy, 2), -1);
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":0,\"data\":{\"task_status\":\"submitted\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_PENDING);
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":0,\"data\":{\"task_status\":\"processing\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_RUNNING);
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":0,\"data\":{\"task_status\":\"failed\",\"task_status_msg\":\"why\"}}", 0), 0);
    ck_assert(job.state == AIP_JOB_FAILED && !strcmp(job.message, "why"));
    /* the new standard's "succeeded" is not the legacy word */
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":0,\"data\":{\"task_status\":\"succeeded\"}}", 0), -1);

    /* new standard: data[], outputs of several types: the videos count */
    static const char fresh[] = "{\"code\":0,\"message\":\"\",\"request_id\":\"r\",\"data\":[{\"id\":\"8936\","
        "\"status\":\"succeeded\",\"create_time\":1781080778802,\"outputs\":[{\"type\":\"image\",\"url\":\"https://c/cover.jpg\"},"
        "{\"type\":\"video\",\"id\":\"v\",\"url\":\"https://c/v.mp4\",\"duration\":\"5\"}]}]}";
    ck_assert_int_eq(parse(AIP_KLING, fresh, 0), 0);
    ck_assert_str_eq(job.result, "https://c/v.mp4");
    ck_assert_int_eq(job.nb_results, 1);
    ck_assert_int_eq(parse(AIP_KLING, fresh, 1), -1);
    /* an audio task: mp3_url */
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":0,\"data\":[{\"status\":\"succeeded\",\"outputs\":[{\"type\":\"audio\","
                                      "\"mp3_url\":\"https://c/a.mp3\"}]}]}", 0), 0);
    ck_assert_str_eq(job.result, "https://c/a.mp3");
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":0,\"data\":[]}", 0), -1);

    /* envelope codes */
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":1301,\"message\":\"content security\",\"request_id\":\"r\"}", 0), 0);
    ck_assert(job.state == AIP_JOB_MODERATED && !strcmp(job.code, "1301"));
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":1303,\"message\":\"parallel task over resource pack limit\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_RETRY);
    ck_assert_int_eq(parse(AIP_KLING, "{\"code\":1201,\"message\":\"Task not found\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_REFUSED);
    ck_assert_int_eq(parse(AIP_KLING, "{\"message\":\"no code\"}", 0), -1);
}
END_TEST

START_TEST(veo)
{
    static const char done[] = "{\"name\":\"models/veo-3.1-generate-preview/operations/abc\",\"done\":true,"
        "\"metadata\":{\"createTime\":\"2025-01-02T03:04:05.5Z\"},\"response\":{\"generateVideoResponse\":"
        "{\"generatedSamples\":[{\"video\":{\"uri\":\"https://generativelanguage.googleapis.com/v1beta/files/f1:download?alt=media\"}},"
        "{\"video\":{\"uri\":\"u2\"}}]}}}";
    ck_assert_int_eq(parse(AIP_VEO, done, 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert_str_eq(job.model, "veo-3.1-generate-preview");
    ck_assert_str_eq(job.result, "https://generativelanguage.googleapis.com/v1beta/files/f1:download?alt=media");
    ck_assert_int_eq(job.created_ms, INT64_C(1735787045500));
    ck_assert_int_eq(parse(AIP_VEO, done, 1), 0);
    ck_assert_str_eq(job.result, "u2");
    ck_assert_int_eq(parse(AIP_VEO, done, 2), -1);
    ck_assert_int_eq(parse(AIP_VEO, "{\"name\":\"operations/x\"}", 0), 0);
    ck_assert(job.state == AIP_JOB_RUNNING && !job.model);
    ck_assert_int_eq(parse(AIP_VEO, "{\"name\":\"x\",\"done\":false}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_RUNNING);
    ck_assert_int_eq(parse(AIP_VEO, "{\"name\":\"x\",\"done\":\"yes\"}", 0), -1);
    ck_assert_int_eq(parse(AIP_VEO, "{\"name\":\"x\",\"done\":true,\"error\":{\"code\":13,\"message\":\"internal\"}}", 0), 0);
    ck_assert(job.state == AIP_JOB_FAILED && !strcmp(job.code, "13") && !strcmp(job.message, "internal"));
    /* outputs filtered by the safety filters */
    ck_assert_int_eq(parse(AIP_VEO, "{\"name\":\"x\",\"done\":true,\"response\":{\"generateVideoResponse\":"
                                    "{\"raiMediaFilteredCount\":1,\"raiMediaFilteredReasons\":[\"policy\"]}}}", 0), 0);
    ck_assert(job.state == AIP_JOB_MODERATED && !strcmp(job.message, "policy"));
    /* finished without anything: a failure that says so */
    ck_assert_int_eq(parse(AIP_VEO, "{\"name\":\"x\",\"done\":true,\"response\":{}}", 0), 0);
    ck_assert(job.state == AIP_JOB_FAILED && strstr(job.message, "without a video"));
    ck_assert_int_eq(parse(AIP_VEO, "{\"name\":\"x\",\"done\":true,\"response\":{\"generateVideoResponse\":"
                                    "{\"generatedSamples\":[{\"video\":{\"encodedVideo\":\"AAAA\"}}]}}}", 0), -1);
    ck_assert(strstr(err, "inline video bytes are not supported"));
    ck_assert_int_eq(parse(AIP_VEO, "{\"done\":true}", 0), -1);
}
END_TEST

START_TEST(sora)
{
    static const char done[] = "{\"id\":\"video_abc123\",\"object\":\"video\",\"model\":\"sora-2\",\"status\":\"completed\","
        "\"progress\":100,\"created_at\":1731641691,\"prompt\":\"a paper boat\",\"seconds\":\"4\",\"size\":\"1280x720\","
        "\"expires_at\":1731645291}";
    ck_assert_int_eq(parse(AIP_SORA, done, 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert(!job.result);                     /* /videos/{id}/content */
    ck_assert_str_eq(job.model, "sora-2");
    ck_assert_str_eq(job.prompt, "a paper boat");
    ck_assert_int_eq(job.created_ms, INT64_C(1731641691000));
    ck_assert_int_eq(job.created_has_ms, 0);
    ck_assert_str_eq(field("size"), "1280x720");
    ck_assert_int_eq(parse(AIP_SORA, "{\"status\":\"in_progress\",\"progress\":40,\"prompt\":null}", 0), 0);
    ck_assert(job.state == AIP_JOB_RUNNING && job.progress == 0.4 && !job.prompt);
    ck_assert_int_eq(parse(AIP_SORA, "{\"status\":\"queued\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_PENDING);
    ck_assert_int_eq(parse(AIP_SORA, "{\"status\":\"failed\",\"error\":{\"code\":\"moderation_blocked\",\"message\":\"blocked\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_MODERATED);
    ck_assert_int_eq(parse(AIP_SORA, "{\"status\":\"failed\",\"error\":{\"code\":\"internal_error\",\"message\":\"x\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_FAILED);
}
END_TEST

START_TEST(hailuo)
{
    json_t *root;

    ck_assert_int_eq(parse(AIP_HAILUO, "{\"task_id\":\"67bd\",\"status\":\"Success\",\"file_id\":\"241342648594580\","
                                       "\"video_width\":1280,\"video_height\":720,\"base_resp\":{\"status_code\":0,"
                                       "\"status_msg\":\"success\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert_str_eq(job.file_id, "241342648594580");
    ck_assert(!job.result);
    ck_assert_int_eq(json_integer_value(json_object_get(job.fields, "video_width")), 1280);
    /* file_id as a number, as files/retrieve declares it */
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"Success\",\"file_id\":313992866418884}", 0), 0);
    ck_assert_str_eq(job.file_id, "313992866418884");
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"Success\",\"file_id\":\"../x\"}", 0), -1);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"Success\"}", 0), -1);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"Preparing\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_PENDING);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"Queueing\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_PENDING);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"Processing\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_RUNNING);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"Fail\",\"base_resp\":{\"status_code\":0,\"status_msg\":\"success\"}}", 0), 0);
    ck_assert(job.state == AIP_JOB_FAILED && !job.message);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"status\":\"success\"}", 0), -1);        /* case-sensitive */
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"base_resp\":{\"status_code\":1026,\"status_msg\":\"input sensitive\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_MODERATED);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"base_resp\":{\"status_code\":1027,\"status_msg\":\"output sensitive\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_MODERATED);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_RETRY);
    ck_assert_int_eq(parse(AIP_HAILUO, "{\"base_resp\":{\"status_code\":1004,\"status_msg\":\"login fail\"}}", 0), 0);
    ck_assert(job.state == AIP_JOB_REFUSED && !strcmp(job.code, "1004"));

    root = json_loads("{\"file\":{\"file_id\":1,\"bytes\":5896337,\"created_at\":1700469398,\"filename\":\"output_aigc.mp4\","
                      "\"purpose\":\"video_generation\",\"download_url\":\"https://video-product.cdn.minimax.io/o.mp4\"},"
                      "\"base_resp\":{\"status_code\":0,\"status_msg\":\"success\"}}", 0, NULL);
    aip_job_free(&job);
    ck_assert_int_eq(aip_hailuo_file_parse(root, &job, err, sizeof(err)), 0);
    json_decref(root);
    ck_assert_str_eq(job.result, "https://video-product.cdn.minimax.io/o.mp4");
    ck_assert_int_eq(job.created_ms, INT64_C(1700469398000));
    ck_assert_str_eq(field("filename"), "output_aigc.mp4");
    root = json_loads("{\"file\":{}}", 0, NULL);
    ck_assert_int_eq(aip_hailuo_file_parse(root, &job, err, sizeof(err)), -1);
    json_decref(root);
}
END_TEST

START_TEST(elevenlabs)
{
    ck_assert_int_eq(parse(AIP_ELEVENLABS, "{\"history_item_id\":\"h\",\"model_id\":\"eleven_multilingual_v2\","
                                           "\"text\":\"hello\",\"date_unix\":1714650306,\"voice_name\":\"Rachel\","
                                           "\"state\":\"created\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert_str_eq(job.prompt, "hello");
    ck_assert_str_eq(job.model, "eleven_multilingual_v2");
    ck_assert_int_eq(job.created_ms, INT64_C(1714650306000));
    ck_assert_str_eq(field("voice_name"), "Rachel");
    ck_assert_int_eq(parse(AIP_ELEVENLABS, "{\"history_item_id\":\"h\"}", 0), 0);     /* no state: done */
    ck_assert_int_eq(job.state, AIP_JOB_DONE);
    ck_assert_int_eq(parse(AIP_ELEVENLABS, "{\"history_item_id\":\"h\",\"state\":\"processing\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_RUNNING);
    ck_assert_int_eq(parse(AIP_ELEVENLABS, "{\"history_item_id\":\"h\",\"state\":\"deleted\"}", 0), 0);
    ck_assert_int_eq(job.state, AIP_JOB_CANCELLED);
    ck_assert_int_eq(parse(AIP_ELEVENLABS, "{\"text\":\"no id\"}", 0), -1);
}
END_TEST

static void message(enum AIPProviderKind k, const char *body, const char *want_msg, const char *want_code)
{
    char msg[128], code[32];
    aip_error_message(k, body, strlen(body), msg, sizeof(msg), code, sizeof(code));
    ck_assert_str_eq(msg, want_msg);
    ck_assert_str_eq(code, want_code);
}

START_TEST(error_bodies)
{
    message(AIP_RUNWAY, "{\"error\":\"You do not have enough credits to run this task.\"}",
            "You do not have enough credits to run this task.", "");
    message(AIP_LUMA, "{\"detail\":\"Invalid API key provided\"}", "Invalid API key provided", "");
    message(AIP_KLING, "{\"code\":1303,\"message\":\"parallel task over resource pack limit\",\"request_id\":\"r\"}",
            "parallel task over resource pack limit", "1303");
    message(AIP_VEO, "{\"error\":{\"code\":429,\"message\":\"quota\",\"status\":\"RESOURCE_EXHAUSTED\"}}",
            "quota", "RESOURCE_EXHAUSTED");
    message(AIP_SORA, "{\"error\":{\"message\":\"Rate limit\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}",
            "Rate limit", "rate_limit_exceeded");
    message(AIP_HAILUO, "{\"base_resp\":{\"status_code\":1002,\"status_msg\":\"rate limit\"}}", "rate limit", "1002");
    message(AIP_ELEVENLABS, "{\"detail\":{\"type\":\"validation_error\",\"code\":\"invalid_parameters\",\"message\":\"bad\","
            "\"status\":\"invalid_parameters\"}}", "bad", "invalid_parameters");
    message(AIP_ELEVENLABS, "{\"detail\":{\"status\":\"quota_exceeded\",\"message\":\"quota\"}}", "quota", "quota_exceeded");
    message(AIP_ELEVENLABS, "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"field required\",\"type\":\"missing\"}]}",
            "field required", "");
    /* not JSON, an array, control characters made spaces, cut to fit */
    message(AIP_RUNWAY, "<html>502 Bad Gateway</html>", "", "");
    message(AIP_RUNWAY, "[1,2]", "", "");
    message(AIP_RUNWAY, "{\"error\":\"line one\\nline two\\u0007\"}", "line one line two ", "");
    char msg[8], code[4];
    aip_error_message(AIP_RUNWAY, "{\"error\":\"a long message\"}", 26, msg, sizeof(msg), code, sizeof(code));
    ck_assert_str_eq(msg, "a long ");

    ck_assert(aip_error_retryable(AIP_RUNWAY, 429, "", 0));
    ck_assert(aip_error_retryable(AIP_RUNWAY, 503, "", 0));
    ck_assert(aip_error_retryable(AIP_RUNWAY, 408, "", 0));
    ck_assert(!aip_error_retryable(AIP_RUNWAY, 400, "", 0));
    ck_assert(!aip_error_retryable(AIP_RUNWAY, 401, "", 0));
    ck_assert(!aip_error_retryable(AIP_RUNWAY, 404, "", 0));
    ck_assert(!aip_error_retryable(AIP_RUNWAY, 501, "", 0));
    static const char k1102[] = "{\"code\":1102,\"message\":\"resource pack exhausted\"}";
    static const char k1302[] = "{\"code\":1302,\"message\":\"rate limit\"}";
    ck_assert(!aip_error_retryable(AIP_KLING, 429, k1102, sizeof(k1102) - 1));
    ck_assert(aip_error_retryable(AIP_KLING, 429, k1302, sizeof(k1302) - 1));
    ck_assert(aip_error_moderated(AIP_KLING, "1301"));
    ck_assert(aip_error_moderated(AIP_HAILUO, "1027"));
    ck_assert(!aip_error_moderated(AIP_KLING, "1302"));
    ck_assert(!aip_error_moderated(AIP_RUNWAY, "1301"));
}
END_TEST

static void teardown(void)
{
    aip_job_free(&job);
}

int main(void)
{
    Suite *s = suite_create("provjson");
    TCase *tc = tcase_create("providers' JSON");

    aip_job_init(&job);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, runway);
    tcase_add_test(tc, luma);
    tcase_add_test(tc, kling);
    tcase_add_test(tc, veo);
    tcase_add_test(tc, sora);
    tcase_add_test(tc, hailuo);
    tcase_add_test(tc, elevenlabs);
    tcase_add_test(tc, error_bodies);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
