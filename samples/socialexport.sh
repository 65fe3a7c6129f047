#!/bin/sh
# A full social export with socialprep: the filter reframes and prepares
# the picture, and the encoder settings it logs for the preset (codec,
# profile, level, bitrate above the platform's recommendation, GOP, colour
# tags, audio) are the ones used to encode.
#
#   samples/socialexport.sh INPUT PRESET OUTPUT.mp4 [SOCIALPREP_OPTIONS]
#   e.g. samples/socialexport.sh clip.mov tiktok clip_tiktok.mp4 reframe=fit
#
# SOCIALEXPORT_ARGS: more ffmpeg output options, after the logged ones
# (e.g. "-preset veryfast" for a draft).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${AIPOST_BIN:-$top/build/bin}
in=${1:?usage: socialexport.sh INPUT PRESET OUTPUT [SOCIALPREP_OPTIONS]}
preset=${2:?usage: socialexport.sh INPUT PRESET OUTPUT [SOCIALPREP_OPTIONS]}
out=${3:?usage: socialexport.sh INPUT PRESET OUTPUT [SOCIALPREP_OPTIONS]}
opts=preset=$preset${4:+:$4}

# What socialprep recommends for this preset (it logs it when configured).
settings=$("$bin/ffmpeg" -hide_banner -nostdin -f lavfi -i "testsrc2=s=320x180:d=0.04" \
    -vf "socialprep=$opts" -f null - 2>&1 | sed -n 's/.*encoder settings for [^:]*: //p' | head -n 1)
[ -n "$settings" ] || { echo "socialexport: socialprep=$opts logged no encoder settings" >&2; exit 1; }

audio=
"$bin/ffprobe" -v error -select_streams a -show_entries stream=index -of csv=p=0 "$in" | grep -q . || audio=-an

echo "socialexport: socialprep=$opts, then $settings ${SOCIALEXPORT_ARGS:-}"
# shellcheck disable=SC2086 # the settings are a list of options
"$bin/ffmpeg" -hide_banner -nostdin -loglevel warning -y -i "$in" -map 0:v:0 -map '0:a:0?' \
    -vf "socialprep=$opts" $settings $audio ${SOCIALEXPORT_ARGS:-} "$out"
echo "socialexport: wrote $out"
