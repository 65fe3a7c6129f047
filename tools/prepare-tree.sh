#!/bin/sh
# Make the FFmpeg tree aipost builds in: a pristine release (tarball or
# directory), the registration series from patches/ffmpeg-SERIES applied,
# and every file of filters/ linked in, so an edit in filters/ is seen by
# FFmpeg's build at once.
#
#   tools/prepare-tree.sh SOURCE SERIES DEST     unpack, patch, link
#   tools/prepare-tree.sh --link DEST            (re)link filters/ only
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

link_overlay() {
    (cd "$top/filters" && find . -type f ! -name parts.list | sed 's|^\./||') | while read -r f; do
        mkdir -p "$1/$(dirname "$f")"
        ln -sfn "$top/filters/$f" "$1/$f"
    done
}

if [ "${1:-}" = --link ]; then
    link_overlay "${2:?usage: prepare-tree.sh --link DEST}"
    exit 0
fi

src=${1:?usage: prepare-tree.sh SOURCE SERIES DEST}
series=${2:?usage: prepare-tree.sh SOURCE SERIES DEST}
dest=${3:?usage: prepare-tree.sh SOURCE SERIES DEST}

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
if [ -d "$src" ]; then
    (cd "$src" && tar --exclude=.git -cf - .) | (cd "$dest.tmp" && tar -xf -)
else
    tar -xf "$src" -C "$dest.tmp" --strip-components=1
fi
[ -f "$dest.tmp/libavfilter/allfilters.c" ] || {
    echo "prepare-tree: $src is not an FFmpeg source tree" >&2
    exit 1
}
for p in "$top/patches/ffmpeg-$series"/*.patch; do
    patch -p1 -s -N -d "$dest.tmp" < "$p" || {
        echo "prepare-tree: $p does not apply to $src; regenerate it with tools/genpatches.sh" >&2
        exit 1
    }
done
link_overlay "$dest.tmp"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
