#!/bin/sh
# Every benchmark: bench/NAME.sh for each part, each printing its ratios
# against the stock FFmpeg way of doing the same job.
#
#   bench/run.sh [NAME...]     default: all of them
set -eu

dir=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
    names=$*
else
    names=$(for f in "$dir"/*.sh; do n=$(basename "$f" .sh); [ "$n" = run ] || echo "$n"; done)
fi
for n in $names; do
    echo "== $n"
    sh "$dir/$n.sh"
done
