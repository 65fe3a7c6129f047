#!/bin/sh
# Every fault the emulator injects, on every provider it applies to: 429
# with Retry-After (seconds and HTTP date), 5xx bursts and a dead API,
# slow, stalled and truncated responses, malformed and huge JSON, chunked
# framing, expired result URLs (once and always), redirects to the storage
# host, broken and stalled transfers, a storage host without ranges;
# failed, moderated, cancelled and missing jobs; Kling's and MiniMax's
# in-band errors; Sora's poll hint.
. "$(dirname "$0")/lib.sh"

emu_start

# ok_fault NAME PROVIDER SCENARIO [OPTIONS...]: the job plays frame-exact.
ok_fault() {
    _t=$1 _p=$2 _s=$3
    shift 3
    fetch "$_t" "$(url_of "$_p" "${_s}_$_p")" $(prov_opts "$_p" "$API") "$@"
    same_decode "$_t" "$(media_of "$_p")"
}

# bad_fault NAME PROVIDER SCENARIO PATTERN DESCRIPTION [OPTIONS...]: the
# open fails and the log says PATTERN (a grep -E expression).
bad_fault() {
    _t=$1 _p=$2 _s=$3 _pat=$4 _d=$5
    shift 5
    fetch "$_t" "$(url_of "$_p" "${_s}_$_p")" $(prov_opts "$_p" "$API") "$@"
    if [ "$rc" != 0 ] && grep -E "^\[$_p @" "$W/$_t.log" | grep -qE -- "$_pat"; then
        pass "$_t: $_d"
    else
        fail "$_t: $_d" "rc=$rc: $(grep -E "^\[$_p @" "$W/$_t.log" | grep -v ' GET ' | tail -2)"
    fi
}

for p in $PROVIDERS; do
    # 429 + Retry-After: 1 is waited for, although retry_delay is 0.05 s.
    ok_fault "${p}_r429" "$p" r429
    check "${p}_r429: Retry-After: 1 was honoured ($secs s)" "$secs >= 1.0" "$secs s"
    logged "${p}_r429" "HTTP 429" "the 429 is reported"
    logged "${p}_r429" "as Retry-After asks" "the pause is Retry-After's"

    # 500, 502, 503, then the job: retried with backoff.
    ok_fault "${p}_burst" "$p" burst5xx
    n=$(looks "$p" "burst5xx_$p")
    check "${p}_burst: three 5xx retried, then the job (4 looks)" "$n == 4" "$n looks"

    # The first body never comes: io_timeout, then a retry.
    ok_fault "${p}_stall" "$p" stall -io_timeout 1
    check "${p}_stall: a stalled response is given up after io_timeout (1 s) and retried ($secs s)" \
        "$secs >= 1.0 && $secs < 8" "$secs s"

    ok_fault "${p}_slow" "$p" slowjson
    check "${p}_slow: a body trickling in over 1.5 s is read whole ($secs s)" "$secs >= 1.3" "$secs s"

    ok_fault "${p}_trunc" "$p" truncjson
    logged "${p}_trunc" "retrying in" "a truncated body is retried"

    ok_fault "${p}_malformed" "$p" malformed
    logged "${p}_malformed" "malformed JSON (line" "malformed JSON is reported with its position and retried"

    ok_fault "${p}_chunked" "$p" chunked

    bad_fault "${p}_malformedall" "$p" malformedall "giving up after 3 attempt.*malformed JSON" \
        "JSON that stays malformed fails after the retries" -retries 2
    bad_fault "${p}_huge" "$p" hugejson "larger than 4 MiB; refusing it" "a 5 MiB JSON document is refused"
    n=$(looks "$p" "hugejson_$p")
    check "${p}_huge: and not retried" "$n == 1" "$n looks"
    bad_fault "${p}_dead" "$p" always5xx "giving up after 4 attempt.*HTTP 503" \
        "an API answering 503 fails after the retries, naming the status and message" -retries 3
    bad_fault "${p}_missing" "$p" missing "has no .*HTTP (404|400)|refused the request.*(not found|2013)" \
        "an unknown job fails with the provider's message"

    # Result URLs that expire: resolved again once; always: a clear error.
    ok_fault "${p}_expired" "$p" expired
    logged "${p}_expired" "asking the" "a refused result URL is resolved again from the job"
    bad_fault "${p}_expiredall" "$p" expiredall "the fresh result URL fails too \\(Server returned 40[34]" \
        "a result URL refused again after re-resolving fails clearly"

    # The result on the API host redirects to the storage host: the key
    # stays behind.
    ok_fault "${p}_redirect" "$p" redirect
    n=$(responses api "/" 302 | tr -d ' ')
    check "${p}_redirect: a 302 to the storage host was followed" "$n >= 1" "$n"
    no_key_in_log "${p}_redirect"

    # Transfers that break or stall halfway go on from their byte.
    ok_fault "${p}_truncmedia" "$p" truncmedia
    logged "${p}_truncmedia" "going on from there" "a transfer that breaks off goes on with a range request"
    ok_fault "${p}_stallmedia" "$p" stallmedia -io_timeout 1
    logged "${p}_stallmedia" "going on from there" "a transfer that stalls goes on after io_timeout"
done
storage_clean "every fault"

# Expired, counted: the storage host refused the first URL, the job was
# looked at again, the fresh URL played.
n403=$(responses storage "/store/" 403 | tr -d ' ')
check "expired: the storage host refused the expired URLs (403)" "$n403 >= 8" "$n403"
n=$(looks runway expired_runway)
check "runway_expired: the task was looked at again for a fresh URL (2 looks)" "$n == 2" "$n looks"
n=$(looks runway expiredall_runway)
check "runway_expiredall: and only once (2 looks)" "$n == 2" "$n looks"

# 429 with Retry-After as an HTTP date two seconds ahead.
ok_fault runway_r429date runway r429date
check "runway_r429date: Retry-After as an HTTP date was honoured ($secs s)" "$secs >= 1.0" "$secs s"

# Retry-After beyond the timeout: fail now rather than wait past it.
bad_fault runway_r429_timeout runway r429_t "asks to retry after 1.0 s is past the timeout" \
    "a Retry-After past the timeout fails at once, saying so" -timeout 0.5

# Failed, moderated, cancelled jobs: clear errors with the provider's words.
bad_fault runway_failed runway failed "failed \(FAILED\): The generation failed: an internal error occurred \[INTERNAL.BAD_OUTPUT.CODE01\]" \
    "a failed task says Runway's failure and failureCode"
bad_fault runway_moderated runway moderated "refused by the provider's moderation \(FAILED\): Your prompt was flagged.*\[SAFETY.INPUT.TEXT\]" \
    "SAFETY.* failure codes are moderation"
bad_fault runway_cancelled runway cancelled "was cancelled or deleted \(CANCELLED\)" "a cancelled task says so"
bad_fault luma_failed luma failed "failed \(failed\): Prompt processing failed" "a failed generation says Luma's failure_reason"
bad_fault luma_moderated luma moderated "moderation \(failed\): Advanced prompt moderation failed" \
    "Luma's moderation failure reasons are moderation"
bad_fault kling_failed kling failed "failed \(failed\): The task failed: generation error" "a failed task says Kling's task_status_msg"
bad_fault kling_moderated kling moderated "moderation \(HTTP 400: Failure to pass the risk control system \(1301\)\)" \
    "Kling's service code 1301 is moderation"
bad_fault veo_failed veo failed "failed \(done\): Video generation failed due to an internal error \[13\]" \
    "a failed operation says Google's error"
bad_fault veo_moderated veo moderated "moderation \(done\): The prompt could not be submitted" \
    "a finished operation whose samples were filtered is moderation, with the reason"
bad_fault sora_failed sora failed "failed \(failed\): Video generation failed \[internal_error\]" "a failed video says OpenAI's error"
bad_fault sora_moderated sora moderated "moderation \(failed\): Your request was blocked by our moderation system. \[moderation_blocked\]" \
    "OpenAI's moderation_blocked is moderation"
bad_fault hailuo_failed hailuo failed "failed \(Fail\)" "a failed MiniMax task says so"
bad_fault hailuo_moderated hailuo moderated "moderation \(error\): input new_sensitive \[1026\]" \
    "MiniMax's 1026 (input sensitive) is moderation"
bad_fault elevenlabs_deleted elevenlabs cancelled "was cancelled or deleted \(deleted\)" "a deleted history item says so"
for p in $PROVIDERS; do
    for s in failed moderated cancelled; do
        [ -f "$W/${p}_$s.log" ] || continue
        n=$(looks "$p" "${s}_$p")
        check "${p}_$s: not retried (1 look)" "$n == 1" "$n looks"
    done
done

# Kling's 429 with 1102 (resource pack exhausted) is not a rate limit.
bad_fault kling_arrears kling arrears "refused the request.*resource pack exhausted \(1102\)" \
    "Kling's 429 with code 1102 fails at once with its message"
n=$(looks kling arrears_kling)
check "kling_arrears: not retried (1 look)" "$n == 1" "$n looks"

# MiniMax's rate limit inside a 200 (base_resp 1002) is waited out.
ok_fault hailuo_rl1002 hailuo rl1002
logged hailuo_rl1002 "rate-limited (rate limit exceeded, please retry later [1002])" "MiniMax's 1002 inside a 200 is retried"

# Sora's openai-poll-after-ms sets the pause, over poll_interval.
ok_fault sora_pollhint sora pollhint
check "sora_pollhint: openai-poll-after-ms: 700 paced the looks (2 pauses, $secs s)" "$secs >= 1.4" "$secs s"

# A storage host without ranges: the transfer cannot seek to the index at
# the end of the MP4 and go back, and says so (cache_dir is the way: see
# test_cache); nothing is made up.
fetch runway_noranges "runway://noranges_s" $(prov_opts runway "$API")
check "runway_noranges: a moov-at-end MP4 without ranges fails rather than play wrong" "$rc != 0" "rc=$rc"
logged runway_noranges "serves no range requests" "and the log says why, and that cache_dir= helps"

storage_clean "all of test_faults"
