#!/bin/sh
# Segment-parallel processing of one clip, the way a transcode farm runs it:
# cut the clip into N segments by frame, process each apart (here with
# xargs -P; on a farm each segment's script is one job), join the results.
#
#   samples/farm.sh [-j JOBS] [-o FRAMES] [-s SCORE] [-c "ENCODER ARGS"]
#                   [-f FORMAT] [-k] IN OUT FILTERGRAPH N
#
#   -j JOBS    segments processed at once (default N)
#   -o FRAMES  overlap: frames decoded and filtered before and after each
#              segment and then dropped, for filters whose output at a frame
#              depends on frames around it (default 0; see docs/README.md)
#   -s SCORE   cut only at scene cuts (frames whose scene score, ffmpeg's
#              select 'scene', is above SCORE, e.g. 0.3): each boundary moves
#              to the cut nearest to where the even split puts it, for filters
#              whose state starts afresh at a cut (socialprep's camera path);
#              fewer segments when there are fewer cuts
#   -c ARGS    encoder of the segments (default lossless FFV1: the joined
#              file then holds exactly what the filters made)
#   -f FORMAT  container of the segments and of OUT (default matroska)
#   -k         keep the work folder (OUT.farm/: the job scripts, segments, logs)
#
# Each segment k holds the input frames [F k / N, F (k + 1) / N) (F frames in
# all, counted from the packets, so nothing is decoded to plan; -s decodes
# once to find the cuts). Its job
# seeks to just before its first frame (minus the overlap) with the input's
# own timestamps kept (-copyts), so a filter that keys on pts sees the same
# numbers as in a single run; it keeps the output frames whose time falls in
# [T_k, T_k+1), T_k the time of segment k's first input frame, so a filter
# that changes the frame rate is cut at the same instants in every segment.
# The join is a stream copy of the segments in order, re-timed to start
# where the input's first frame does.
#
# A filter that is a pure function of the frame and its timestamp (aigrain,
# qcdetect, which passes frames through) joins bit-identically with
# no overlap; one that looks at a bounded window of frames around the current
# one joins bit-identically with an overlap at least that window; one with
# unbounded memory does not (the docs list which is which).
#
# The environment's AIPOST_BIN names the folder with ffmpeg and ffprobe
# (default build/bin of this checkout).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${AIPOST_BIN:-$top/build/bin}

usage() {
    sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

jobs=
overlap=0
scene=
codec="-c:v ffv1 -level 3 -g 1 -slicecrc 0"
format=matroska
keep=0
while getopts j:o:s:c:f:kh opt; do
    case $opt in
        j) jobs=$OPTARG ;;
        o) overlap=$OPTARG ;;
        s) scene=$OPTARG ;;
        c) codec=$OPTARG ;;
        f) format=$OPTARG ;;
        k) keep=1 ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# = 4 ] || usage
in=$1 out=$2 graph=$3 n=$4

case $n in ''|*[!0-9]*) echo "farm: N must be a positive integer, not '$n'" >&2; exit 2 ;; esac
case $overlap in ''|*[!0-9]*) echo "farm: -o takes a number of frames, not '$overlap'" >&2; exit 2 ;; esac
[ "$n" -ge 1 ] || { echo "farm: N must be at least 1" >&2; exit 2; }
[ -r "$in" ] || { echo "farm: cannot read $in" >&2; exit 2; }
case $in in /*) in_abs=$in ;; *) in_abs=$PWD/$in ;; esac
if [ -n "$scene" ] && ! awk -v s="$scene" 'BEGIN { exit !(s + 0 > 0 && s + 0 < 1) }'; then
    echo "farm: -s takes a scene score between 0 and 1, not '$scene'" >&2
    exit 2
fi

work=$(cd "$(dirname "$out")" && pwd)/$(basename "$out").farm
rm -rf "$work"
mkdir -p "$work"
[ $keep = 1 ] || trap 'rm -rf "$work"' EXIT INT TERM

ffprobe() { "$bin/ffprobe" -v error "$@"; }

# The video stream's time base and its frames' timestamps in presentation
# order, from the packets (no decoding).
tb=$(ffprobe -select_streams v:0 -show_entries stream=time_base -of csv=p=0 "file:$in_abs")
ffprobe -select_streams v:0 -show_entries packet=pts -of csv=p=0 "file:$in_abs" |
    grep -v '^N/A' | sort -n > "$work/pts"
frames=$(wc -l < "$work/pts")
[ "$frames" -ge "$n" ] || { echo "farm: $in has $frames frames, fewer than $n segments" >&2; exit 1; }
num=${tb%/*} den=${tb#*/}

# pts of frame i (0-based), or the end: one interval past the last frame.
pts_at() {
    awk -v i="$1" -v f="$frames" '
        { p[NR - 1] = $1 }
        END {
            if (i < f) print p[i]
            else if (f > 1) print p[f - 1] + (p[f - 1] - p[f - 2])
            else print p[0] + 1
        }' "$work/pts"
}
# seconds of a pts, exact to the microsecond (what trim compares in)
secs() { awk -v p="$1" -v a="$num" -v b="$den" 'BEGIN { printf "%.6f", p * a / b }'; }

# Segment boundaries (first frame of each segment, then the end): the even
# split, or with -s the scene cuts nearest to it.
if [ -z "$scene" ]; then
    awk -v f="$frames" -v n="$n" 'BEGIN { for (k = 0; k < n; k++) print int(f * k / n); print f }' > "$work/bounds"
else
    # (in the work folder, so no path needs escaping inside the graph)
    (cd "$work" && "$bin/ffmpeg" -hide_banner -nostdin -loglevel error -copyts -i "file:$in_abs" -map 0:v:0 \
        -vf "select='gt(scene,$scene)',metadata=print:file=cuts.txt" -f null -) ||
        { echo "farm: scene detection on $in failed" >&2; exit 1; }
    sed -n 's/^frame:[0-9]* *pts:\([-0-9]*\).*/\1/p' "$work/cuts.txt" > "$work/cuts.pts"
    # cut pts -> frame indices, then the nearest unused cut to each even split
    awk -v f="$frames" -v n="$n" '
        NR == FNR { idx[$1] = FNR - 1; next }
        ($1 in idx) && idx[$1] > 0 { cut[nc++] = idx[$1] }
        END {
            print 0; prev = 0
            for (k = 1; k < n; k++) {
                want = f * k / n; best = -1
                for (i = 0; i < nc; i++)
                    if (cut[i] > prev && (best < 0 || (cut[i] - want) ^ 2 < (best - want) ^ 2)) best = cut[i]
                if (best > prev) { print best; prev = best }
            }
            print f
        }' "$work/pts" "$work/cuts.pts" > "$work/bounds"
    found=$(($(wc -l < "$work/bounds") - 1))
    [ "$found" = "$n" ] || echo "farm: $((found - 1)) usable scene cuts above $scene: $found segments, not $n" >&2
    n=$found
fi
jobs=${jobs:-$n}

k=0
while [ $k -lt "$n" ]; do
    first=$(sed -n "$((k + 1))p" "$work/bounds")
    next=$(sed -n "$((k + 2))p" "$work/bounds")
    lo=$((first - overlap)); [ $lo -ge 0 ] || lo=0
    hi=$((next + overlap)); [ $hi -le "$frames" ] || hi=$frames
    t_first=$(secs "$(pts_at $first)")
    t_next=$(secs "$(pts_at $next)")
    p_lo=$(pts_at $lo)
    p_hi=$(pts_at $hi)
    # Seek to half a frame before the first frame decoded; the decoder
    # starts at the keyframe before it and ffmpeg drops what precedes.
    t_seek=$(awk -v p="$p_lo" -v a="$num" -v b="$den" -v d="$(secs "$(pts_at 1)")" -v z="$(secs "$(pts_at 0)")" \
        'BEGIN { s = p * a / b - (d - z) / 2; if (s < 0) s = 0; printf "%.6f", s }')
    seg=$(printf '%s/seg%04d.mkv' "$work" $k)
    # The input frames [lo, hi) by their pts, the graph, then the output
    # frames in [T_first, T_next) (the last segment keeps all to the end).
    select="trim=start_pts=$p_lo:end_pts=$p_hi"
    keepout="trim=start=$t_first"
    [ $((k + 1)) -lt "$n" ] && keepout="$keepout:end=$t_next"
    cat > "$(printf '%s/job%04d.sh' "$work" $k)" <<EOF
#!/bin/sh
# segment $k of $n: input frames $first..$((next - 1)) (decoded $lo..$((hi - 1)))
exec "$bin/ffmpeg" -hide_banner -nostdin -loglevel error -y -copyts -ss $t_seek -i "file:$in_abs" \\
    -map 0:v:0 -vf "$select,$graph,$keepout" $codec -fflags +bitexact -f $format "file:$seg" 2> "$seg.log"
EOF
    # The concat demuxer re-times segment k by its in point (T_k, not the
    # first frame's time, which a rate-changing filter may put later) and
    # the durations of those before it, given exactly here rather than read
    # from the containers (which round, or leave out the last frame's).
    printf "file '%s'\ninpoint %s\nduration %s\n" "$(basename "$seg")" "$t_first" \
        "$(awk -v a="$t_first" -v b="$t_next" 'BEGIN { printf "%.6f", b - a }')" >> "$work/list.txt"
    k=$((k + 1))
done

# The farm's part: every job script at once, JOBS at a time.
if ! for j in "$work"/job*.sh; do printf '%s\0' "$j"; done | xargs -0 -P "$jobs" -n 1 sh; then
    for l in "$work"/seg*.log; do [ -s "$l" ] && { echo "farm: $(basename "$l" .log):" >&2; tail -n 5 "$l" >&2; }; done
    echo "farm: a segment failed (work folder kept: $work)" >&2
    trap - EXIT INT TERM
    exit 1
fi

# Join: a stream copy of the segments in order; the input's audio, if any,
# comes along untouched.
set -- -f concat -safe 0 -i "file:$work/list.txt"
if [ -n "$(ffprobe -select_streams a -show_entries stream=index -of csv=p=0 "file:$in_abs")" ]; then
    set -- "$@" -i "file:$in_abs" -map 1:a -c:a copy
fi
"$bin/ffmpeg" -hide_banner -nostdin -loglevel error -y "$@" \
    -map 0:v -c:v copy -output_ts_offset "$(secs "$(pts_at 0)")" -f "$format" "$out"
echo "farm: $frames frames in $n segments (overlap $overlap) -> $out"
