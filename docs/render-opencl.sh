#!/bin/sh
# Renders the picture of docs/opencl.md with the built ffmpeg and an OpenCL
# device (PoCL will do):  docs/render-opencl.sh   (after make)
#   AIPOST_OPENCL_DEVICE=opencl=ocl:1.0 picks another device.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dev=${AIPOST_OPENCL_DEVICE:-opencl=ocl}
ff="${AIPOST_BIN:-$top/build/bin}/ffmpeg -hide_banner -nostdin -loglevel error -y"
ocl="-init_hw_device $dev -filter_hw_device $(echo "$dev" | sed 's/^opencl=\([^:,]*\).*/\1/')"
img=$top/docs/img
media=$top/samples/media
mkdir -p "$img"

# The portrait's face at 1080p scale, shown at 2x: aigrain on the CPU,
# aigrain_opencl on the device, and their difference amplified 64x around
# black (any differing sample would show as a bright dot).
face="scale=1080:1080:flags=lanczos,crop=320:240:370:170,format=yuv420p"
grain="strength=8:chroma=0.5"
$ff $ocl -i "$media/astronaut.png" -filter_complex \
    "[0:v]$face,split[a][b];[a]aigrain=$grain,split[c1][c2];[b]hwupload,aigrain_opencl=$grain,hwdownload,format=yuv420p,split[g1][g2];
     [c2][g2]blend=all_mode=difference,lutyuv=y='clip(val*64,0,255)':u=128:v=128[d];
     [c1][g1][d]hstack=3,scale=iw*2:ih*2:flags=neighbor" \
    -frames:v 1 "$img/opencl-aigrain.png"
echo "rendered into $img"
