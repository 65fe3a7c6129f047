# shellcheck shell=sh
# Helpers for the filtergraph tests: sourced by tests/graph/test_*.sh.
# Each check appends "ok NAME" or "FAIL NAME: why" to $AIPOST_RESULTS.

: "${AIPOST_BIN:?run through make check or tests/run.sh}"
: "${AIPOST_TOOLS:?}"
: "${AIPOST_RESULTS:?}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MEDIA=$TOP/samples/media
SUITE=$(basename "$0" .sh)
SUITE=${SUITE#test_}
W=$AIPOST_TEST_OUT/$SUITE
mkdir -p "$W"

# ffmpeg, quiet; errors go to $W/last.err for the checks that read them.
ff() {
    ${AIPOST_WRAP:-} "$AIPOST_BIN/ffmpeg" -hide_banner -nostdin -loglevel error -y "$@" 2> "$W/last.err"
    rc=$?
    [ $rc = 0 ] || { echo "  ffmpeg exited $rc: $*" >&2; tail -5 "$W/last.err" >&2; }
    return $rc
}

# ffmpeg expected to fail: quiet, its errors in $W/last.err.
ff_fails() {
    ${AIPOST_WRAP:-} "$AIPOST_BIN/ffmpeg" -hide_banner -nostdin -loglevel error -y "$@" 2> "$W/last.err"
}

ffprobe() {
    ${AIPOST_WRAP:-} "$AIPOST_BIN/ffprobe" -hide_banner -loglevel error "$@"
}

pass() { echo "ok $SUITE/$1" >> "$AIPOST_RESULTS"; echo "  ok   $1"; }
fail() { echo "FAIL $SUITE/$1: $2" >> "$AIPOST_RESULTS"; echo "  FAIL $1: $2"; }

# check NAME AWK_CONDITION [DETAIL]: pass when the condition holds.
check() {
    if awk "BEGIN { exit !($2) }" </dev/null; then pass "$1"; else fail "$1" "${3:-$2}"; fi
}

# measure PREFIX framestats-args...: run framestats, set PREFIX_key=value.
measure() {
    _p=$1
    shift
    # A measurement that cannot be made is a failure of its own, so a check
    # can never pass on a value left from an earlier measurement.
    _m=$("$AIPOST_TOOLS/framestats" "$@") || { fail "measure $_p" "framestats $* failed"; return 1; }
    eval "$(echo "$_m" | sed "s/^/${_p}_/")"
}

# same_file NAME A B: pass when A and B are byte-identical.
same_file() {
    if [ -s "$2" ] && cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$2 and $3 differ"; fi
}

# refused NAME PATTERN... -- FFMPEG-ARGS: pass when ffmpeg fails and its
# error output contains every PATTERN (fixed strings).
refused() {
    _name=$1
    shift
    _pats=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        _pats="$_pats$1
"
        shift
    done
    shift
    if ff_fails "$@"; then
        fail "$_name" "ffmpeg accepted it"
        return
    fi
    _missing=$(printf '%s' "$_pats" | while IFS= read -r _p; do
        grep -qF -- "$_p" "$W/last.err" || echo "$_p"; done)
    if [ -z "$_missing" ]; then pass "$_name"; else fail "$_name" "$(head -c 300 "$W/last.err")"; fi
}
