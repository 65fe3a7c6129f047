#!/bin/sh
# The filters live in libavfilter itself: programs other than our ffmpeg
# find them through the library path.
. "$(dirname "$0")/lib.sh"

# ffprobe from the build reads aigrain's per-frame metadata.
keys=$(ffprobe -f lavfi -i "testsrc2=r=25:d=0.2,aigrain=start_number=100" \
    -show_entries frame_tags=lavfi.aigrain.frame_index -of csv=p=0 | tr '\n' ' ')
check "ffprobe shows lavfi.aigrain.frame_index per frame" "\"$keys\" == \"100 101 102 103 104 \"" "got '$keys'"

# A system ffmpeg of the same release (same libavfilter soname) gets the
# filters from build/lib without being rebuilt.
ours=$(readelf -d "$AIPOST_BIN/../lib/libavfilter.so" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
sys=/usr/bin/ffmpeg
if [ -x "$sys" ] && ldd "$sys" 2>/dev/null | grep -q "$ours"; then
    if LD_LIBRARY_PATH=$AIPOST_BIN/../lib "$sys" -hide_banner -h filter=aigrain 2>&1 | grep -q strength; then
        pass "system $sys ($ours) uses aigrain through LD_LIBRARY_PATH"
    else
        fail "system $sys ($ours) uses aigrain through LD_LIBRARY_PATH" "filter not found"
    fi
else
    echo "  skip system ffmpeg: none with $ours on this machine ($(ls "$sys" 2>/dev/null || echo none installed))"
fi
