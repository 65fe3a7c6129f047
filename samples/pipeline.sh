#!/bin/sh
# The aipost sample pipeline on bundled media (samples/media): a still made
# into a moving "generated" clip, finished with the suite's filters, encoded
# for delivery, with before/after stills to compare.
#
#   samples/pipeline.sh [OUTDIR]        default build/out/demo
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${AIPOST_BIN:-$top/build/bin}
tools=${AIPOST_TOOLS:-$top/build/tests/tools}
ff="$bin/ffmpeg -hide_banner -nostdin -loglevel error -y"
out=${1:-$top/build/out/demo}
media=$top/samples/media
mkdir -p "$out"

# A 4-second 1080p clip: a slow push-in on the astronaut portrait, the kind
# of smooth, grainless picture generators produce.
$ff -loop 1 -framerate 25 -t 4 -i "$media/astronaut.png" \
    -vf "scale=1920:-2,crop=1920:1080:0:200,zoompan=z='1+0.0015*on':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=1920x1080:fps=25,format=yuv420p,setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv" \
    -c:v libx264 -preset veryfast -crf 12 "$out/generated.mp4"

# The soundtrack's stems: a music bed (a soft chord over pink noise) and a
# generated voice with the hiss such voices carry (tests/tools/speechgen:
# speech-like phrases over a -50 dBFS floor).
$ff -f lavfi -i "aevalsrc=0.05*sin(2*PI*220*t)+0.04*sin(2*PI*277.2*t)+0.03*sin(2*PI*329.6*t):s=48000:d=4" \
    -f lavfi -i "anoisesrc=c=pink:r=48000:a=0.05:d=4:seed=2" \
    -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0,aformat=channel_layouts=stereo" "$out/music.wav"
"$tools/speechgen" 48000 4 -50 -20 0.6-1.9,2.3-3.5 3 > "$out/voice.f32"
$ff -f f32le -ar 48000 -ac 1 -i "$out/voice.f32" "$out/voice.wav"
rm -f "$out/voice.f32"

# Finishing: the "unity" grain layer (overlay, film-like size and strength)
# on the picture; the music ducked under the voice, never below its hiss,
# and mixed.
$ff -i "$out/generated.mp4" -i "$out/music.wav" -i "$out/voice.wav" \
    -filter_complex "[0:v]aigrain=strength=4:size=1.5[v];[1:a][2:a]duckfloor=output=mix[a]" \
    -map "[v]" -map "[a]" -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p \
    -c:a aac -b:a 192k "$out/finished.mp4"

# Before/after stills of frame 50, cropped on the face at 1:1.
$ff -ss 2 -i "$out/generated.mp4" -frames:v 1 -vf "crop=640:360:640:100" "$out/before.png"
$ff -ss 2 -i "$out/finished.mp4" -frames:v 1 -vf "crop=640:360:640:100" "$out/after.png"

echo "aipost demo:"
echo "  generated clip : $out/generated.mp4"
echo "  finished clip  : $out/finished.mp4 (grain; music ducked under the voice and mixed)"
echo "  stems          : $out/music.wav  $out/voice.wav"
echo "  before / after : $out/before.png  $out/after.png"
