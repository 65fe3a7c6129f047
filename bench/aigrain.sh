#!/bin/sh
# aigrain beside the stock FFmpeg ways of doing the same job, in one run:
#   noise=alls=12:allf=t+u          FFmpeg's grain-ish noise (scale anchor)
#   plate + blend=all_mode=overlay:all_opacity=0.3
#                                   the practitioners' way: a grain plate
#                                   (pre-rendered, read as raw video) laid
#                                   over the clip in overlay mode
# Each case is timed as the best of REPEAT runs of a whole ffmpeg command;
# the same command with 'null' in place of the filter is timed too and
# subtracted, so source and decode cost drop out. Prints ms per frame and
# the ratios.
#
#   bench/aigrain.sh [CASE...]  cases: 1080p8 1080p10 2160p10 (default all)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
FF=${AIPOST_BIN:-$top/build/bin}/ffmpeg
REPEAT=${REPEAT:-3}
out=$top/build/bench
mkdir -p "$out"

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

run_case() {
    name=$1 size=$2 fmt=$3 frames=$4
    src="testsrc2=s=$size:r=25:d=0.04,format=$fmt,loop=loop=$((frames - 1)):size=1"
    plate=$out/plate_${size}_$fmt.nut
    [ -s "$plate" ] || "$FF" -hide_banner -nostdin -loglevel error -y -f lavfi \
        -i "color=c=0x808080:s=$size:r=25:d=1,format=$fmt,noise=alls=40:allf=t" -c:v rawvideo "$plate"

    base=$(best -f lavfi -i "$src" -vf null)
    grain=$(best -f lavfi -i "$src" -vf aigrain)
    grain_c=$(best -cpuflags 0 -f lavfi -i "$src" -vf aigrain)
    noise=$(best -f lavfi -i "$src" -vf "noise=alls=12:allf=t+u")
    blend=$(best -f lavfi -i "$src" -stream_loop -1 -i "$plate" -filter_complex "[0:v][1:v]blend=all_mode=overlay:all_opacity=0.3:shortest=1")
    plate_ours=$(best -f lavfi -i "$src" -stream_loop -1 -i "$plate" -filter_complex "[0:v][1:v]aigrain=plate=1")

    awk -v n="$name" -v f="$frames" -v b="$base" -v g="$grain" -v gc="$grain_c" -v no="$noise" \
        -v bl="$blend" -v po="$plate_ours" 'BEGIN {
        g = (g - b) / f; gc = (gc - b) / f; no = (no - b) / f
        bl = (bl - b) / f; po = (po - b) / f
        if (g < 0.01) g = 0.01
        printf "%-8s  aigrain %6.2f ms  (C only %6.2f)  noise %6.2f ms  plate+blend %6.2f ms  aigrain plate %6.2f ms\n", n, g, gc, no, bl, po
        printf "%-8s  aigrain/noise = %.2f (goal <= 2)   plate+blend/aigrain = %.2f (goal >= 3)   SIMD speed-up %.2fx\n", n, g / no, bl / g, gc / g
    }'
}

cases=${*:-1080p8 1080p10 2160p10}
echo "aigrain bench: $(nproc) threads, best of $REPEAT, source cost subtracted; $("$FF" -hide_banner -version | head -n 1)"
for c in $cases; do
    case $c in
        1080p8)  run_case 1080p8  1920x1080 yuv420p   120 ;;
        1080p10) run_case 1080p10 1920x1080 yuv420p10 120 ;;
        2160p10) run_case 2160p10 3840x2160 yuv420p10 40 ;;
        *) echo "bench: unknown case $c" >&2; exit 1 ;;
    esac
done
