#!/bin/sh
# duckfloor beside the stock FFmpeg way of ducking music under dialogue,
# in one run: sidechaincompress with the dialogue as the sidechain.
# 300 s of 48 kHz stereo music (pink noise) and mono speech-like dialogue
# over a hiss floor are written once to WAV; each case is the best of
# REPEAT whole ffmpeg runs, minus the same command with the filter replaced
# by one that only takes the music (so decoding the stems drops out).
# Prints the time per second of audio, real-time factors and the ratio.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
FF=${AIPOST_BIN:-$top/build/bin}/ffmpeg
TOOLS=${AIPOST_TOOLS:-$top/build/tests/tools}
REPEAT=${REPEAT:-5}
SECONDS_AUDIO=300
out=$top/build/bench
mkdir -p "$out"

music=$out/duck_music.wav
voice=$out/duck_voice.wav
[ -s "$music" ] || "$FF" -hide_banner -nostdin -loglevel error -y -f lavfi \
    -i "anoisesrc=c=pink:r=48000:a=0.2:d=$SECONDS_AUDIO:seed=1,aformat=channel_layouts=stereo" \
    -c:a pcm_f32le "$music"
if [ ! -s "$voice" ]; then
    spans=$(awk -v d=$SECONDS_AUDIO 'BEGIN { for (t = 1; t + 4 < d; t += 7) printf "%s%d-%d", (t > 1 ? "," : ""), t, t + 4 }')
    "$TOOLS/speechgen" 48000 $SECONDS_AUDIO -60 -20 "$spans" 1 > "$out/duck_voice.f32"
    "$FF" -hide_banner -nostdin -loglevel error -y -f f32le -ar 48000 -ac 1 -i "$out/duck_voice.f32" \
        -c:a pcm_f32le "$voice"
    rm -f "$out/duck_voice.f32"
fi

now() { date +%s%N; }
best() {
    b=
    i=0
    while [ $i -lt "$REPEAT" ]; do
        t0=$(now)
        "$FF" -hide_banner -nostdin -loglevel error -i "$music" -i "$voice" -filter_complex "$1" \
            -f null - || { echo "bench: ffmpeg failed: $1" >&2; exit 1; }
        t=$(( ($(now) - t0) / 1000000 ))
        if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
        i=$((i + 1))
    done
    echo "$b"
}

base=$(best "[1:a]anullsink;[0:a]anull")
ours=$(best "[0:a][1:a]duckfloor")
stock=$(best "[0:a][1:a]sidechaincompress=threshold=0.05:ratio=4:attack=40:release=500")

awk -v s=$SECONDS_AUDIO -v b="$base" -v o="$ours" -v k="$stock" 'BEGIN {
    o = o - b; k = k - b
    if (o < 1) o = 1
    if (k < 1) k = 1
    printf "stereo 48k  duckfloor %.3f ms/s (%.0fx real time)  sidechaincompress %.3f ms/s (%.0fx real time)\n", o / s, s * 1000 / o, k / s, s * 1000 / k
    printf "stereo 48k  duckfloor/sidechaincompress = %.2f (goal <= 2)\n", o / k
}'
