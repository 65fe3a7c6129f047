#!/bin/sh
# skintexture beside FFmpeg's noise filter (the scale anchor: the cheapest
# stock way to put texture on a picture, everywhere and without tracking),
# in one run. The sources are the bundled portrait at 1080p:
#   1080p8      a slow pan over the portrait (4 % of the frame textured)
#   1080p8close a pan over a close-up (about 38 % of the frame textured,
#               the face filling the frame: the worst case)
#   1080p10     the pan in 10-bit
# Each filter is timed by FFmpeg's bench filter around it (bench=start,
# FILTER,bench=stop: wall time per frame inside the filter, reading and
# decoding excluded), as the best average of REPEAT runs. Prints ms per
# frame, fps, and the ratio against noise. On a shared machine wall time
# depends on the load, so the CPU time the filter costs per frame (user +
# system of a one-thread run, less the same run with null) is printed too:
# the time a frame takes on one free core.
#
#   bench/skintexture.sh [CASE...]   (default all)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
FF=${AIPOST_BIN:-$top/build/bin}/ffmpeg
REPEAT=${REPEAT:-3}
FRAMES=${FRAMES:-60}
out=$top/build/bench
mkdir -p "$out"

# best average ms per frame inside the filter chain FILTER on SOURCE, with
# extra ffmpeg options before -i
best() { # SOURCE FILTER [OPTIONS...]
    src=$1 flt=$2
    shift 2
    b=
    i=0
    while [ $i -lt "$REPEAT" ]; do
        t=$("$FF" -hide_banner -nostdin "$@" -i "$src" -vf "bench=start,$flt,bench=stop" -f null - 2>&1 |
            sed -n 's/.*\[bench @ [^]]*\] t:[0-9.]* avg:\([0-9.]*\).*/\1/p' | tail -n 1)
        [ -n "$t" ] || { echo "bench: ffmpeg failed: $flt $*" >&2; exit 1; }
        b=$(awk -v a="$t" -v b="$b" 'BEGIN { print (b == "" || a * 1000 < b) ? a * 1000 : b }')
        i=$((i + 1))
    done
    echo "$b"
}

# source NAME ZOOM X Y FMT: a FRAMES-frame pan (2 px right, 1 down per
# frame) over the portrait scaled to 2160 * ZOOM lines, from (X, Y)
source() {
    src=$out/skintexture_$1.nut
    [ -s "$src" ] || "$FF" -hide_banner -nostdin -loglevel error -y -loop 1 -framerate 25 \
        -i "$top/samples/media/astronaut.png" -vf \
        "scale=$((2160 * $2)):$((2160 * $2)):flags=lanczos,crop=1920:1080:x='$3+2*n':y='$4+n',format=$5" \
        -frames:v "$FRAMES" -c:v rawvideo "$src"
    echo "$src"
}

# CPU ms per frame of a one-thread run of FILTER, less null's
cpu() { # SOURCE FILTER
    t=$( { /usr/bin/time -f "%U %S" "$FF" -hide_banner -nostdin -loglevel error -filter_threads 1 \
           -i "$1" -vf "$2" -f null - ; } 2>&1 | tail -n 1)
    n=$( { /usr/bin/time -f "%U %S" "$FF" -hide_banner -nostdin -loglevel error -filter_threads 1 \
           -i "$1" -vf null -f null - ; } 2>&1 | tail -n 1)
    echo "$t $n" | awk -v f="$FRAMES" '{ printf "%.2f", (($1 + $2) - ($3 + $4)) * 1000 / f }'
}

run_case() {
    name=$1 src=$2
    tex=$(best "$src" skintexture)
    tex1=$(best "$src" skintexture -filter_threads 1)
    texc=$(best "$src" skintexture -cpuflags 0)
    noise=$(best "$src" "noise=alls=12:allf=t+u")
    cpu_tex=$(cpu "$src" skintexture)
    cpu_noise=$(cpu "$src" "noise=alls=12:allf=t+u")
    awk -v n="$name" -v t="$tex" -v t1="$tex1" -v tc="$texc" -v no="$noise" -v ct="$cpu_tex" -v cn="$cpu_noise" 'BEGIN {
        printf "%-12s skintexture %6.2f ms (%5.0f fps; 1 thread %6.2f ms; C only %6.2f ms)  noise %6.2f ms\n", n, t, 1000 / t, t1, tc, no
        printf "%-12s skintexture/noise = %.1f   SIMD speed-up %.2fx   goal: >= 60 fps (%s)\n", n, t / no, tc / t, ((1000 / t >= 60) ? "met" : "NOT met")
        printf "%-12s CPU per frame: skintexture %.2f ms, noise %.2f ms (CPU ratio %.1f; one free core: %.0f fps)\n", n, ct, cn, ct / (cn > 0.01 ? cn : 0.01), 1000 / ct
    }'
}

cases=${*:-1080p8 1080p8close 1080p10}
echo "skintexture bench: $(nproc) threads, best of $REPEAT, $FRAMES frames, load average $(cut -d' ' -f1 /proc/loadavg) (wall times are only comparable within one run); $("$FF" -hide_banner -version | head -n 1)"
for c in $cases; do
    case $c in
        1080p8)      run_case 1080p8      "$(source wide 1 420 120 yuv420p)" ;;
        1080p8close) run_case 1080p8close "$(source close 3 1830 1060 yuv420p)" ;;
        1080p10)     run_case 1080p10     "$(source wide10 1 420 120 yuv420p10le)" ;;
        *) echo "bench: unknown case $c" >&2; exit 1 ;;
    esac
done
