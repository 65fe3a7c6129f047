#!/bin/sh
# Renders the pictures of docs/aigrain.md from bundled media with the built
# ffmpeg:  docs/render-aigrain.sh   (after make)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ff="${AIPOST_BIN:-$top/build/bin}/ffmpeg -hide_banner -nostdin -loglevel error -y"
img=$top/docs/img
media=$top/samples/media
mkdir -p "$img"

# The portrait at 1080p scale (as a 1080-line frame would show it), a crop
# on the face, shown at 2x so the grain is visible on a screen.
face="scale=1080:1080:flags=lanczos,crop=400:240:330:170"
side() { # OUT FILTER (left: before, right: after)
    $ff -i "$media/astronaut.png" -filter_complex \
        "[0:v]$face,format=yuv420p,split[a][b];[a]null[a2];[b]$2[b2];[a2][b2]hstack,scale=iw*2:ih*2:flags=neighbor" \
        -frames:v 1 "$img/$1"
}
side aigrain-unity.png  "aigrain"
side aigrain-social.png "aigrain=strength=6:size=2.5:chroma=0.2"

# Overlay against add on a black-to-white ramp: overlay keeps black and
# white clean, add lays the same grain everywhere.
ramp="gradients=s=768x96:c0=black:c1=white:x0=0:y0=0:x1=767:y1=0:nb_colors=2:d=0.04,format=yuv420p"
$ff -f lavfi -i "$ramp" -filter_complex \
    "[0:v]split=3[a][b][c];[a]null[a2];[b]aigrain=strength=10[b2];[c]aigrain=strength=10:blend=add[c2];[a2][b2][c2]vstack=3" \
    -frames:v 1 "$img/aigrain-blend.png"

# Grain sizes on mid-grey, 1:1 at 1080p scale.
grey="color=c=0x808080:s=256x144:d=0.04,format=yuv420p"
$ff -f lavfi -i "$grey" -filter_complex \
    "[0:v]split=3[a][b][c];[a]aigrain=strength=10:size=0.5:size_ref=0[a2];[b]aigrain=strength=10:size=1.5:size_ref=0[b2];[c]aigrain=strength=10:size=4:size_ref=0[c2];[a2][b2][c2]hstack=3,scale=iw*2:ih*2:flags=neighbor" \
    -frames:v 1 "$img/aigrain-sizes.png"
echo "rendered into $img"
