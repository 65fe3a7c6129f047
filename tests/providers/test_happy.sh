#!/bin/sh
# Every provider's happy path against the emulator, over HTTP and HTTPS:
# the job polled through its documented states until it is finished, the
# result streamed through FFmpeg's http/https with range requests (the MP4's
# index is at its end), decoded frame-exact as the served file; no
# credential in the debug log nor on the storage host. Kling's two API
# standards, results by index, wait=0, timeout.
. "$(dirname "$0")/lib.sh"

emu_start

# The served MP4 has its index at the end, so playing it needs a seek.
moov_last=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
print(1 if d.find(b"mdat") < d.find(b"moov") else 0)' "$PMEDIA/video.mp4")
check "the served MP4 has its moov after its mdat (no faststart)" "$moov_last == 1"

for p in $PROVIDERS; do
    for origin in "$API" "$API_TLS"; do
        case $origin in https:*) t=${p}_https id=ok_tls ;; *) t=$p id=ok_plain ;; esac
        fetch "$t" "$(url_of "$p" "$id")" $(prov_opts "$p" "$origin")
        same_decode "$t" "$(media_of "$p")"
        no_key_in_log "$t"
        n=$(looks "$p" "$id")
        check "$t: polled through its states: pending, running, finished (3 looks)" "$n == 3" "$n looks"
    done
done
logged runway "is THROTTLED" "Runway's THROTTLED counts as pending"
logged runway "is RUNNING, 42 %" "progress of a running task is shown"
logged luma "is dreaming" "Luma's dreaming is running"
logged sora "is in_progress, 40 %" "Sora's progress (percent) is shown"
storage_clean "every happy path"

# Range requests: the mov demuxer seeks to the index at the end and back.
ranged=$(python3 - "$EMU/requests.jsonl" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("status") == 206 and (e.get("start") or 0) > 0:
        n += 1
print(n)
EOF
)
check "the result is read with range requests (206 from an offset > 0)" "$ranged >= 14" "$ranged ranged responses"
tls_storage=$(python3 - "$EMU/requests.jsonl" <<'EOF'
import json, sys
print(sum(1 for l in open(sys.argv[1]) if '"srv": "storage"' in l and '"tls": true' in l))
EOF
)
check "over HTTPS the storage host is reached over HTTPS too (verified with ca_file)" "$tls_storage >= 3" "$tls_storage"

# Veo, Sora, ElevenLabs: the bytes come from the API host itself, with the
# key (the only host it goes to), through aipost's own client.
for p in veo sora elevenlabs; do
    n=$(python3 - "$EMU/requests.jsonl" "$p" <<'EOF'
import json, sys
paths = {"veo": "/v1beta/files/", "sora": "/content", "elevenlabs": "/audio"}
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("srv") == "api" and paths[sys.argv[2]] in e.get("path", "") and "headers" in e \
            and e["headers"].get("Range", "").startswith("bytes="):
        n += 1
print(n)
EOF
)
    check "$p: the API host's content is read with range requests" "$n >= 2" "$n ranged requests"
done

# Kling's new standard: GET /tasks?task_ids=, a static key, outputs of
# several types (the video is picked, not the cover image).
fetch kling_new "kling://tasks/ok_new" $(prov_opts kling "$API")
same_decode kling_new "$PMEDIA/video.mp4"
n=$(requests api "/tasks?task_ids=ok_new" | tr -d ' ')
check "kling_new: the new standard's task query is used" "$n == 3" "$n"
auth=$(python3 - "$EMU/requests.jsonl" "$KLING_API_KEY" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "task_ids=ok_new" in e.get("path", "") and "headers" in e:
        print("static" if e["headers"].get("Authorization") == "Bearer " + sys.argv[2] else "other")
        break
EOF
)
check "kling_new: with KLING_API_KEY set, the new standard gets the static key" "\"$auth\" == \"static\"" "$auth"
# The legacy query got a JWT the emulator verified (HS256 with the secret key).
jwt=$(python3 - "$EMU/requests.jsonl" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "/v1/videos/text2video/ok_plain" in e.get("path", "") and "headers" in e:
        a = e["headers"].get("Authorization", "")
        print(len(a.split(".")) == 3 and a.startswith("Bearer ey"))
        break
EOF
)
check "kling: the legacy query is authorised by a JWT (three base64url parts)" "\"$jwt\" == \"True\"" "$jwt"

# Several results: index picks one; out of range says how many there are.
for p in runway kling veo; do
    fetch "${p}_index1" "$(url_of "$p" multi_i1)" $(prov_opts "$p" "$API") -index 1
    same_decode "${p}_index1" "$PMEDIA/video2.mp4"
    fetch "${p}_index0" "$(url_of "$p" multi_i0)" $(prov_opts "$p" "$API")
    same_decode "${p}_index0" "$PMEDIA/video.mp4"
    fetch "${p}_index2" "$(url_of "$p" multi_i2)" $(prov_opts "$p" "$API") -index 2
    if [ "$rc" != 0 ] && grep -q "index=2: the .* has 2 " "$W/${p}_index2.log"; then
        pass "${p}_index2: index out of range fails naming how many results there are"
    else
        fail "${p}_index2: index out of range fails naming how many results there are" "rc=$rc"
    fi
done

# wait=0: a finished job plays, an unfinished one fails at once (one look).
for p in $PROVIDERS; do
    fetch "${p}_wait0_done" "$(url_of "$p" done_w0)" $(prov_opts "$p" "$API") -wait 0
    same_decode "${p}_wait0_done" "$(media_of "$p")"
    fetch "${p}_wait0" "$(url_of "$p" ok_w0)" $(prov_opts "$p" "$API") -wait 0 -poll_interval 5
    n=$(looks "$p" ok_w0)
    if [ "$rc" != 0 ] && grep -q "is not finished (.*) and wait=0" "$W/${p}_wait0.log" && [ "$n" = 1 ]; then
        pass "${p}_wait0: an unfinished job with wait=0 fails at the first look"
    else
        fail "${p}_wait0: an unfinished job with wait=0 fails at the first look" "rc=$rc looks=$n"
    fi
done

# timeout bounds the wait, and the error says the last state.
fetch runway_timeout "runway://never_t" $(prov_opts runway "$API") -timeout 1.5 -poll_interval 0.2
if [ "$rc" != 0 ] && grep -q "is still RUNNING, 42 % after .* timeout=1.5 s reached" "$W/runway_timeout.log"; then
    pass "runway_timeout: a job that never finishes fails at timeout with its last state"
else
    fail "runway_timeout: a job that never finishes fails at timeout with its last state" "rc=$rc"
fi
check "runway_timeout: gave up at the timeout, after a last look there ($secs s)" "$secs >= 1.45 && $secs < 4" "$secs s"
n=$(looks runway never_t)
check "runway_timeout: the pause grows from poll_interval (0.2, 0.3, 0.45 s, then what is left: 5 looks in 1.5 s)" \
    "$n == 5" "$n looks"

storage_clean "all of test_happy"
