#!/bin/sh
# aigrain_opencl on the built ffmpeg and an OpenCL device (PoCL, the CPU
# OpenCL of Debian's pocl-opencl-icd, in CI): bit-exact against aigrain on
# the CPU across formats, options, temporal modes, frame sizes, the plate
# input, timeline, runtime commands and colour range; the errors that say
# what to do; the same options as aigrain. Built without OpenCL
# (./configure --disable-opencl), it checks that the filter is absent.
#
# AIPOST_OPENCL_DEVICE picks the device (default opencl=ocl, the first one;
# e.g. opencl=ocl:1.0 for platform 1, device 0).
. "$(dirname "$0")/lib.sh"

if grep -q '^ENABLE_OPENCL = no' "$TOP/config.mk" 2>/dev/null; then
    if "$AIPOST_BIN/ffmpeg" -hide_banner -filters 2>/dev/null | grep -q ' aigrain_opencl '; then
        fail "configured --disable-opencl: no aigrain_opencl" "the filter is there"
    else
        pass "configured --disable-opencl: no aigrain_opencl, the CPU filters are there"
    fi
    exit 0
fi

DEV=${AIPOST_OPENCL_DEVICE:-opencl=ocl}
OCL="-init_hw_device $DEV -filter_hw_device $(echo "$DEV" | sed 's/^opencl=\([^:,]*\).*/\1/')"

if ! ff $OCL -f lavfi -i "testsrc2=s=64x64:d=0.04" -vf "format=yuv420p,hwupload,aigrain_opencl,hwdownload,format=yuv420p" -f null -; then
    fail "an OpenCL device runs aigrain_opencl" \
        "no OpenCL device ($DEV): install an OpenCL driver (pocl-opencl-icd for the CPU); $(head -c 300 "$W/last.err")"
    exit 0
fi
device=$("$AIPOST_BIN/ffmpeg" -hide_banner -v verbose $OCL -f lavfi -i nullsrc=d=0.04 -f null - 2>&1 |
         sed -n 's/.*AVHWDeviceContext.*\] [0-9]*\.[0-9]*: //p' | head -n 1)
echo "  device: ${device:-?}"

# gpu_md5 OUT INPUT OPTIONS FORMAT: md5 of aigrain_opencl between hwupload
# and hwdownload; cpu_md5 OUT INPUT OPTIONS: of aigrain.
gpu_md5() {
    ff $OCL -i "$2" -vf "hwupload,aigrain_opencl=$3,hwdownload,format=$4" -f md5 "$1"
}
cpu_md5() {
    ff -i "$2" -vf "aigrain=$3" -f md5 "$1"
}
# same NAME A B [INPUT]: A and B identical (and not INPUT: grain was added).
same() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then
        if [ -n "${4:-}" ] && cmp -s "$2" "$4"; then fail "$1" "grain left the picture unchanged"; else pass "$1"; fi
    else
        fail "$1" "CPU $(cat "$2" 2>/dev/null) OpenCL $(cat "$3" 2>/dev/null)"
    fi
}

# ---------------------------------------------------------------- bit-exact
# Sizes not multiples of the 32-sample grain blocks; 4:2:0 and 4:2:2 need
# even sizes on OpenCL frames. 16-bit stands for deep formats: the
# hwcontext carries no low-bit-aligned yuv420p10 (10 bits travel as p010,
# checked below where the device has two-channel images).
options="strength=4
strength=10:chroma=0.8
blend=add:shadows=2:midtones=0.5:highlights=1.5
temporal=static
temporal=correlated:coherence=5
chroma=0:size=3:size_ref=0
seed=77:frame_index=count:start_number=-3
size=0.3:size_ref=0
strength=32:chroma=1
size=8:size_ref=361"
for fmt in yuv420p yuv422p yuv444p yuv420p16 yuv444p16 gbrp gbrp16 gray gray16; do
    case $fmt in yuv420*|yuv422*) size=642x362 ;; *) size=643x361 ;; esac
    src=$W/src_$fmt.nut
    ff -f lavfi -i "testsrc2=s=$size:r=25:d=0.24" -vf "format=$fmt" -c:v rawvideo "$src"
    ff -i "$src" -f md5 "$W/in_$fmt.md5"
    i=0
    echo "$options" | while read -r o; do
        i=$((i + 1))
        cpu_md5 "$W/cpu_${fmt}_$i.md5" "$src" "$o"
        gpu_md5 "$W/gpu_${fmt}_$i.md5" "$src" "$o" "$fmt"
        same "$fmt $size $o: OpenCL = CPU" "$W/cpu_${fmt}_$i.md5" "$W/gpu_${fmt}_$i.md5" "$W/in_$fmt.md5"
    done
done

# Small and odd sizes: fewer samples than a block, one block and a sample.
for case in yuv444p:1x1 yuv444p:31x7 yuv420p:2x2 yuv420p:34x66 gray:33x33 gbrp:97x1; do
    fmt=${case%%:*} size=${case#*:}
    src=$W/small_$size.nut
    ff -f lavfi -i "testsrc2=s=128x128:r=25:d=0.12" -vf "format=$fmt,crop=${size%x*}:${size#*x}:5:7" -c:v rawvideo "$src"
    cpu_md5 "$W/cpu_s$size.md5" "$src" "strength=12:chroma=1:size_ref=0"
    gpu_md5 "$W/gpu_s$size.md5" "$src" "strength=12:chroma=1:size_ref=0" "$fmt"
    same "$fmt $size: OpenCL = CPU" "$W/cpu_s$size.md5" "$W/gpu_s$size.md5"
done

# Full range (range=pc), where the blend tables' black and white differ.
ff -f lavfi -i "testsrc2=s=642x362:r=25:d=0.2" -vf "format=yuv420p,setparams=range=pc" -c:v rawvideo "$W/pc.nut"
cpu_md5 "$W/cpu_pc.md5" "$W/pc.nut" "strength=8"
gpu_md5 "$W/gpu_pc.md5" "$W/pc.nut" "strength=8" yuv420p
same "full range: OpenCL = CPU" "$W/cpu_pc.md5" "$W/gpu_pc.md5"

# Interleaved chroma, the layout of GPU decoders: nv12 is yuv420p and p010
# yuv420p10 with Cb and Cr in one two-channel image. Checked against the
# CPU filter on the planar format where the device has such images.
ff -f lavfi -i "testsrc2=s=642x362:r=25:d=0.2" -vf "format=yuv420p10" -c:v rawvideo "$W/src_p10.nut"
for case in nv12:yuv420p:"$W/src_yuv420p.nut" p010:yuv420p10:"$W/src_p10.nut"; do
    fmt=${case%%:*} rest=${case#*:}
    planar=${rest%%:*} src=${rest#*:}
    if ff_fails $OCL -i "$src" -vf "format=$fmt,hwupload,hwdownload,format=$fmt" -f null -; then
        cpu_md5 "$W/cpu_$fmt.md5" "$src" "strength=10:chroma=0.8"
        ff $OCL -i "$src" -vf "format=$fmt,hwupload,aigrain_opencl=strength=10:chroma=0.8,hwdownload,format=$fmt,format=$planar" \
            -f md5 "$W/gpu_$fmt.md5"
        same "$fmt (interleaved chroma): OpenCL = CPU on $planar" "$W/cpu_$fmt.md5" "$W/gpu_$fmt.md5"
    else
        echo "  note: this OpenCL device does not carry $fmt frames (no two-channel images, as PoCL): not checked here (the kernels' interleaved path is in tests/unit/test_grain_opencl)"
    fi
done

# ---------------------------------------------------------------- plate
ff -f lavfi -i "color=c=0x808080:s=200x120:r=25:d=0.16,format=gbrp,noise=alls=40:allf=t" -c:v ffv1 "$W/plate.mkv"
for fmt in yuv420p gbrp16; do
    # a plate smaller than the picture (tiled) and shorter (looped)
    ff -i "$W/src_$fmt.nut" -i "$W/plate.mkv" -filter_complex \
        "[1:v]format=$fmt[p];[0:v][p]aigrain=plate=1:opacity=0.6" -f md5 "$W/cpu_plate_$fmt.md5"
    ff $OCL -i "$W/src_$fmt.nut" -i "$W/plate.mkv" -filter_complex \
        "[0:v]hwupload[m];[1:v]format=$fmt,hwupload[p];[m][p]aigrain_opencl=plate=1:opacity=0.6,hwdownload,format=$fmt" \
        -f md5 "$W/gpu_plate_$fmt.md5"
    same "$fmt plate (tiled, looped): OpenCL = CPU" "$W/cpu_plate_$fmt.md5" "$W/gpu_plate_$fmt.md5" "$W/in_$fmt.md5"
done

# ---------------------------------------------------------------- stream behaviour
hashes() { awk -F, '!/^#/ { print $NF }' "$1"; }
seg="testsrc2=s=320x240:r=25:d=1.2"
# a segment cut with trim keeps its timestamps, so its grain is the whole's
ff -f lavfi -i "$seg" -vf "trim=start_frame=12,aigrain=strength=8" -f framemd5 "$W/seg_cpu.fmd5"
ff $OCL -f lavfi -i "$seg" -vf "trim=start_frame=12,format=yuv420p,hwupload,aigrain_opencl=strength=8,hwdownload,format=yuv420p" \
    -f framemd5 "$W/seg_gpu.fmd5"
hashes "$W/seg_cpu.fmd5" > "$W/seg_cpu.h"
hashes "$W/seg_gpu.fmd5" > "$W/seg_gpu.h"
same "segment keyed by pts: OpenCL = CPU frame by frame" "$W/seg_cpu.h" "$W/seg_gpu.h"

# timeline: frames 3-5 only
ff $OCL -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -vf \
    "format=yuv420p,hwupload,aigrain_opencl=strength=8:enable='between(n,3,5)',hwdownload,format=yuv420p" -f framemd5 "$W/tl.fmd5"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -vf "aigrain=strength=8:enable='between(n,3,5)'" -f framemd5 "$W/tl_cpu.fmd5"
hashes "$W/tl.fmd5" > "$W/tl.h"
hashes "$W/tl_cpu.fmd5" > "$W/tl_cpu.h"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -f framemd5 "$W/tl_in.fmd5"
hashes "$W/tl_in.fmd5" > "$W/tl_in.h"
changed=$(paste -d' ' "$W/tl.h" "$W/tl_in.h" | awk '{ printf "%d", $1 != $2 }')
check "enable= applies grain to frames 3-5 only" "\"$changed\" == \"0001110000\"" "changed frames: $changed"
same "timeline: OpenCL = CPU frame by frame" "$W/tl_cpu.h" "$W/tl.h"

# runtime commands (sendcmd): new tables from frame 4 on
cmds="0.16 aigrain strength 12, aigrain chroma 0.9, aigrain shadows 3; 0.16 aigrain_opencl strength 12, aigrain_opencl chroma 0.9, aigrain_opencl shadows 3"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -vf "sendcmd=c='$cmds',aigrain" -f framemd5 "$W/cmd_cpu.fmd5"
ff $OCL -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -vf \
    "sendcmd=c='$cmds',format=yuv420p,hwupload,aigrain_opencl,hwdownload,format=yuv420p" -f framemd5 "$W/cmd_gpu.fmd5"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -vf "aigrain" -f framemd5 "$W/cmd_none.fmd5"
hashes "$W/cmd_cpu.fmd5" > "$W/cmd_cpu.h"
hashes "$W/cmd_gpu.fmd5" > "$W/cmd_gpu.h"
hashes "$W/cmd_none.fmd5" > "$W/cmd_none.h"
same "runtime commands: OpenCL = CPU frame by frame" "$W/cmd_cpu.h" "$W/cmd_gpu.h"
check "runtime commands change frames 4.. only" \
    "$(paste -d' ' "$W/cmd_gpu.h" "$W/cmd_none.h" | awk '{ printf "%d", $1 != $2 }' | grep -c '^0000111111$') == 1"

# metadata and the frames' colour tags, as the CPU filter (the tags of the
# link that an encoder would write are hwupload's business, not ours)
ff -loglevel info $OCL -f lavfi -i "testsrc2=s=320x240:r=25:d=0.2" -vf \
    "format=yuv420p16,setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc:range=pc,hwupload,aigrain_opencl=start_number=100,hwdownload,format=yuv420p16,metadata=print:file=$W/meta.txt,showinfo" \
    -f null -
check "lavfi.aigrain.frame_index: 100..104" \
    "\"$(grep -o 'frame_index=[0-9]*' "$W/meta.txt" | tr '\n' ' ')\" == \"frame_index=100 frame_index=101 frame_index=102 frame_index=103 frame_index=104 \""
check "colour tags pass through" \
    "$(grep -c 'color_range:pc color_space:bt2020nc color_primaries:bt2020 color_trc:smpte2084' "$W/last.err") == 5" \
    "$(grep -m1 -o 'color_range.*' "$W/last.err")"

# ---------------------------------------------------------------- errors
refused "software input: says to use -init_hw_device opencl and hwupload" \
    "aigrain_opencl works on OpenCL frames" "-init_hw_device opencl" "hwupload" -- \
    -f lavfi -i "testsrc2=d=0.04" -vf "aigrain_opencl" -f null -
refused "software input before hwdownload: the same" "-init_hw_device opencl" "hwupload" -- \
    $OCL -f lavfi -i "testsrc2=d=0.04" -vf "aigrain_opencl,hwdownload,format=yuv420p" -f null -
refused "software output: says to add hwdownload" "hwdownload,format=yuv420p after aigrain_opencl" -- \
    $OCL -f lavfi -i "testsrc2=d=0.04" -vf "format=yuv420p,hwupload,aigrain_opencl,format=yuv420p" -f null -
refused "a format it cannot read: names the ones it can" "does not work on OpenCL frames of yuva420p" "yuv420p16" -- \
    $OCL -f lavfi -i "testsrc2=d=0.04" -vf "format=yuva420p,hwupload,aigrain_opencl,hwdownload,format=yuva420p" -f null -
refused "a plate of another format: says to convert it" "The plate input of aigrain_opencl is gbrp" "format=yuv420p,hwupload" -- \
    $OCL -f lavfi -i "testsrc2=d=0.04" -i "$W/plate.mkv" -filter_complex \
    "[0:v]format=yuv420p,hwupload[m];[1:v]format=gbrp,hwupload[p];[m][p]aigrain_opencl=plate=1,hwdownload,format=yuv420p" -f null -
refused "a software plate: says to upload it" "The plate input of aigrain_opencl must be OpenCL frames" -- \
    $OCL -f lavfi -i "testsrc2=d=0.04" -i "$W/plate.mkv" -filter_complex \
    "[0:v]format=yuv420p,hwupload[m];[m][1:v]aigrain_opencl=plate=1,hwdownload,format=yuv420p" -f null -
for bad in strength=33 size=9 coherence=1 seed=-5 blend=multiply; do
    refused "$bad is refused, naming the option" "${bad%%=*}" -- \
        $OCL -f lavfi -i "testsrc2=d=0.04" -vf "format=yuv420p,hwupload,aigrain_opencl=$bad,hwdownload,format=yuv420p" -f null -
done
refused "grain too large for the picture: says what to change" "lower size or raise size_ref" -- \
    $OCL -f lavfi -i "testsrc2=s=1920x1080:d=0.04" -vf "format=yuv420p,hwupload,aigrain_opencl=size=8:size_ref=240,hwdownload,format=yuv420p" -f null -

# ---------------------------------------------------------------- options
"$AIPOST_BIN/ffmpeg" -hide_banner -h filter=aigrain 2>&1 | sed -n '/AVOptions/,$p' | tail -n +2 > "$W/help_cpu.txt"
"$AIPOST_BIN/ffmpeg" -hide_banner -h filter=aigrain_opencl 2>&1 | sed -n '/AVOptions/,$p' | tail -n +2 > "$W/help_gpu.txt"
check "the same options, ranges and help as aigrain ($(grep -c '^   [a-z]' "$W/help_cpu.txt") options)" \
    "$(grep -c '^   [a-z]' "$W/help_cpu.txt") >= 16 && \"$(cmp -s "$W/help_cpu.txt" "$W/help_gpu.txt" && echo same)\" == \"same\""
