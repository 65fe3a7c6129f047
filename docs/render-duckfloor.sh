#!/bin/sh
# Renders the pictures of docs/duckfloor.md with the built ffmpeg and the
# test tools:  docs/render-duckfloor.sh   (after make check, which builds
# the tools). Two scenes, each 12 s at 48 kHz: a music bed (pink noise)
# under speech-like dialogue (tests/tools/speechgen), the bed's level
# before (grey) and after (blue) duckfloor.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${AIPOST_BIN:-$top/build/bin}
tools=${AIPOST_TOOLS:-$top/build/tests/tools}
ff="$bin/ffmpeg -hide_banner -nostdin -loglevel error -y"
img=$top/docs/img
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$img"

$ff -f lavfi -i "anoisesrc=c=pink:r=48000:a=0.12:d=12:seed=3,aformat=channel_layouts=stereo" \
    -f f32le "$work/music.f32"

scene() { # NAME NOISE_DBFS SPEECH_DBFS MARGIN
    "$tools/speechgen" 48000 12 "$2" "$3" 2.0-4.6,6.0-6.9,8.5-10.8 5 > "$work/$1.dlg"
    $ff -f f32le -ar 48000 -ac 2 -i "$work/music.f32" -f f32le -ar 48000 -ac 1 -i "$work/$1.dlg" \
        -filter_complex "[0:a][1:a]duckfloor=margin=$4,ametadata=mode=print:file=$work/$1.meta[o]" \
        -map "[o]" -f f32le "$work/$1.out"
    awk '/^frame:/ { split($3, a, ":"); t = a[2] }
         /noise_floor_db=/ { split($0, a, "="); print t, a[2] }' "$work/$1.meta" > "$work/$1.floor"
    "$tools/levelplot" 48000 "$work/music.f32" "$work/$1.out" "$work/$1.dlg" "$work/$1.floor" "$4" "$work/$1.ppm"
    $ff -i "$work/$1.ppm" "$img/duckfloor-$1.png"
}
# A clean voice: the duck goes the full 12 dB.
scene clean -62 -20 6
# A hissy generated voice (-50 dBFS floor): the duck stops 6 dB above it.
scene hiss -50 -20 6
echo "wrote $img/duckfloor-clean.png $img/duckfloor-hiss.png"
