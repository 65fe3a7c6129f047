#!/bin/sh
# qcdetect on the built ffmpeg, against ground truth: clean clips with
# natural motion raise no event; the same clips with one defect injected at
# known frames raise that detector's event at those frames (read from the
# JSON report, one event a line); fail=1 fails the run; options, formats,
# threads, ffprobe.
. "$(dirname "$0")/lib.sh"

R=25
N=80            # frames per clip
AT=40           # the frame where defects start (1.6 s)
TAGS="setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"

# Clean clip A: a photo panned slowly (1.2 px a frame across, 0.4 down), so
# every region moves a little every frame.
PAN="movie=$MEDIA/coffee.png,loop=loop=-1:size=1,settb=1/1000,setpts=N/$R/TB,scale=800:534,crop=640:360:x='20+n*1.2':y='10+n*0.4':exact=1,trim=end_frame=$N,format=yuv420p"
# Clean clip B: a still photo (static texture: the cat's fur) with an
# animated picture moving across it; most regions do not move at all.
STILL="movie=$MEDIA/chelsea.png,loop=loop=-1:size=1,settb=1/1000,setpts=N/$R/TB,scale=640:360,format=yuv420p[bg];testsrc2=s=160x90:r=$R[fg];[bg][fg]overlay=x='40+n*2.4':y=250:shortest=1,trim=end_frame=$N"

# qc NAME SOURCE FILTERS [QCDETECT_OPTIONS]: run SOURCE,FILTERS,qcdetect and
# keep the report in $W/NAME.json.
qc() {
    ff -f lavfi -i "$2" -vf "$3${3:+,}qcdetect=report=$W/$1.json${4:+:}${4:-}" -f null -
}

# qcc NAME SOURCE FILTER_COMPLEX_FROM_[v]_TO_[d] [OPTIONS]: the same with a
# complex graph between the source ([v]) and qcdetect ([d]).
qcc() {
    ff -f lavfi -i "$2" -filter_complex "[0:v]null[v];$3;[d]qcdetect=report=$W/$1.json${4:+:}${4:-}" -f null -
}

# events NAME DETECTOR: the number of DETECTOR's events in NAME's report.
events() { grep -c "\"detector\": \"$2\"" "$W/$1.json"; }
# first NAME DETECTOR FIELD: FIELD of DETECTOR's first event.
first() {
    grep "\"detector\": \"$2\"" "$W/$1.json" | head -n 1 | sed -n "s/.*\"$3\": \"*\([^,\"]*\).*/\1/p"
}
verdict() { sed -n 's/.*"verdict": "\([a-z]*\)".*/\1/p' "$W/$1.json"; }

# found NAME DETECTOR FRAME_MIN FRAME_MAX: DETECTOR's first event starts
# within [FRAME_MIN, FRAME_MAX].
found() {
    f=$(first "$1" "$2" start_frame)
    if [ -n "$f" ] && [ "$f" -ge "$3" ] && [ "$f" -le "$4" ]; then
        pass "$1: $2 found at frame $f (injected at $3..$4)"
    else
        fail "$1: $2 at frame $3..$4" "first $2 event at frame '${f:-none}'; $(grep -c detector "$W/$1.json") events"
    fi
}

# clean NAME: no event at all, verdict pass
clean() {
    if [ -s "$W/$1.json" ] && [ "$(verdict "$1")" = pass ]; then
        pass "$1: clean clip, no event"
    else
        fail "$1: clean clip, no event" "$(grep detector "$W/$1.json" | head -n 3 | tr -s ' ')"
    fi
}

# ---------------------------------------------------------------- clean clips
qc clean_pan "$PAN" "$TAGS" && clean clean_pan
qc clean_still "$STILL" "$TAGS" && clean clean_still

# ---------------------------------------------------------------- defects
# flicker: +0.03 brightness (~7.6 code values) on frames 40..44, a pulse
# the eye sees; the threshold is 2 code values.
qc flicker "$PAN" "eq=brightness=0.03:enable='between(n,$AT,$((AT + 4)))',$TAGS" && found flicker flicker $AT $AT

# frozen: loop=start=40 repeats the frame before it: output frames 40..43
# are copies of 39 (timestamps renumbered so that timing is clean)
qc frozen "$PAN" "loop=loop=4:size=1:start=$AT,setpts=N/$R/TB,$TAGS" && {
    found frozen frozen $AT $AT
    e=$(first frozen frozen end_frame)
    check "frozen: the event ends at frame 43 (got ${e:-none})" "${e:-0} == $((AT + 3))"
}

# loop: frames 10..39 played again after frame 49 (output frames 50..79),
# a background that loops with a period of 40 frames
qcc loop "$PAN" "[v]split[a][b];[a]trim=end_frame=50,setpts=PTS-STARTPTS[a1];[b]trim=start_frame=10:end_frame=40,setpts=PTS-STARTPTS[b1];[a1][b1]concat=n=2:v=1,setpts=N/$R/TB,$TAGS[d]" && {
    found loop loop 50 50
    p=$(grep '"detector": "loop"' "$W/loop.json" | head -n 1 | sed -n 's/.*"detail": "period \([0-9]*\).*/\1/p')
    check "loop: period 40 frames reported (got ${p:-none})" "${p:-0} == 40"
}

# micro-jump: an 80x80 patch (the cup's rim) shifted by (6, -6) px on frame
# 40 only, over the pan. Scores 9.0 against the threshold of 6; the clean pan
# peaks at 3.3. (A 64x64 patch shifted 8 px across scores 5.0: too small a
# part of its 80x45 regions to stand out from a pan over uneven texture.)
qcc jump_pan "$PAN" "[v]split[m][c];[c]crop=80:80:206:144[s];[m][s]overlay=200:150:enable='eq(n,$AT)',$TAGS[d]" && found jump_pan microjump $AT $AT
# the same over the still photo (the cat's face)
qcc jump_still "$STILL" "[v]split[m][c];[c]crop=64:64:268:90[s];[m][s]overlay=260:90:enable='eq(n,$AT)',$TAGS[d]" && found jump_still microjump $AT $AT

# shimmer: temporal noise (uniform, +-8) on the cat's fur from frame 40
qcc shimmer "$STILL" "[v]split[m][c];[c]crop=160:120:300:100,noise=alls=8:allf=t[s];[m][s]overlay=300:100:enable='gte(n,$AT)',$TAGS[d]" && found shimmer shimmer $AT $AT

# banding: a gradient drifting a quarter code value a frame (0.23 code
# values a pixel across, 0.06 down). Clean, it is dithered (static noise of +-4 code
# values, as a careful render or encode leaves it), so no flat run reaches
# 8 px; from frame 40 it is quantised to 8-code steps without dither:
# terraces 34 px wide.
GRAD="color=c=gray:s=640x360:r=$R,trim=end_frame=$N,format=yuv420p,geq=lum='20+150*X/W+20*Y/H+N/4':cb=128:cr=128"
qc clean_gradient "$GRAD" "noise=alls=4,$TAGS" && clean clean_gradient
qc banding "$GRAD" "lutyuv=y='bitand(val,248)':enable='gte(n,$AT)',noise=alls=4:enable='lt(n,$AT)',$TAGS" && found banding banding $AT $AT

# crushed blacks / clipped highlights by curves from frame 40
qc crushed "$PAN" "curves=all='0/0 0.35/0 1/1':enable='gte(n,$AT)',format=yuv420p,$TAGS" && found crushed black $AT $AT
qc clipped "$PAN" "curves=all='0/0 0.6/1 1/1':enable='gte(n,$AT)',format=yuv420p,$TAGS" && found clipped white $AT $AT

# timing: frame 40 half a frame late; frame 40 two frames early
qc late "$PAN" "setpts='(N+0.5*eq(N,$AT))/$R/TB',$TAGS" && found late timing $AT $AT
qc backwards "$PAN" "setpts='(N-2*eq(N,$AT))/$R/TB',$TAGS" && {
    found backwards timing $AT $AT
    grep -q 'non-monotonic' "$W/backwards.json" && pass "backwards: called non-monotonic" || fail "backwards: called non-monotonic" "$(first backwards timing detail)"
}
qc fps24 "$PAN" "$TAGS" "expect_fps=24" && found fps24 timing 0 0
qc fps25 "$PAN" "$TAGS" "expect_fps=25" && clean fps25

# colour: SDR then PQ-tagged from frame 40; untagged input
qcc tagchange "$PAN" "[v]split[a][b];[a]trim=end_frame=$AT,$TAGS[a1];[b]trim=start_frame=$AT,setparams=range=tv:color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc[b1];[a1][b1]concat=n=2:v=1[d]" && {
    found tagchange colour $AT $AT
    grep -q 'HDR and SDR mixed' "$W/tagchange.json" && pass "tagchange: HDR and SDR mixed named" || fail "tagchange: HDR and SDR mixed named" "$(first tagchange colour detail)"
}
# (FFmpeg 8.1 keeps the PNG's range=pc and colorspace=gbr through scale: strip them)
qc untagged "$PAN" "setparams=range=unknown:color_primaries=unknown:color_trc=unknown:colorspace=unknown" && found untagged colour 0 0

# ---------------------------------------------------------------- verdict, fail=1
if ff_fails -f lavfi -i "$PAN" -vf "eq=brightness=0.03:enable='between(n,$AT,$((AT + 4)))',$TAGS,qcdetect=fail=1" -f null -; then
    fail "fail=1 on a flickering clip exits non-zero" "exit 0"
else
    grep -q 'QC failed' "$W/last.err" && pass "fail=1 on a flickering clip exits non-zero with 'QC failed'" \
        || fail "fail=1 message" "$(tail -n 2 "$W/last.err")"
fi
ff -f lavfi -i "$PAN" -vf "$TAGS,qcdetect=fail=1" -f null - && pass "fail=1 on a clean clip exits 0"
check "verdict fail in the flicker report" "\"$(verdict flicker)\" == \"fail\""

# ---------------------------------------------------------------- options
for o in flicker=100 microjump=0.5 banding=2 black=-1 loop_frames=1 timing=5; do
    if ff_fails -f lavfi -i "testsrc2=s=64x64:d=0.1" -vf "qcdetect=$o" -f null -; then
        fail "qcdetect=$o rejected" "accepted"
    else
        name=${o%%=*}
        grep -q "'$name' out of range" "$W/last.err" && pass "qcdetect=$o rejected, naming the option and range" \
            || fail "qcdetect=$o message" "$(tail -n 1 "$W/last.err")"
    fi
done

# ---------------------------------------------------------------- plot=FILE.png
# The PNG writer on its own: every colour type and deflate mode decodes to
# the pixels it was given.
for mode in "palette stored" "palette runs" "rgb stored" "rgb runs"; do
    set -- $mode
    if "$AIPOST_TOOLS/pngpattern" "$1" "$2" 333 150 "$W/pat.png" "$W/pat.rgb" &&
       ff -i "$W/pat.png" -f rawvideo -pix_fmt rgb24 "$W/pat.dec"; then
        same_file "png writer: $1 $2 decodes to its pixels" "$W/pat.rgb" "$W/pat.dec"
    else
        fail "png writer: $1 $2 decodes" "$(tail -n 1 "$W/last.err")"
    fi
done

# Plot geometry (aipost/plot.h): 1024 wide; strip k (enabled detectors in
# the order frozen flicker microjump banding black white shimmer loop
# timing colour) spans rows 36 + 50 k .. +44, its data columns 128..1007;
# time t maps to column 128 + floor((t - t0) / (t1 - t0) * 880), t1 = the
# last frame's time + one frame interval.
PLOT_X0=128 PLOT_AREA_W=880 PLOT_TITLE_H=36 PLOT_PITCH=50 PLOT_STRIP_H=44 PLOT_AXIS_H=30

# shade_columns PNG STRIP: the data columns (0-based in the area) of strip
# STRIP that hold an event shade (any severity), as "first last count", or
# nothing.
shade_columns() {
    ff -i "$1" -vf "crop=$PLOT_AREA_W:$PLOT_STRIP_H:$PLOT_X0:$((PLOT_TITLE_H + $2 * PLOT_PITCH))" \
        -f rawvideo -pix_fmt rgb24 "$W/strip.rgb" || return 1
    od -An -v -tu1 -w3 "$W/strip.rgb" | awk -v w=$PLOT_AREA_W '
        { c = (NR - 1) % w }
        ($1 == 255 && $2 == 226 && $3 == 120) || ($1 == 255 && $2 == 170 && $3 == 80) ||
        ($1 == 255 && $2 == 110 && $3 == 110) {
            if (!(c in seen)) { seen[c] = 1; n++ }
            if (first == "" || c < first) first = c
            if (c > last) last = c
        }
        END { if (n) print first, last, n }'
}

# The micro-jump on frame 40 of 80 (25 fps): t0 0, t1 3.2; its event spans
# [1.6, 1.64), columns floor(1.6 / 3.2 * 880) = 440 .. floor(1.64 / 3.2 *
# 880) - 1 = 449 of the microjump strip (strip 2): 1.64 / 3.2 * 880 is a
# hair under 451 in binary floating point, and awk computes it the same way.
qcc plot_jump "$PAN" "[v]split[m][c];[c]crop=80:80:206:144[s];[m][s]overlay=200:150:enable='eq(n,$AT)',$TAGS[d]" "plot=$W/jump.png" && {
    size=$(ffprobe -show_entries stream=width,height -of csv=p=0 "$W/jump.png")
    check "plot: ffprobe reads a 1024x566 PNG (ten strips; got ${size:-nothing})" \
        "\"$size\" == \"1024,$((PLOT_TITLE_H + 10 * PLOT_PITCH + PLOT_AXIS_H))\""
    x0=$(awk -v t=1.6 -v a=$PLOT_AREA_W 'BEGIN { print int(t / 3.2 * a) }')
    x1=$(awk -v t=1.64 -v a=$PLOT_AREA_W 'BEGIN { print int(t / 3.2 * a) - 1 }')
    got=$(shade_columns "$W/jump.png" 2)
    check "plot: microjump shaded at columns $x0..$x1 (1.6 s) and nowhere else in its strip (got ${got:-none})" \
        "\"$got\" == \"$x0 $x1 $((x1 - x0 + 1))\""
}
qc plot_clean "$PAN" "$TAGS" "plot=$W/clean.png" && {
    shaded=
    for k in 0 1 2 3 4 5 6 7 8 9; do
        [ -z "$(shade_columns "$W/clean.png" $k)" ] || shaded="$shaded $k"
    done
    check "plot: a clean clip's plot has no shading (strips shaded:${shaded:- none})" "\"$shaded\" == \"\""
}
# only enabled detectors get a strip
qc plot_two "$PAN" "$TAGS" "detectors=flicker+loop:plot=$W/two.png" && {
    size=$(ffprobe -show_entries stream=width,height -of csv=p=0 "$W/two.png")
    check "plot: two detectors, two strips (got ${size:-nothing})" \
        "\"$size\" == \"1024,$((PLOT_TITLE_H + 2 * PLOT_PITCH + PLOT_AXIS_H))\""
}
refused "plot: an unwritable path fails at init, naming it" "Cannot write the plot to $W/no/such/dir/p.png" -- \
    -f lavfi -i "testsrc2=s=64x64:d=0.1" -vf "qcdetect=plot=$W/no/such/dir/p.png" -f null -

# ---------------------------------------------------------------- formats, threads, pass-through
qc flicker10 "$PAN" "format=yuv420p10,eq=brightness=0.03:enable='between(n,$AT,$((AT + 4)))',$TAGS" && found flicker10 flicker $AT $AT
qc flicker444p12 "$PAN" "format=yuv444p12,eq=brightness=0.03:enable='between(n,$AT,$((AT + 4)))',$TAGS" && found flicker444p12 flicker $AT $AT
qc gray "$PAN" "format=gray,$TAGS" && clean gray
qc gray16_loop "$PAN" "format=gray16,loop=loop=4:size=1:start=$AT,setpts=N/$R/TB,$TAGS" && found gray16_loop frozen $AT $AT

ff -filter_threads 1 -f lavfi -i "$STILL" -vf "$TAGS,qcdetect" -f ffmetadata "$W/meta1.txt" &&
ff -filter_threads 2 -f lavfi -i "$STILL" -vf "$TAGS,qcdetect" -f ffmetadata "$W/meta2.txt" &&
ff -filter_threads 1 -f lavfi -i "$STILL" -vf "$TAGS,qcdetect,metadata=print:file=$W/m1.txt" -f null - &&
ff -filter_threads 2 -f lavfi -i "$STILL" -vf "$TAGS,qcdetect,metadata=print:file=$W/m2.txt" -f null - &&
same_file "metadata identical for 1 and 2 filter threads" "$W/m1.txt" "$W/m2.txt"

ff -f lavfi -i "$STILL" -vf "$TAGS" -f framemd5 "$W/in.md5" &&
ff -f lavfi -i "$STILL" -vf "$TAGS,qcdetect" -f framemd5 "$W/out.md5" &&
same_file "frames pass through unchanged (framemd5)" "$W/in.md5" "$W/out.md5"

# every frame carries the keys, readable by ffprobe
keys=$(ffprobe -f lavfi "testsrc2=s=320x180:d=0.4,qcdetect" -show_frames 2>/dev/null | grep -c 'TAG:lavfi.qcdetect.mean=')
check "ffprobe shows lavfi.qcdetect.mean on every frame ($keys of 10)" "$keys == 10"

# A run stopped early is not a pass: complete false, verdict incomplete.
ff -f lavfi -i "testsrc2=s=160x120:r=25:d=4" -t 1 -vf "qcdetect=report=$W/early.json:detectors=frozen" -f null -
if grep -q '"complete": false' "$W/early.json" && grep -q '"verdict": "incomplete"' "$W/early.json"; then
    pass "a run stopped early reports complete=false, verdict incomplete"
else
    fail "a run stopped early reports complete=false, verdict incomplete" "$(tail -n 3 "$W/early.json" | tr -d '\n')"
fi
