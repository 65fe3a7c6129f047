#!/bin/sh
# Renders the pictures of docs/socialprep.md from bundled media with the
# built ffmpeg:  docs/render-socialprep.sh   (after make; x264 for the
# banding picture; the saliency map needs build/tests/tools/saliencymap,
# made by make check)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${AIPOST_BIN:-$top/build/bin}
tools=${AIPOST_TOOLS:-$top/build/tests/tools}
ff="$bin/ffmpeg -hide_banner -nostdin -loglevel error -y"
img=$top/docs/img
media=$top/samples/media
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$img"

# A 16:9 shot: the astronaut walks across a blurred backdrop (the reframing
# test's clip).
X="if(lt(t,1),150,if(lt(t,4),150+(t-1)/3*850,if(lt(t,5),1000,1000-(t-5)*300)))"
$ff -loop 1 -framerate 30 -t 3 -i "$media/coffee.png" -loop 1 -framerate 30 -t 3 -i "$media/astronaut.png" -filter_complex \
    "[0:v]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,gblur=sigma=2[bg];[1:v]scale=240:240[fg];[bg][fg]overlay=x='$X':y=300:shortest=1,format=yuv420p" \
    -c:v ffv1 "$tmp/walk.mkv"

# Frame 40 (1.33 s): where the smart crop went, and where the centre crop is.
n=40
$bin/ffmpeg -hide_banner -nostdin -loglevel error -i "$tmp/walk.mkv" \
    -vf "socialprep,metadata=print:file=$tmp/meta.txt" -f null -
sx=$(grep -o "lavfi.socialprep.crop_x=[0-9.]*" "$tmp/meta.txt" | sed -n "$((n + 1))p" | cut -d= -f2)
sx=$(printf '%.0f' "$sx")
cx=$(( (1280 - 405) / 2 ))
$ff -i "$tmp/walk.mkv" -filter_complex \
    "[0:v]split=3[a][b][c];[a]select='eq(n,$n)',drawbox=x=$cx:y=0:w=405:h=720:color=red@0.9:t=6,drawbox=x=$sx:y=0:w=405:h=720:color=lime@0.9:t=6,scale=853:480[frame];[b]socialprep,select='eq(n,$n)',scale=270:480[smart];[c]socialprep=reframe=center,select='eq(n,$n)',scale=270:480[center];[frame][smart][center]hstack=3" \
    -frames:v 1 -update 1 "$img/socialprep-reframe.png"

# fit and pad of the same frame
$ff -i "$tmp/walk.mkv" -filter_complex \
    "[0:v]split=2[a][b];[a]socialprep=reframe=fit,select='eq(n,$n)',scale=270:480[f];[b]socialprep=reframe=pad,select='eq(n,$n)',scale=270:480[p];[f][p]hstack" \
    -frames:v 1 -update 1 "$img/socialprep-fit.png"

# The saliency map of that frame (cells, brighter = more salient) beside it.
if [ -x "$tools/saliencymap" ]; then
    $ff -i "$tmp/walk.mkv" -frames:v $((n + 1)) -f rawvideo "$tmp/walk.yuv"
    "$tools/saliencymap" 1280 720 "$tmp/walk.yuv" 405 $n > "$tmp/map.pgm" 2>/dev/null
    $ff -i "$tmp/walk.mkv" -i "$tmp/map.pgm" -filter_complex \
        "[0:v]select='eq(n,$n)',scale=640:360[f];[1:v]scale=640:360:flags=neighbor,format=yuv420p[m];[f][m]hstack" \
        -frames:v 1 -update 1 "$img/socialprep-saliency.png"
fi

# A dark gradient (the banding test's clip) through x264 at 3 Mb/s,
# 1080x1920, without and with socialprep: a 480x270 patch of each, levels
# stretched 6x around the patch's dark end so the steps can be seen.
enc="-c:v libx264 -preset veryfast -b:v 3M -maxrate 3M -bufsize 6M"
$ff -f lavfi -i "gradients=s=1920x1080:c0=0x040404:c1=0x2a2420:x0=0:y0=0:x1=1919:y1=1079:nb_colors=2:speed=0.01:r=30:d=1" \
    -vf format=yuv420p -c:v ffv1 "$tmp/grad.mkv"
$ff -i "$tmp/grad.mkv" -vf "socialprep=reframe=center:floor=0:contrast=0:sattrim=0:grain=0" $enc "$tmp/without.mp4"
$ff -i "$tmp/grad.mkv" -vf "socialprep=reframe=center" $enc "$tmp/with.mp4"
stretch="crop=480:270:300:1300,lutyuv=y='clip((val-16)*6,0,255)':u=128:v=128,scale=960:540:flags=neighbor"
$ff -i "$tmp/without.mp4" -i "$tmp/with.mp4" -filter_complex \
    "[0:v]select='eq(n,15)',$stretch[a];[1:v]select='eq(n,15)',$stretch[b];[a][b]vstack" \
    -frames:v 1 -update 1 "$img/socialprep-banding.png"
echo "rendered into $img"
