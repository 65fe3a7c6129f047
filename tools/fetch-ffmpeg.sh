#!/bin/sh
# Fetch the pristine upstream FFmpeg source of a release series from Debian's
# source packages, with apt, keeping apt's lists and downloads under the
# given folder so that nothing in the system's apt configuration changes.
#
#   tools/fetch-ffmpeg.sh SERIES DIR      e.g. tools/fetch-ffmpeg.sh 7.1 build/src
#
# Prints the path of the upstream tarball (DIR/ffmpeg_X.Y.Z.orig.tar.xz).
# 7.1.x comes from trixie, 8.1.x from sid, 9.0.x from experimental; any point
# release is taken, the newest one the suite carries.
set -eu

series=${1:?usage: fetch-ffmpeg.sh SERIES DIR}
dir=${2:?usage: fetch-ffmpeg.sh SERIES DIR}

case $series in
    7.1) suites="trixie trixie-updates trixie-security" ;;
    8.1) suites="sid" ;;
    9.0) suites="experimental sid" ;;
    *) echo "fetch-ffmpeg: unsupported release '$series' (7.1, 8.1 or 9.0)" >&2; exit 1 ;;
esac

command -v apt-get >/dev/null 2>&1 || {
    echo "fetch-ffmpeg: apt-get is not available on this machine. Download ffmpeg-$series.x" >&2
    echo "  from https://ffmpeg.org/releases/, unpack it and run ./configure --ffmpeg-src=DIR" >&2
    exit 1
}

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || {
    echo "fetch-ffmpeg: $keyring is missing: install debian-archive-keyring, or pass --ffmpeg-src=DIR" >&2
    exit 1
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
apt=$dir/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc/sources.list.d" "$apt/etc/preferences.d"
: > "$apt/etc/sources.list"
for s in $suites; do
    case $s in
        *-security) echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian-security ${s%-security}-security main" ;;
        *)          echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian $s main" ;;
    esac >> "$apt/etc/sources.list"
done

# A private apt: its own sources, lists, cache and (empty) preferences; it
# downloads as root into our folder rather than as the _apt user.
set -- -o Dir::Etc::SourceList="$apt/etc/sources.list" \
       -o Dir::Etc::SourceParts="$apt/etc/sources.list.d" \
       -o Dir::Etc::Preferences="$apt/etc/preferences" \
       -o Dir::Etc::PreferencesParts="$apt/etc/preferences.d" \
       -o Dir::State::Lists="$apt/lists" \
       -o Dir::Cache="$apt/cache" \
       -o APT::Sandbox::User=root \
       -o Acquire::Languages=none \
       -o Debug::NoLocking=1

if ! apt-get "$@" -qq update >"$apt/update.log" 2>&1; then
    cat "$apt/update.log" >&2
    echo "fetch-ffmpeg: could not read Debian's source lists ($suites)." >&2
    echo "  Without network access, unpack an FFmpeg $series source tree and run ./configure --ffmpeg-src=DIR" >&2
    exit 1
fi

# Versions of the series among the suites, newest first. A suite's lists
# can name a version its mirror does not carry yet (seen: trixie-security
# listing 7.1.6 while its pool answered 404), so each is tried in turn.
versions=$(apt-cache "$@" showsrc ffmpeg 2>/dev/null | sed -n 's/^Version: //p' |
           grep -E "^([0-9]+:)?$(echo "$series" | sed 's/\./\\./')\.[0-9]+-" | sort -uVr)
[ -n "$versions" ] || {
    echo "fetch-ffmpeg: no ffmpeg $series.x source package in $suites." >&2
    exit 1
}

for version in $versions; do
    upstream=$(echo "$version" | sed 's/^[0-9]*://; s/-[^-]*$//')
    tarball=$dir/ffmpeg_$upstream.orig.tar.xz
    if [ -s "$tarball" ]; then
        echo "$tarball"
        exit 0
    fi
    if (cd "$dir" && apt-get "$@" -qq source --download-only "ffmpeg=$version" >"$apt/source.log" 2>&1) &&
       [ -s "$tarball" ]; then
        echo "$tarball"
        exit 0
    fi
    echo "fetch-ffmpeg: ffmpeg $version could not be downloaded; trying an older point release" >&2
    sed 's/^/  /' "$apt/source.log" | tail -n 3 >&2
done
echo "fetch-ffmpeg: no ffmpeg $series.x source could be downloaded ($(echo $versions))." >&2
exit 1
