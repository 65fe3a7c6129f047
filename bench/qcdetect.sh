#!/bin/sh
# qcdetect beside signalstats, the stock FFmpeg per-frame measurement filter
# (what QCTools runs), in one run. Both only read frames and write metadata,
# so this is the price of the QC pass over the price of the stock one.
# Each case is the best of REPEAT runs of a whole ffmpeg command; the same
# command with 'null' in place of the filter is timed too and subtracted,
# so source and decode cost drop out. Prints ms per frame and the ratio.
#
#   bench/qcdetect.sh [CASE...]  cases: 1080p8 1080p10 (default all)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
FF=${AIPOST_BIN:-$top/build/bin}/ffmpeg
REPEAT=${REPEAT:-3}

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
    # Two frames alternating (not one looped): every diff, the loop
    # history and the temporal kernels see real change.
    src="testsrc2=s=$size:r=25:d=0.08,format=$fmt,loop=loop=$((frames / 2 - 1)):size=2"

    base=$(best -f lavfi -i "$src" -vf null)
    qc=$(best -f lavfi -i "$src" -vf qcdetect)
    qc1=$(best -filter_threads 1 -f lavfi -i "$src" -vf qcdetect)
    ss=$(best -f lavfi -i "$src" -vf signalstats)

    awk -v n="$name" -v f="$frames" -v b="$base" -v q="$qc" -v q1="$qc1" -v s="$ss" 'BEGIN {
        q = (q - b) / f; q1 = (q1 - b) / f; s = (s - b) / f
        if (s < 0.01) s = 0.01
        printf "%-8s  qcdetect %6.2f ms (1 thread %6.2f)  signalstats %6.2f ms\n", n, q, q1, s
        printf "%-8s  qcdetect/signalstats = %.2f (goal <= 2)\n", n, q / s
    }'
}

cases=${*:-1080p8 1080p10}
echo "qcdetect bench: $(nproc) threads, best of $REPEAT, source cost subtracted; $("$FF" -hide_banner -version | head -n 1)"
for c in $cases; do
    case $c in
        1080p8)  run_case 1080p8  1920x1080 yuv420p   100 ;;
        1080p10) run_case 1080p10 1920x1080 yuv420p10 100 ;;
        *) echo "bench: unknown case $c" >&2; exit 1 ;;
    esac
done
