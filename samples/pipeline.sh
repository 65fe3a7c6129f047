#!/bin/sh
# The aipost sample pipeline on bundled media (samples/media): a still made
# into a moving "generated" clip, finished with the suite's filters, encoded
# for delivery, with before/after stills to compare.
#
#   samples/pipeline.sh [OUTDIR]        default build/out/demo
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${AIPOST_BIN:-$top/build/bin}
ff="$bin/ffmpeg -hide_banner -nostdin -loglevel error -y"
out=${1:-$top/build/out/demo}
media=$top/samples/media
mkdir -p "$out"

# A 4-second 1080p clip: a slow push-in on the astronaut portrait, the kind
# of smooth, grainless picture generators produce.
$ff -loop 1 -framerate 25 -t 4 -i "$media/astronaut.png" \
    -vf "scale=1920:-2,crop=1920:1080:0:200,zoompan=z='1+0.0015*on':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=1920x1080:fps=25,format=yuv420p,setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv" \
    -c:v libx264 -preset veryfast -crf 12 "$out/generated.mp4"

# Finishing: the "unity" grain layer (overlay, film-like size and strength).
$ff -i "$out/generated.mp4" -vf "aigrain=strength=4:size=1.5" \
    -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p "$out/finished.mp4"

# Before/after stills of frame 50, cropped on the face at 1:1.
$ff -ss 2 -i "$out/generated.mp4" -frames:v 1 -vf "crop=640:360:640:100" "$out/before.png"
$ff -ss 2 -i "$out/finished.mp4" -frames:v 1 -vf "crop=640:360:640:100" "$out/after.png"

echo "aipost demo:"
echo "  generated clip : $out/generated.mp4"
echo "  finished clip  : $out/finished.mp4"
echo "  before / after : $out/before.png  $out/after.png"
