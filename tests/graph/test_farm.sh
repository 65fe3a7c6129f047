#!/bin/sh
# samples/farm.sh: a clip cut into segments, processed apart in parallel and
# joined, is bit-identical (every frame's pixels and timestamp) to a single
# run for the filters that claim determinism; an overlap makes a filter with
# a bounded temporal window join exactly, and without it the join differs
# (so the comparison can fail).
. "$(dirname "$0")/lib.sh"

FARM=$TOP/samples/farm.sh
export AIPOST_BIN

# A 3 s x264 clip with B-frames and a 24-frame GOP, so segments start
# between keyframes and the decoder has to start before them.
ff -loop 1 -framerate 25 -t 3 -i "$MEDIA/astronaut.png" \
    -vf "scale=640:640,crop=640:360:0:'100+n*2',format=yuv420p,setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709" \
    -c:v libx264 -preset veryfast -g 24 -bf 2 "$W/in.mp4"

# frames FILE: "pts,md5" of every frame
frames() { ff -i "$1" -f framemd5 - | awk -F', *' '!/^#/ { print $2 "," $6 }'; }

# joined NAME SEGMENTS OVERLAP GRAPH: farm run and single run of GRAPH;
# leaves $W/NAME.farm and $W/NAME.single ("pts,md5" lines).
joined() {
    "$FARM" -o "$3" "$W/in.mp4" "$W/$1.mkv" "$4" "$2" > /dev/null 2> "$W/$1.log" ||
        { fail "$1: farm.sh ran" "$(tail -n 3 "$W/$1.log")"; return 1; }
    ff -i "$W/in.mp4" -vf "$4" -c:v ffv1 -level 3 -g 1 -f matroska "$W/$1.single.mkv"
    frames "$W/$1.mkv" > "$W/$1.farm"
    frames "$W/$1.single.mkv" > "$W/$1.single"
}

# identical NAME SEGMENTS OVERLAP GRAPH EXPECTED_FRAMES
identical() {
    joined "$1" "$2" "$3" "$4" || return
    n=$(wc -l < "$W/$1.single")
    if [ "$n" = "$5" ] && cmp -s "$W/$1.farm" "$W/$1.single"; then
        pass "$1: $2 segments (overlap $3) join bit-identically to one run ($n frames)"
    else
        fail "$1: $2 segments join bit-identically" \
            "$(wc -l < "$W/$1.farm") vs $n frames (expected $5); first difference: $(diff "$W/$1.farm" "$W/$1.single" | head -n 2 | tr '\n' ' ')"
    fi
}

identical aigrain 4 0 "aigrain=strength=6" 75
identical aigrain_correlated 3 0 "aigrain=strength=6:temporal=correlated:chroma=0.5" 75
identical aigrain_10bit 5 0 "format=yuv420p10,aigrain=strength=3:size=2" 75
# The analysis filter passes frames through, whatever it measures.
identical qcdetect 3 0 "qcdetect" 75
# A filter that changes the frame rate: cut at the same instants everywhere.
identical fps30 3 0 "fps=30,aigrain" 90

# A filter that mixes each frame with the two before it: without overlap
# each segment's first two frames lack their history and the join differs;
# with an overlap of 2 it is exact.
joined tmix_nooverlap 4 0 "tmix=frames=3"
d=$(diff "$W/tmix_nooverlap.farm" "$W/tmix_nooverlap.single" | grep -c '^<')
check "tmix: without overlap the join differs (at the 3 inner boundaries, 2 frames each)" "$d == 6" "$d frames differ"
identical tmix_overlap 4 2 "tmix=frames=3" 75

# socialprep: the 25 -> 30 fps conversion and the picture parts are pure
# functions of the frames and their times (centre crop: exact with no
# overlap). The smart camera path carries state from frame to frame and
# starts afresh at scene cuts, and looks ahead 30 frames: cut at scene cuts
# (-s) with an overlap that covers the look-ahead, the join is exact; cut
# anywhere without overlap it is not.
ff -loop 1 -framerate 25 -t 2 -i "$MEDIA/astronaut.png" -loop 1 -framerate 25 -t 2 -i "$MEDIA/coffee.png" \
    -filter_complex "[0]scale=1280:-2,crop=1280:720:'n*4':'100+n*2',format=yuv420p,setsar=1[a];[1]scale=1280:720,format=yuv420p,setsar=1[b];[a][b]concat=n=2:v=1" \
    -c:v libx264 -preset veryfast -g 24 -bf 2 "$W/cut.mp4"
mv "$W/in.mp4" "$W/pan.mp4"
cp "$W/cut.mp4" "$W/in.mp4"
SP="socialprep=preset=tiktok:w=360:h=640"
identical socialprep_center 3 0 "$SP:reframe=center" 120
"$FARM" -s 0.3 -o 30 "$W/in.mp4" "$W/sp_cuts.mkv" "$SP" 3 > /dev/null 2> "$W/sp_cuts.log"
grep -q "1 usable scene cuts above 0.3: 2 segments" "$W/sp_cuts.log" &&
    pass "-s: the one scene cut (frame 50) makes 2 segments of the 3 asked for" ||
    fail "-s finds the scene cut" "$(cat "$W/sp_cuts.log")"
ff -i "$W/in.mp4" -vf "$SP" -c:v ffv1 -level 3 -g 1 -f matroska "$W/sp.single.mkv"
frames "$W/sp_cuts.mkv" > "$W/sp_cuts.farm"
frames "$W/sp.single.mkv" > "$W/sp.single"
if [ "$(wc -l < "$W/sp.single")" = 120 ] && cmp -s "$W/sp_cuts.farm" "$W/sp.single"; then
    pass "socialprep smart: segments cut at scene cuts with overlap 30 join bit-identically (120 frames)"
else
    fail "socialprep smart: cut at scene cuts, joins bit-identically" "$(diff "$W/sp_cuts.farm" "$W/sp.single" | grep -c '^<') frames differ"
fi
"$FARM" "$W/in.mp4" "$W/sp_even.mkv" "$SP" 3 > /dev/null 2>&1
frames "$W/sp_even.mkv" > "$W/sp_even.farm"
d=$(diff "$W/sp_even.farm" "$W/sp.single" | grep -c '^<')
check "socialprep smart: cut mid-shot without overlap, the join differs" "$d > 0" "$d frames differ"
cp "$W/pan.mp4" "$W/in.mp4"

# The job scripts are what a farm scheduler runs: kept with -k, each one
# alone remakes its segment bit-identically.
"$FARM" -k "$W/in.mp4" "$W/kept.mkv" "aigrain" 3 > /dev/null 2>&1
jobs=$(ls "$W/kept.mkv.farm"/job*.sh 2> /dev/null | wc -l)
check "-k keeps one job script a segment" "$jobs == 3" "$jobs job scripts"
cp "$W/kept.mkv.farm/seg0001.mkv" "$W/seg1.first.mkv"
sh "$W/kept.mkv.farm/job0001.sh"
same_file "a job script run again remakes its segment" "$W/seg1.first.mkv" "$W/kept.mkv.farm/seg0001.mkv"

# Errors: a bad graph fails the run and says which segment.
if "$FARM" "$W/in.mp4" "$W/bad.mkv" "nosuchfilter" 2 > /dev/null 2> "$W/bad.err"; then
    fail "a failing segment fails the run" "exit 0"
else
    grep -q "No such filter" "$W/bad.err" && grep -q "a segment failed" "$W/bad.err" &&
        pass "a failing segment fails the run with the segment's error" ||
        fail "a failing segment fails the run with the segment's error" "$(head -c 300 "$W/bad.err")"
fi
[ ! -e "$W/bad.mkv" ] && pass "no output is written when a segment fails" || fail "no output on failure" "$W/bad.mkv exists"
