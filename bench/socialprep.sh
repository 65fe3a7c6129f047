#!/bin/sh
# socialprep beside the stock FFmpeg chain a user would write for the same
# job, in one run:
#   crop,scale,fps,eq,noise      centre crop to 9:16, bicubic scale to
#                                1080x1920, constant 30 fps, contrast /
#                                brightness / saturation, temporal noise
# against socialprep=preset=tiktok (smart reframing with its saliency
# analysis and camera path, black floor, S-curve, saturation trim, grain)
# and socialprep=preset=tiktok:reframe=center (the same minus the analysis).
# Input: 1920x1080 yuv420p at 30 fps. Each case is timed as the best of
# REPEAT runs of a whole ffmpeg command; the same command with 'null' in
# place of the filters is timed too and subtracted, so the source's cost
# drops out. Prints ms per frame and the ratios (stock / socialprep: >= 1
# means socialprep is at least as fast).
#
#   bench/socialprep.sh [FRAMES]      default 300
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
FF=${AIPOST_BIN:-$top/build/bin}/ffmpeg
REPEAT=${REPEAT:-5}
frames=${1:-300}

now() { date +%s%N; }

# best wall time in ms of: ffmpeg ARGS
best() {
    b=
    i=0
    while [ $i -lt "$REPEAT" ]; do
        t0=$(now)
        "$FF" -hide_banner -nostdin -loglevel error "$@" -f null - || { echo "bench: ffmpeg failed: $*" >&2; exit 1; }
        t=$(( ($(now) - t0) / 1000000 ))
        if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
        i=$((i + 1))
    done
    echo "$b"
}

src="testsrc2=s=1920x1080:r=30:d=0.04,format=yuv420p,loop=loop=$((frames - 1)):size=1"
stock="crop=608:1080:656:0,scale=1080:1920:flags=bicubic,fps=30,eq=contrast=1.12:brightness=0.02:saturation=0.9,noise=alls=5:allf=t"

base=$(best -f lavfi -i "$src" -vf null)
t_stock=$(best -f lavfi -i "$src" -vf "$stock")
t_smart=$(best -f lavfi -i "$src" -vf "socialprep=preset=tiktok")
t_center=$(best -f lavfi -i "$src" -vf "socialprep=preset=tiktok:reframe=center")
t_c=$(best -cpuflags 0 -f lavfi -i "$src" -vf "socialprep=preset=tiktok")

echo "socialprep bench: 1920x1080 -> 1080x1920, $frames frames, $(nproc) threads, best of $REPEAT, source cost subtracted; $("$FF" -hide_banner -version | head -n 1)"
awk -v f="$frames" -v b="$base" -v st="$t_stock" -v sm="$t_smart" -v ce="$t_center" -v c="$t_c" 'BEGIN {
    st = (st - b) / f; sm = (sm - b) / f; ce = (ce - b) / f; c = (c - b) / f
    if (sm < 0.01) sm = 0.01
    if (ce < 0.01) ce = 0.01
    printf "stock crop,scale,fps,eq,noise %6.2f ms   socialprep smart %6.2f ms (C only %6.2f)   socialprep center %6.2f ms\n", st, sm, c, ce
    printf "stock / socialprep smart = %.2f   stock / socialprep center = %.2f   (goal >= 1)   SIMD speed-up %.2fx\n", st / sm, st / ce, c / sm
}'
