#!/bin/sh
# Renders the pictures of docs/skintexture.md from the bundled portrait with
# the built ffmpeg:  docs/render-skintexture.sh   (after make)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ff="${AIPOST_BIN:-$top/build/bin}/ffmpeg -hide_banner -nostdin -loglevel error -y"
img=$top/docs/img
portrait=$top/samples/media/astronaut.png
mkdir -p "$img"

# The portrait at 1080p scale (as a 1080-line frame would show it). "Waxy"
# is what generated skin looks like: an edge-preserving smoothing that
# keeps eyes, lips and hairline and takes the skin's fine texture away.
hd="scale=1080:1080:flags=lanczos,format=yuv420p"
wax="bilateral=sigmaS=8:sigmaR=0.1,bilateral=sigmaS=8:sigmaR=0.1"
face="crop=300:240:330:180"

# Before / after on waxy skin, shown at 2x: waxy | skintexture | the
# texture alone (after - before, x 8 around mid-grey)
$ff -i "$portrait" -filter_complex \
    "[0:v]$hd,$wax,split[a][b];[b]skintexture=strength=4[t];[a]split[a1][a2];[t]split[t1][t2];\
     [a1]$face[l];[t1]$face[r];[t2]$face,format=gray[tg];[a2]$face,format=gray[ag];\
     [tg][ag]blend=all_expr='128+(A-B)*8'[d];[d]format=yuv420p[d2];[l][r][d2]hstack=3,scale=iw*2:ih*2:flags=neighbor" \
    -frames:v 1 "$img/skintexture-waxy.png"

# The same filter on the original photograph at its own size (512 lines),
# whose skin has texture of its own in the band: almost nothing is added
# (the amount follows the deficit). Shown at 4x.
$ff -i "$portrait" -filter_complex \
    "[0:v]format=yuv420p,split[a][b];[b]skintexture=strength=4[t];[a]split[a1][a2];[t]split[t1][t2];\
     [a1]crop=120:100:165:75[l];[t1]crop=120:100:165:75[r];[t2]crop=120:100:165:75,format=gray[tg];[a2]crop=120:100:165:75,format=gray[ag];\
     [tg][ag]blend=all_expr='128+(A-B)*8'[d];[d]format=yuv420p[d2];[l][r][d2]hstack=3,scale=iw*4:ih*4:flags=neighbor" \
    -frames:v 1 "$img/skintexture-natural.png"

# The mask: the portrait | show=likelihood | show=mask (the weight the
# texture is applied with; black is bit-exact untouched)
$ff -i "$portrait" -filter_complex \
    "[0:v]format=yuv420p,split=3[a][b][c];[b]skintexture=show=likelihood[l];[c]skintexture=show=mask[m];[a][l][m]hstack=3" \
    -frames:v 1 "$img/skintexture-mask.png"
echo "rendered into $img"
