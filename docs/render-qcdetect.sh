#!/bin/sh
# Renders the sample picture report of docs/qcdetect.md from bundled media
# with the built ffmpeg:  docs/render-qcdetect.sh   (after make)
#
# A 4.4-second pan over a photo (25 fps, 1.2 px a frame: the clean pan of
# tests/graph/test_qcdetect.sh) with four defects injected: a 4-frame
# freeze at 0.8 s, a one-frame local jump at 1.6 s, a brightness pulse at
# 2.6 s and crushed shadows from 3.4 s on.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ff="${AIPOST_BIN:-$top/build/bin}/ffmpeg -hide_banner -nostdin -loglevel error -y"
img=$top/docs/img
media=$top/samples/media
mkdir -p "$img"

R=25
pan="movie=$media/coffee.png,loop=loop=-1:size=1,settb=1/1000,setpts=N/$R/TB,scale=800:534,crop=640:360:x='20+n*1.2':y='10+n*0.4':exact=1,trim=end_frame=110,format=yuv420p"
tags="setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"
$ff -f lavfi -i "$pan" -filter_complex "[0:v]loop=loop=4:size=1:start=20,setpts=N/$R/TB,split[m][c];[c]crop=80:80:206:144[s];[m][s]overlay=200:150:enable='eq(n,40)',eq=brightness=0.03:enable='between(n,65,69)',curves=all='0/0 0.35/0 1/1':enable='gte(n,85)',format=yuv420p,$tags,trim=end_frame=110,qcdetect=plot=$img/qcdetect-report.png" \
    -f null -
