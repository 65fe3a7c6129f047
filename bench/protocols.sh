#!/bin/sh
# The provider protocols beside stock FFmpeg reading the same bytes, in one
# run, against the test emulator (tests/providers/emulator.py) on this
# machine: a 20 s MP4 with its index at the end, remuxed to null (-c copy),
# so the cost is the transfer and the seeks, not decoding.
#
#   runway:// (job look + FFmpeg's http on the storage host)
#       vs  ffmpeg -i http://STORAGE/...            (the same signed URL)
#   veo://    (job look + aipost's own client on the API host, with the key)
#       vs  ffmpeg -headers "x-goog-api-key: ..." -i http://API/v1beta/files/...:download
#
# Each case is the best of REPEAT whole ffmpeg runs; prints the times and
# the ratios. The emulator (Python) serves both sides alike; the figures
# say what the protocols add over the stock http protocol, not what a CDN
# gives.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
FF=${AIPOST_BIN:-$top/build/bin}/ffmpeg
REPEAT=${REPEAT:-5}
out=$top/build/bench/protocols
mkdir -p "$out/media" "$out/emu"

media=$out/media/video.mp4
[ -s "$media" ] || "$FF" -hide_banner -nostdin -loglevel error -y -loop 1 -framerate 24 \
    -i "$top/samples/media/coffee.png" -t 20 \
    -vf "scale=640:480,noise=alls=20:allf=t,format=yuv420p" -c:v mpeg4 -q:v 3 -g 48 "$media"
size=$(wc -c < "$media")

rm -f "$out/emu/ports.json"
python3 "$top/tests/providers/emulator.py" --state "$out/emu" --media "$out/media" 2> "$out/emu/stderr" &
emu=$!
trap 'kill $emu 2>/dev/null; wait $emu 2>/dev/null' EXIT INT TERM
i=0
while [ ! -s "$out/emu/ports.json" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "bench: the emulator did not start" >&2; exit 1; }
    sleep 0.1
done
eval "$(python3 "$top/tests/providers/emulator.py" --keys)"
export RUNWAYML_API_SECRET GEMINI_API_KEY
api=http://127.0.0.1:$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_http"])' "$out/emu/ports.json")

# The URLs the jobs give out, for the stock side.
urls=$(python3 - "$api" "$RUNWAYML_API_SECRET" "$GEMINI_API_KEY" <<'EOF'
import json, sys, urllib.request
api, rk, gk = sys.argv[1:4]
r = urllib.request.Request(api + "/v1/tasks/done_bench", headers={"Authorization": "Bearer " + rk, "X-Runway-Version": "2024-11-06"})
print(json.load(urllib.request.urlopen(r))["output"][0])
r = urllib.request.Request(api + "/v1beta/models/veo-3.1-generate-preview/operations/done_bench", headers={"x-goog-api-key": gk})
print(json.load(urllib.request.urlopen(r))["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"])
EOF
)
storage_url=$(echo "$urls" | sed -n 1p)
files_url=$(echo "$urls" | sed -n 2p)

now() { date +%s%N; }
# best NAME ARGS...: the best time (ms) of REPEAT runs of ffmpeg ARGS -c copy -f null -
best() {
    b=
    n=0
    while [ $n -lt "$REPEAT" ]; do
        t0=$(now)
        "$FF" -hide_banner -nostdin -loglevel error "$@" -map 0 -c copy -f null - ||
            { echo "bench: ffmpeg failed: $*" >&2; exit 1; }
        t=$(( ($(now) - t0) / 1000000 ))
        [ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
        n=$((n + 1))
    done
    echo "$b"
}

opts="-api_base $api -poll_interval 0.05"
stock_http=$(best -i "$storage_url")
runway=$(best $opts -i runway://done_bench)
stock_key=$(best -headers "x-goog-api-key: $GEMINI_API_KEY" -i "$files_url")
veo=$(best $opts -i veo://models/veo-3.1-generate-preview/operations/done_bench)

awk -v s="$size" -v a="$stock_http" -v b="$runway" -v c="$stock_key" -v d="$veo" -v r="$REPEAT" 'BEGIN {
    printf "protocols: %.1f MB MP4 (moov at the end) remuxed to null, best of %d runs\n", s / 1e6, r
    printf "  stock http, signed storage URL       %6d ms  %7.1f MB/s\n", a, s / 1e3 / a
    printf "  runway:// (look + FFmpeg http)       %6d ms  %7.1f MB/s   ratio %.2f\n", b, s / 1e3 / b, b / a
    printf "  stock http + key header, API host    %6d ms  %7.1f MB/s\n", c, s / 1e3 / c
    printf "  veo:// (look + aipost client)        %6d ms  %7.1f MB/s   ratio %.2f\n", d, s / 1e3 / d, d / c
}'
