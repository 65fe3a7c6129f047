#!/bin/sh
# Generate (or check) the series that registers aipost's parts in an FFmpeg
# release tree, from filters/parts.list.
#
#   tools/genpatches.sh PRISTINE_TREE|TARBALL SERIES   write patches/ffmpeg-SERIES/
#   tools/genpatches.sh --check PRISTINE_TREE SERIES   fail if they differ
#
# Supporting a new release is: unpack it, run this, build, test.
set -eu

check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
tree=${1:?usage: genpatches.sh [--check] PRISTINE_TREE SERIES}
series=${2:?usage: genpatches.sh [--check] PRISTINE_TREE SERIES}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/patches/ffmpeg-$series
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ -f "$tree" ]; then
    mkdir -p "$work/pristine"
    tar -xf "$tree" -C "$work/pristine" --strip-components=1
    tree=$work/pristine
fi

# The filter type: AVFilter up to 7.1, FFFilter from 8.0.
if grep -q '^extern const FFFilter ' "$tree/libavfilter/allfilters.c"; then ftype=FFFilter; else ftype=AVFilter; fi

parts=$(grep -v '^[[:space:]]*\(#\|$\)' "$top/filters/parts.list")

edit() { # FILE: copy into a/ and b/, print the b/ path
    mkdir -p "$work/a/$(dirname "$1")" "$work/b/$(dirname "$1")"
    cp "$tree/$1" "$work/a/$1"
    cp "$tree/$1" "$work/b/$1"
    echo "$work/b/$1"
}

# Insert the block on stdin before the first line matching REGEX in FILE.
insert_before() {
    block=$(cat)
    awk -v re="$2" -v block="$block" '!done && $0 ~ re { print block; done = 1 } { print } END { if (!done) exit 3 }' \
        "$1" > "$1.new" || { echo "genpatches: no line matching '$2' in $1" >&2; exit 1; }
    mv "$1.new" "$1"
}

f=$(edit libavfilter/allfilters.c)
for kind in vf af; do
    decls=$(echo "$parts" | awk -v k="$kind" -v t="$ftype" '$1 == "filter" && index($2, k "_") == 1 { print "extern const " t " ff_" $2 ";" }')
    [ -n "$decls" ] || continue
    printf '/* aipost */\n%s' "$decls" | insert_before "$f" "^extern const $ftype ff_${kind}_"
done

f=$(edit libavfilter/Makefile)
printf '# aipost filters\ninclude $(SRC_PATH)/libavfilter/aipost.mak\n' | insert_before "$f" '^# multimedia filters'

# Protocols: one extern line each in protocols.c (FFmpeg's configure makes
# protocol_list.c and CONFIG_X_PROTOCOL from them), their objects through
# libavformat/aipost.mak.
pdecls=$(echo "$parts" | awk '$1 == "protocol" { print "extern const URLProtocol ff_" $2 "_protocol;" }')
if [ -n "$pdecls" ]; then
    f=$(edit libavformat/protocols.c)
    printf '/* aipost */\n%s' "$pdecls" | insert_before "$f" '^extern const URLProtocol ff_'
    f=$(edit libavformat/Makefile)
    printf '# aipost protocols\ninclude $(SRC_PATH)/libavformat/aipost.mak\n\n' | insert_before "$f" '^# protocols I/O'
fi

deps=$(echo "$parts" | awk '
    $1 == "filter" && $3 != "-" { n = $2; sub(/^[a-z]+_/, "", n); printf "%s_filter_deps=\"%s\"\n", n, $3 }
    $1 == "protocol" && $3 != "-" { s = $3; gsub(/,/, " ", s); printf "%s_protocol_select=\"%s\"\n", $2, s }')
if [ -n "$deps" ]; then
    f=$(edit configure)
    printf '# aipost\n%s' "$deps" | insert_before "$f" '^# libraries, in any order'
fi

mkdir -p "$work/out"
(cd "$work" && diff -ruN a b) > "$work/out/0001-aipost-register-parts.patch" || true
sed -i -e 's|^--- a/\([^\t]*\).*|--- a/\1|' -e 's|^+++ b/\([^\t]*\).*|+++ b/\1|' -e '/^diff -ruN/d' \
    "$work/out/0001-aipost-register-parts.patch"

if [ $check = 1 ]; then
    if diff -u "$out/0001-aipost-register-parts.patch" "$work/out/0001-aipost-register-parts.patch"; then
        echo "patches/ffmpeg-$series is up to date"
    else
        echo "patches/ffmpeg-$series is stale: run tools/genpatches.sh $tree $series" >&2
        exit 1
    fi
else
    mkdir -p "$out"
    cp "$work/out/0001-aipost-register-parts.patch" "$out/"
    echo "wrote $out/0001-aipost-register-parts.patch"
fi
