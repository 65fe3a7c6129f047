#!/bin/sh
# aigrain_opencl beside the stock FFmpeg OpenCL way of touching every pixel,
# in one run:
#   avgblur_opencl (sizeX=1)   FFmpeg's own OpenCL filter: the scale anchor
#   aigrain (CPU)              the same grain on the CPU, all threads
# Every OpenCL case runs as hwupload,FILTER,hwdownload, and the same chain
# with no filter between is timed too and subtracted, so upload, download
# and the source drop out. A case is timed at N and 3N frames (best of
# REPEAT whole ffmpeg runs each) and the per-frame time is the difference
# over 2N, so device start-up and the kernel build drop out as well.
# Prints ms per frame and the ratios, and checks that the OpenCL output is
# the CPU filter's, bit for bit.
#
# On PoCL (the CPU OpenCL of CI and of a machine without a GPU) the figures
# say only that it works and how it scales against avgblur_opencl on the
# same device: PoCL runs the kernels on the same cores as the CPU filter,
# with images emulated in software. On a GPU, the 2160p cases are the ones
# to record (2160p010 where the device carries p010, as GPU decoders give
# it; 2160p16 otherwise).
#
#   bench/aigrain_opencl.sh [CASE...]   cases: 1080p8 2160p16 2160p010 (default 1080p8 2160p16)
#   AIPOST_OPENCL_DEVICE=opencl=ocl:1.0 picks another device.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
FF=${AIPOST_BIN:-$top/build/bin}/ffmpeg
REPEAT=${REPEAT:-3}
DEV=${AIPOST_OPENCL_DEVICE:-opencl=ocl}
OCL="-init_hw_device $DEV -filter_hw_device $(echo "$DEV" | sed 's/^opencl=\([^:,]*\).*/\1/')"
out=$top/build/bench
mkdir -p "$out"

if ! "$FF" -hide_banner -filters 2>/dev/null | grep -q ' aigrain_opencl '; then
    echo "aigrain_opencl bench: this ffmpeg has no aigrain_opencl (configured --disable-opencl?)"
    exit 0
fi
device=$("$FF" -hide_banner -v verbose $OCL -f lavfi -i nullsrc=d=0.04 -f null - 2>&1 |
         sed -n 's/.*AVHWDeviceContext.*\] [0-9]*\.[0-9]*: //p' | head -n 1)
if [ -z "$device" ]; then
    echo "aigrain_opencl bench: no OpenCL device ($DEV); install an OpenCL driver (pocl-opencl-icd for the CPU)" >&2
    exit 1
fi

now() { date +%s%N; }

# best wall time in ms of: ffmpeg ARGS -f null -
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

# ms per frame (3 decimals) of: ffmpeg [GLOBAL...] -i SRC -vf FILTER, from
# runs of N and 3N frames
per_frame() { # N global filter
    t1=$(best $2 -stream_loop $(($1 - 1)) -i "$src" -vf "$3")
    t3=$(best $2 -stream_loop $((3 * $1 - 1)) -i "$src" -vf "$3")
    awk -v a="$t1" -v b="$t3" -v n="$1" 'BEGIN { printf "%.3f", (b - a) / (2 * n) }'
}

run_case() {
    name=$1 size=$2 fmt=$3 frames=$4 cpufmt=$5
    src=$out/aigrain_opencl_$name.nut
    # a still looped: the source costs nothing and is the same in every run
    [ -s "$src" ] || "$FF" -hide_banner -nostdin -loglevel error -y -f lavfi \
        -i "testsrc2=s=$size:r=25:d=0.04,format=$cpufmt" -c:v rawvideo "$src"
    up="format=$fmt,hwupload"
    down="hwdownload,format=$fmt"

    # the OpenCL output is the CPU filter's (on the planar format)
    "$FF" -hide_banner -nostdin -loglevel error -y -stream_loop 3 -i "$src" -vf "aigrain" -f md5 "$out/aog_cpu.md5"
    "$FF" -hide_banner -nostdin -loglevel error -y $OCL -stream_loop 3 -i "$src" \
        -vf "$up,aigrain_opencl,$down,format=$cpufmt" -f md5 "$out/aog_gpu.md5"
    if cmp -s "$out/aog_cpu.md5" "$out/aog_gpu.md5"; then exact=yes; else exact=NO; fi

    # the CPU filter is fast enough to need more frames to be measured
    base=$(per_frame "$frames" "$OCL" "$up,$down")
    grain=$(per_frame "$frames" "$OCL" "$up,aigrain_opencl,$down")
    blur=$(per_frame "$frames" "$OCL" "$up,avgblur_opencl=sizeX=1,$down")
    cpu_base=$(per_frame $((10 * frames)) "" "format=$cpufmt")
    cpu=$(per_frame $((10 * frames)) "" "format=$cpufmt,aigrain")

    awk -v n="$name" -v b="$base" -v g="$grain" -v bl="$blur" -v cb="$cpu_base" \
        -v c="$cpu" -v ex="$exact" 'BEGIN {
        up = b; g -= b; bl -= b; c -= cb
        if (g < 0.01) g = 0.01
        if (bl < 0.01) bl = 0.01
        printf "%-8s  aigrain_opencl %7.2f ms  avgblur_opencl %7.2f ms  aigrain (CPU) %7.2f ms  (upload+download %7.2f ms)\n", n, g, bl, c, up
        if (c < 0.01) c = 0.01
        printf "%-8s  aigrain_opencl/avgblur_opencl = %.2f   aigrain_opencl/aigrain (CPU) = %.1f   bit-exact with the CPU: %s\n", n, g / bl, g / c, ex
    }'
}

cases=${*:-1080p8 2160p16}
echo "aigrain_opencl bench: OpenCL device: $device; $(nproc) CPU threads, best of $REPEAT, upload/download subtracted"
case $device in
    *Portable*|*pocl*|*PoCL*)
        echo "  (PoCL runs OpenCL on the CPU: correctness and scale only, not GPU figures)" ;;
esac
for c in $cases; do
    case $c in
        1080p8)   run_case 1080p8   1920x1080 yuv420p   12 yuv420p ;;
        2160p16)  run_case 2160p16  3840x2160 yuv420p16 4 yuv420p16 ;;
        2160p010) run_case 2160p010 3840x2160 p010      4 yuv420p10 ;;
        *) echo "bench: unknown case $c" >&2; exit 1 ;;
    esac
done
