#!/bin/sh
# Runs the unit tests (Check programs) and the filtergraph tests, then prints
# one summary line "N passed, N failed"; exits non-zero on any failure.
#
#   tests/run.sh            everything
#   tests/run.sh unit       unit tests only
#   tests/run.sh graph [NAME...]   graph tests only (tests/graph/test_NAME.sh)
#   tests/run.sh providers [NAME...]   provider-protocol tests against the
#                           emulator (tests/providers/test_NAME.sh)
#
# Environment (set by 'make check'): AIPOST_BIN (ffmpeg, ffprobe),
# AIPOST_TOOLS (framestats), AIPOST_UNIT (Check programs); AIPOST_WRAP runs
# every ffmpeg under a wrapper (e.g. "valgrind -q --error-exitcode=99").
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-all}
[ $# -gt 0 ] && shift

out=${AIPOST_TEST_OUT:-$top/build/test-out}
rm -rf "$out"
mkdir -p "$out"
results=$out/results
: > "$results"
export AIPOST_RESULTS=$results AIPOST_TEST_OUT=$out

if [ "$what" = all ] || [ "$what" = unit ]; then
    for t in "${AIPOST_UNIT:?}"/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        log=$out/$name.log
        CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300} "$t" > "$log" 2>&1
        rc=$?
        cat "$log"
        # Check's own summary: "NN%: Checks: N, Failures: F, Errors: E"
        line=$(grep -E 'Checks: [0-9]+' "$log" | tail -n 1)
        n=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
        f=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\).*/\1/p')
        e=$(echo "$line" | sed -n 's/.*Errors: \([0-9]*\).*/\1/p')
        if [ -z "$n" ]; then
            echo "FAIL unit/$name: no Check summary (exit $rc)" >> "$results"
            continue
        fi
        i=0
        while [ $i -lt $((n - f - e)) ]; do echo "ok unit/$name" >> "$results"; i=$((i + 1)); done
        i=0
        while [ $i -lt $((f + e)) ]; do echo "FAIL unit/$name" >> "$results"; i=$((i + 1)); done
        [ $rc = 0 ] || [ $((f + e)) -gt 0 ] || echo "FAIL unit/$name: exit $rc" >> "$results"
    done
fi

if [ "$what" = all ] || [ "$what" = graph ]; then
    if [ $# -gt 0 ]; then
        scripts=$(for n in "$@"; do echo "$top/tests/graph/test_$n.sh"; done)
    else
        scripts=$(ls "$top"/tests/graph/test_*.sh)
    fi
    for g in $scripts; do
        echo "== $(basename "$g" .sh)"
        sh "$g" || echo "FAIL $(basename "$g" .sh): script exited $?" >> "$results"
    done
fi

if [ "$what" = all ] || [ "$what" = providers ]; then
    if [ "$what" = providers ] && [ $# -gt 0 ]; then
        scripts=$(for n in "$@"; do echo "$top/tests/providers/test_$n.sh"; done)
    else
        scripts=$(ls "$top"/tests/providers/test_*.sh)
    fi
    for g in $scripts; do
        echo "== providers/$(basename "$g" .sh)"
        sh "$g" || echo "FAIL providers/$(basename "$g" .sh): script exited $?" >> "$results"
    done
fi

passed=$(grep -c '^ok' "$results")
failed=$(grep -c '^FAIL' "$results")
if [ "$failed" -gt 0 ]; then
    echo
    echo "Failures:"
    grep '^FAIL' "$results"
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
