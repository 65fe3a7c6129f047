#!/bin/sh
# cache_dir: the fetched bytes land in a temporary file renamed without
# replacing anything (a new name on conflict), a JSON record beside it
# (provider, id, model, prompt, created/fetched, result host, size,
# sha256), a line in the provenance log; the second open is served from the
# cache without a request; no cached file is ever overwritten, whatever
# happens (tampered copies, names taken, two fetches at once, broken
# transfers, failures).
. "$(dirname "$0")/lib.sh"

emu_start

PROJ=$W/project
CACHE=$PROJ/03_Generations/v1_exploration
LOGF=$CACHE/provenance.log
SEEN=$W/seen.txt      # path and sha256 of every file the cache ever held
: > "$SEEN"

# snapshot NAME: no file seen before has changed; remember the new ones.
snapshot() {
    _bad=$(python3 - "$CACHE" "$SEEN" <<'EOF'
import hashlib, os, sys
cache, seen_path = sys.argv[1], sys.argv[2]
seen = {}
for line in open(seen_path):
    p, h = line.rstrip("\n").rsplit(" ", 1)
    seen[p] = h
bad = []
now = {}
for root, _, files in os.walk(cache):
    for f in files:
        p = os.path.join(root, f)
        now[p] = hashlib.sha256(open(p, "rb").read()).hexdigest()
for p, h in seen.items():
    if p.endswith("provenance.log"):
        if p not in now:
            bad.append("%s gone" % p)
        continue
    if p not in now:
        bad.append("%s gone" % p)
    elif now[p] != h:
        bad.append("%s changed" % p)
with open(seen_path, "w") as f:
    for p, h in sorted({**seen, **now}.items()):
        f.write("%s %s\n" % (p, h))
print("; ".join(bad))
EOF
)
    if [ -z "$_bad" ]; then pass "$1: no cached file was overwritten or removed"; else fail "$1: no cached file was overwritten or removed" "$_bad"; fi
}

# record FILE KEY: a value of the JSON record (python repr for non-strings).
record() {
    python3 -c '
import json, sys
v = json.load(open(sys.argv[1])).get(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

total() { wc -l < "$EMU/requests.jsonl" | tr -d ' '; }

sha() { sha256sum "$1" | cut -d' ' -f1; }

# Every provider through the cache, into the project's usual layout.
for p in $PROVIDERS; do
    t=${p}_cache
    fetch "$t" "$(url_of "$p" ok_c)" $(prov_opts "$p" "$API") -cache_dir "$CACHE"
    same_decode "$t" "$(media_of "$p")"
    stem=$(echo "${p}_$( [ $p = kling ] && echo text2video_ok_c || { [ $p = veo ] && echo models_veo-3.1-generate-preview_operations_ok_c || echo ok_c; })")
    ext=mp4
    [ $p = elevenlabs ] && ext=mp3
    rec=$CACHE/$stem.json
    media=$CACHE/$stem.$ext
    if [ -s "$media" ] && [ -s "$rec" ]; then
        pass "$t: kept as $stem.$ext with its record $stem.json"
    else
        fail "$t: kept as $stem.$ext with its record $stem.json" "$(ls "$CACHE")"
        continue
    fi
    same_file "$t: the kept file is the served file, byte for byte" "$(media_of "$p")" "$media"
    check "$t: the record's sha256 is the file's" "\"$(record "$rec" sha256)\" == \"$(sha "$media")\""
    check "$t: the record's size is the file's" "$(record "$rec" size) == $(wc -c < "$media")"
    check "$t: the record names provider, id and file" \
        "\"$(record "$rec" provider)\" == \"$p\" && \"$(record "$rec" file)\" == \"$stem.$ext\"" \
        "$(record "$rec" provider) $(record "$rec" file)"
    check "$t: the result host is recorded (not the signed URL)" \
        "\"$(record "$rec" result_host)\" == \"$( case $p in veo|sora|elevenlabs) echo 127.0.0.1 ;; *) echo localhost ;; esac)\"" \
        "$(record "$rec" result_host)"
    fetched=$(record "$rec" fetched)
    now=$(date -u +%Y-%m-%dT%H)
    case $fetched in "$now"*) pass "$t: fetched time is now, ISO 8601 UTC ($fetched)" ;;
        *) fail "$t: fetched time is now, ISO 8601 UTC" "$fetched" ;; esac
    # The generation time: ms where the API gives them.
    case $p in
        runway|luma|kling|veo) want=2024-11-15T03:34:51.751Z ;;
        *) want=2024-11-15T03:34:51Z ;;
    esac
    check "$t: the generation time is kept ($want)" "\"$(record "$rec" created)\" == \"$want\"" "$(record "$rec" created)"
    mt=$(date -u -r "$media" +%Y-%m-%dT%H:%M:%S)
    check "$t: the file's time is the generation's" "\"$mt\" == \"2024-11-15T03:34:51\"" "$mt"
    if grep -qF "sig=" "$rec"; then
        fail "$t: the signed result URL is not in the record" "sig= in $rec"
    else
        pass "$t: the signed result URL is not in the record"
    fi
    line=$(grep -F "	$p	" "$LOGF" | tail -1)
    case $line in
        *"$stem.$ext	$(wc -c < "$media" | tr -d ' ')	$(sha "$media")"*) pass "$t: a provenance line with file, size and sha256" ;;
        *) fail "$t: a provenance line with file, size and sha256" "$line" ;;
    esac

    # The second open: from the cache, no request at all.
    before=$(total)
    fetch "${t}2" "$(url_of "$p" ok_c)" $(prov_opts "$p" "$API") -cache_dir "$CACHE"
    after=$(total)
    same_decode "${t}2" "$(media_of "$p")"
    check "${t}2: the second open makes no request" "$before == $after" "$before -> $after requests"
    logged "${t}2" "from the cache: $media (SHA-256 checked)" "the second open says it is served from the cache"
    snapshot "$t"
done

# What each provider's record says about the generation.
r() { record "$CACHE/$1.json" "$2"; }
check "luma record: model and prompt from the request echo" \
    "\"$(r luma_ok_c model)\" == \"ray-2\" && \"$(r luma_ok_c prompt)\" == \"a slow dolly shot across a misty harbour at dawn, 35mm\""
check "sora record: model and prompt" "\"$(r sora_ok_c model)\" == \"sora-2\" && \"$(r sora_ok_c prompt)\" == \"a paper boat drifting down a rain gutter, macro lens\""
check "elevenlabs record: model and the text as prompt" \
    "\"$(r elevenlabs_ok_c model)\" == \"eleven_multilingual_v2\" && \"$(r elevenlabs_ok_c prompt)\" == \"Every frame you see was generated; every sound was mixed by hand.\""
check "veo record: the model from the operation name" "\"$(r veo_models_veo-3.1-generate-preview_operations_ok_c model)\" == \"veo-3.1-generate-preview\""
check "runway record: no prompt or model (the API does not return them)" "\"$(r runway_ok_c prompt)\" == \"null\" && \"$(r runway_ok_c model)\" == \"null\""
pf() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["provider_fields"][sys.argv[2]])' "$CACHE/$1.json" "$2"; }
check "hailuo record: MiniMax's file name and size" "\"$(pf hailuo_ok_c filename)\" == \"output_aigc.mp4\" && $(pf hailuo_ok_c bytes) == $(wc -c < "$PMEDIA/video.mp4")"
check "kling record: the external task id and duration" "\"$(pf kling_text2video_ok_c external_task_id)\" == \"ext-ok_c\" && \"$(pf kling_text2video_ok_c duration)\" == \"5.1\""
check "elevenlabs record: the voice" "\"$(pf elevenlabs_ok_c voice_name)\" == \"Rachel\""
check "luma record: resolution and duration" "\"$(pf luma_ok_c resolution)\" == \"720p\" && \"$(pf luma_ok_c duration)\" == \"5s\""
leak=
for k in $ALL_KEYS; do grep -rqF -- "$k" "$CACHE" && leak="$leak ${k%"${k#????????}"}..."; done
check "no credential in any record or the provenance log" "\"$leak\" == \"\"" "$leak"
n=$(grep -c '^# aipost provenance log' "$LOGF")
check "the provenance log has its header once" "$n == 1" "$n"
n=$(grep -vc '^#' "$LOGF")
check "the provenance log has one line per fetch (7)" "$n == 7" "$n"
cols=$(grep -v '^#' "$LOGF" | awk -F'\t' '{ print NF }' | sort -u | tr '\n' ' ')
check "every provenance line has its 9 tab-separated fields" "\"$cols\" == \"9 \"" "$cols"

# A tampered copy is not served: the generation is fetched again under a
# new name and the tampered file stays as it is.
printf 'x' >> "$CACHE/runway_ok_c.mp4"
tampered=$(sha "$CACHE/runway_ok_c.mp4")
: > "$SEEN.tmp" && grep -v 'runway_ok_c.mp4 ' "$SEEN" > "$SEEN.tmp"; mv "$SEEN.tmp" "$SEEN"
snapshot "after tampering (baseline)"
fetch runway_tampered runway://ok_c $(prov_opts runway "$API") -cache_dir "$CACHE"
same_decode runway_tampered "$PMEDIA/video.mp4"
logged runway_tampered "does not match its record" "a copy that does not match its record is not served"
check "runway_tampered: fetched again as runway_ok_c_1.mp4" "$( [ -s "$CACHE/runway_ok_c_1.mp4" ] && [ -s "$CACHE/runway_ok_c_1.json" ] && echo 1 || echo 0) == 1"
check "runway_tampered: the tampered file is left as it was" "\"$(sha "$CACHE/runway_ok_c.mp4")\" == \"$tampered\""
snapshot runway_tampered
# and the next open finds the good copy (the second record).
before=$(total)
fetch runway_tampered2 runway://ok_c $(prov_opts runway "$API") -cache_dir "$CACHE"
check "runway_tampered2: the good copy is served from the cache" "$before == $(total)"
same_decode runway_tampered2 "$PMEDIA/video.mp4"

# A name taken by another file (no record): a new name, the file untouched.
echo "not a generation" > "$CACHE/luma_taken.mp4"
snapshot "a foreign file (baseline)"
fetch luma_taken luma://done_taken $(prov_opts luma "$API") -cache_dir "$CACHE"
same_decode luma_taken "$PMEDIA/video.mp4"
check "luma_taken: kept as luma_done_taken.mp4" "$( [ -s "$CACHE/luma_done_taken.mp4" ] && echo 1 || echo 0) == 1"
echo "occupied" > "$CACHE/luma_done_taken2.mp4"
fetch luma_taken2 luma://done_taken2 $(prov_opts luma "$API") -cache_dir "$CACHE"
same_decode luma_taken2 "$PMEDIA/video.mp4"
check "luma_taken2: a media name already taken gives the next name (_1)" \
    "$( [ -s "$CACHE/luma_done_taken2_1.mp4" ] && [ "$(cat "$CACHE/luma_done_taken2.mp4")" = occupied ] && echo 1 || echo 0) == 1"
snapshot luma_taken

# Two fetches of one generation at once: both succeed, two copies, none
# overwritten, two provenance lines.
lines0=$(grep -vc '^#' "$LOGF")
( fetch race_a sora://done_race $(prov_opts sora "$API") -cache_dir "$CACHE"; echo $rc > "$W/race_a.rc" ) &
race_a=$!
( fetch race_b sora://done_race $(prov_opts sora "$API") -cache_dir "$CACHE"; echo $rc > "$W/race_b.rc" ) &
race_b=$!
wait $race_a $race_b
rc=$(cat "$W/race_a.rc"); same_decode race_a "$PMEDIA/video.mp4"
rc=$(cat "$W/race_b.rc"); same_decode race_b "$PMEDIA/video.mp4"
n=$(ls "$CACHE" | grep -c '^sora_done_race.*\.mp4$')
m=$(ls "$CACHE" | grep -c '^sora_done_race.*\.json$')
lines1=$(grep -vc '^#' "$LOGF")
# One may find the other's finished copy in the cache: one or two copies,
# as many records, one line per fetch made.
check "race: one record per kept copy (1 or 2)" "$n == $m && $n >= 1 && $n <= 2" "$n files, $m records"
check "race: one provenance line per copy" "$lines1 - $lines0 == $n" "$((lines1 - lines0)) lines"
snapshot race

# Transfers that break or stall are completed with range requests: the
# kept file is whole.
for s in truncmedia stallmedia; do
    for p in runway veo; do
        t=${p}_cache_$s
        fetch "$t" "$(url_of "$p" "${s}_c")" $(prov_opts "$p" "$API") -cache_dir "$CACHE" -io_timeout 1
        same_decode "$t" "$PMEDIA/video.mp4"
        logged "$t" "going on from there" "the broken transfer goes on from its byte"
        f=$(ls "$CACHE"/${p}_*${s}_c.mp4 2>/dev/null | head -1)
        same_file "$t: the kept file is whole" "$PMEDIA/video.mp4" "$f"
    done
done

# A storage host without ranges: the cache fetches the file whole first,
# so the moov-at-end MP4 plays (streaming it cannot: see test_faults).
fetch runway_cache_noranges runway://noranges_c $(prov_opts runway "$API") -cache_dir "$CACHE"
same_decode runway_cache_noranges "$PMEDIA/video.mp4"

# Nothing is kept from a fetch that fails: no file, no record, no
# temporary file, no provenance line.
lines0=$(grep -vc '^#' "$LOGF")
for s in expiredall failed; do
    fetch "runway_cache_$s" "runway://${s}_c" $(prov_opts runway "$API") -cache_dir "$CACHE"
    check "runway_cache_$s: fails" "$rc != 0"
done
left=$(ls -A "$CACHE" | grep -cE '^(runway_(expiredall|failed)_c|\.aipost-)')
check "a failed fetch leaves no file, record or temporary file" "$left == 0" "$(ls -A "$CACHE" | grep -E '^(runway_(expiredall|failed)_c|\.aipost-)')"
check "a failed fetch adds no provenance line" "$(grep -vc '^#' "$LOGF") == $lines0"
snapshot "failed fetches"

# A cache_dir that cannot be written: a clear error, before any request.
mkdir -p "$W/ro"
chmod 555 "$W/ro"
if [ "$(id -u)" != 0 ]; then
    fetch ro runway://done_ro $(prov_opts runway "$API") -cache_dir "$W/ro/cache"
    check "ro: an unwritable cache_dir fails" "$rc != 0"
    logged ro "cannot make cache_dir" "and names it"
else
    # root writes anywhere: a cache_dir under a file fails instead.
    echo x > "$W/ro/file"
    chmod 755 "$W/ro"
    fetch ro runway://done_ro $(prov_opts runway "$API") -cache_dir "$W/ro/file/cache"
    check "ro: a cache_dir that cannot be made fails" "$rc != 0"
    logged ro "cannot make cache_dir $W/ro/file/cache" "and names it"
fi

# An explicit provenance_log elsewhere (the project's root).
fetch runway_plog runway://done_plog $(prov_opts runway "$API") -cache_dir "$CACHE" -provenance_log "$PROJ/provenance.log"
same_decode runway_plog "$PMEDIA/video.mp4"
check "provenance_log= takes the line" "$(grep -c 'done_plog' "$PROJ/provenance.log") == 1 && $(grep -c 'done_plog' "$LOGF") == 0"

snapshot "the whole suite"
storage_clean "all of test_cache"
