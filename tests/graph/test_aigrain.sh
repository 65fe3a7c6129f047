#!/bin/sh
# aigrain on the built ffmpeg: measured grain strength, shape and size,
# temporal modes, determinism (threads, C/SIMD, segments), formats, options,
# timeline, colour tags, the plate input, and survival through x264.
. "$(dirname "$0")/lib.sh"

FLAT_S=640x360

# pair NAME SOURCE FORMAT AIGRAIN_OPTIONS: luma of the input and of the output
# as raw planes $W/NAME.in and $W/NAME.out.
pair() {
    ff -f lavfi -i "$2" -filter_complex \
        "[0:v]format=$3,split[a][b];[a]extractplanes=y[i];[b]aigrain=$4,extractplanes=y[o]" \
        -map "[i]" -f rawvideo "$W/$1.in" -map "[o]" -f rawvideo "$W/$1.out"
}

flat() { echo "color=c=$1:s=$FLAT_S:r=25:d=${2:-0.4}"; }

# Expected grain deviation for an input whose limited-range luma mean is $1:
# strength * shape(n) * curve(n) with n the position between black and white.
expect() { # mean strength blend shadows midtones highlights
    awk -v m="$1" -v s="$2" -v b="$3" -v sh="$4" -v mi="$5" -v hi="$6" 'BEGIN {
        n = (m - 16) / 219; if (n < 0) n = 0; if (n > 1) n = 1
        shape = b == "add" ? 1 : 2 * (n < 1 - n ? n : 1 - n)
        c = n < 0.5 ? sh + (mi - sh) * n / 0.5 : mi + (hi - mi) * (n - 0.5) / 0.5
        printf "%.4f", s * shape * c }'
}

# ---------------------------------------------------------------- strength
for s in 2 4 8; do
    pair add$s "$(flat 0x808080)" yuv420p "strength=$s:blend=add"
    measure d stats 640 360 1 "$W/add$s.out" "$W/add$s.in"
    check "strength=$s blend=add: sd within 10%" "$d_sd >= 0.9 * $s && $d_sd <= 1.1 * $s" "sd $d_sd"
done

pair ov8 "$(flat 0x808080)" yuv420p "strength=8"
measure i stats 640 360 1 "$W/ov8.in"
measure d stats 640 360 1 "$W/ov8.out" "$W/ov8.in"
e=$(expect "$i_mean" 8 overlay 1 1 1)
check "overlay at mid-grey: sd within 10% of strength*shape ($e)" "$d_sd >= 0.9 * $e && $d_sd <= 1.1 * $e" "sd $d_sd"
check "overlay at mid-grey: mean preserved within 0.5" "$d_mean >= -0.5 && $d_mean <= 0.5" "mean shift $d_mean"

pair add10 "$(flat 0x808080)" yuv420p10 "strength=4:blend=add"
measure d stats 640 360 2 "$W/add10.out" "$W/add10.in"
check "10-bit: sd = strength x 4 code values within 10%" "$d_sd >= 0.9 * 16 && $d_sd <= 1.1 * 16" "sd $d_sd"
check "10-bit: mean preserved within 0.5 (8-bit units)" "$d_mean >= -2 && $d_mean <= 2" "mean shift $d_mean"

# ---------------------------------------------------------------- curve
for c in 0x404040 0xC0C0C0; do
    pair curve$c "$(flat $c)" yuv420p "strength=6:blend=add:shadows=2:midtones=1:highlights=0.5"
    measure i stats 640 360 1 "$W/curve$c.in"
    measure d stats 640 360 1 "$W/curve$c.out" "$W/curve$c.in"
    e=$(expect "$i_mean" 6 add 2 1 0.5)
    check "curve at luma $i_mean: sd within 10% of $e" "$d_sd >= 0.9 * $e && $d_sd <= 1.1 * $e" "sd $d_sd"

    pair ovc$c "$(flat $c)" yuv420p "strength=6"
    measure d stats 640 360 1 "$W/ovc$c.out" "$W/ovc$c.in"
    e=$(expect "$i_mean" 6 overlay 1 1 1)
    check "overlay falls off at luma $i_mean: sd within 10% of $e" "$d_sd >= 0.9 * $e && $d_sd <= 1.1 * $e" "sd $d_sd"
done

pair black "$(flat 0x000000)" yuv420p "strength=8"
measure d stats 640 360 1 "$W/black.out" "$W/black.in"
check "overlay leaves black black" "$d_maxabs == 0" "max change $d_maxabs"

# ---------------------------------------------------------------- size
last=0
for z in 1 2 4; do
    pair size$z "$(flat 0x808080 0.2)" yuv444p "strength=8:blend=add:size=$z:size_ref=0"
    measure a fwhm 640 360 1 "$W/size$z.out" "$W/size$z.in"
    check "size=$z: autocorrelation width grows ($a_fwhm > $last)" "$a_fwhm > $last"
    last=$a_fwhm
done
check "size=4: autocorrelation width within 20% of 4" "$a_fwhm >= 3.2 && $a_fwhm <= 4.8" "width $a_fwhm"
pair sizeref "$(flat 0x808080 0.2)" yuv444p "strength=8:blend=add:size=2:size_ref=360"
same_file "size scales with resolution: size=2 at size_ref=360 on 360 lines is 2 px" "$W/sizeref.out" "$W/size2.out"

# ---------------------------------------------------------------- temporal
pair tdyn "$(flat 0x808080)" yuv420p "strength=6:blend=add"
measure t tcorr 640 360 1 "$W/tdyn.out" "$W/tdyn.in"
check "temporal=dynamic: frames uncorrelated" "$t_tcorr < 0.1 && $t_tcorr > -0.1" "corr $t_tcorr"
pair tsta "$(flat 0x808080)" yuv420p "strength=6:blend=add:temporal=static"
measure t tcorr 640 360 1 "$W/tsta.out" "$W/tsta.in"
check "temporal=static: the same grain every frame" "$t_tcorr > 0.999" "corr $t_tcorr"
pair tcor "$(flat 0x808080 0.8)" yuv420p "strength=6:blend=add:temporal=correlated:coherence=8"
measure t tcorr 640 360 1 "$W/tcor.out" "$W/tcor.in"
check "temporal=correlated: neighbours correlated, not equal" "$t_tcorr > 0.7 && $t_tcorr < 0.99" "corr $t_tcorr"

# ---------------------------------------------------------------- determinism
src="testsrc2=s=643x361:r=25:d=0.32"
for fmt in yuv420p yuv422p10 yuv444p12 yuv420p16 gbrp gbrp10 gray gray10; do
    # The input is made once: with -cpuflags 0 FFmpeg's own conversions
    # would round differently, and only aigrain is under test.
    ff -f lavfi -i "$src" -vf "format=$fmt" -c:v rawvideo "$W/src_$fmt.nut"
    for t in 1 2 7; do
        ff -filter_threads $t -i "$W/src_$fmt.nut" -vf "aigrain=strength=10:chroma=0.8" \
            -f md5 "$W/thr_${fmt}_$t.md5"
    done
    ff -cpuflags 0 -i "$W/src_$fmt.nut" -vf "aigrain=strength=10:chroma=0.8" -f md5 "$W/c_$fmt.md5"
    if cmp -s "$W/thr_${fmt}_1.md5" "$W/thr_${fmt}_2.md5" && cmp -s "$W/thr_${fmt}_1.md5" "$W/thr_${fmt}_7.md5"; then
        pass "$fmt: identical for 1, 2 and 7 threads"
    else
        fail "$fmt: identical for 1, 2 and 7 threads" "outputs differ"
    fi
    same_file "$fmt: C reference and SIMD identical" "$W/c_$fmt.md5" "$W/thr_${fmt}_1.md5"
done
ff -f lavfi -i "$src" -vf "format=yuv420p,aigrain=seed=1" -f md5 "$W/seed1.md5"
ff -f lavfi -i "$src" -vf "format=yuv420p,aigrain=seed=2" -f md5 "$W/seed2.md5"
if cmp -s "$W/seed1.md5" "$W/seed2.md5"; then fail "seed changes the grain" "same output"; else pass "seed changes the grain"; fi

# Segments processed apart and joined: frames 30..59 of a 60-frame run
# equal the same frames processed alone, keyed by pts or by start_number.
seg="testsrc2=s=320x240:r=25:d=2.4"
hashes() { awk -F, '!/^#/ { print $NF }' "$1"; }
ff -f lavfi -i "$seg" -vf "aigrain=strength=8" -f framemd5 "$W/whole.fmd5"
ff -f lavfi -i "$seg" -vf "trim=start_frame=30,aigrain=strength=8" -f framemd5 "$W/seg_pts.fmd5"
hashes "$W/whole.fmd5" | tail -n +31 > "$W/whole.tail"
hashes "$W/seg_pts.fmd5" > "$W/seg_pts.h"
same_file "segments keyed by pts join bit-exactly" "$W/whole.tail" "$W/seg_pts.h"
ff -f lavfi -i "$seg" -vf "aigrain=strength=8:frame_index=count" -f framemd5 "$W/wholec.fmd5"
ff -f lavfi -i "$seg" -vf "trim=start_frame=30,setpts=PTS-STARTPTS,aigrain=strength=8:frame_index=count:start_number=30" \
    -f framemd5 "$W/seg_cnt.fmd5"
hashes "$W/wholec.fmd5" | tail -n +31 > "$W/wholec.tail"
hashes "$W/seg_cnt.fmd5" > "$W/seg_cnt.h"
same_file "segments keyed by start_number join bit-exactly" "$W/wholec.tail" "$W/seg_cnt.h"

# ---------------------------------------------------------------- formats
for fmt in yuv420p yuv422p yuv444p yuvj420p yuv420p10 yuv422p12 yuv444p16 gbrp gbrp12 gbrp16 gray gray10 gray16; do
    got=$(ffprobe -f lavfi "testsrc2=s=96x64:d=0.04,format=$fmt,aigrain" -show_entries frame=pix_fmt -of csv=p=0)
    check "$fmt in, $fmt out (no conversion)" "\"$got\" == \"$fmt\" || \"$got\" == \"${fmt}le\"" "got '$got'"
done

# ---------------------------------------------------------------- colour tags
tags=$(ffprobe -f lavfi "testsrc2=s=96x64:d=0.04,format=yuv420p10,setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc:range=pc,aigrain" \
    -show_entries frame=color_range,color_primaries,color_transfer,color_space -of csv=p=0)
check "colour tags pass through" "\"$tags\" == \"pc,bt2020nc,bt2020,smpte2084\"" "got '$tags'"

# ---------------------------------------------------------------- timeline
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -vf "aigrain=strength=8:enable='between(n,3,5)'" -f framemd5 "$W/tl.fmd5"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=0.4" -f framemd5 "$W/tl_in.fmd5"
hashes "$W/tl.fmd5" > "$W/tl.h"
hashes "$W/tl_in.fmd5" > "$W/tl_in.h"
changed=$(paste -d' ' "$W/tl.h" "$W/tl_in.h" | awk '{ printf "%d", $1 != $2 }')
check "enable= applies grain to frames 3-5 only" "\"$changed\" == \"0001110000\"" "changed frames: $changed"

# ---------------------------------------------------------------- options
for bad in strength=33 strength=-1 size=0.1 size=9 size_ref=9000 chroma=1.5 shadows=5 \
           midtones=-1 highlights=4.5 opacity=2 coherence=1 seed=-5 plate_frames=0 \
           start_number=9999999999; do
    refused "$bad is refused, naming the option and its range" "${bad%%=*}" "out of range" -- \
        -f lavfi -i "testsrc2=d=0.04" -vf "aigrain=$bad" -f null -
done
for bad in blend=multiply temporal=sometimes frame_index=frames; do
    refused "$bad is refused, naming the option" "${bad%%=*}" -- \
        -f lavfi -i "testsrc2=d=0.04" -vf "aigrain=$bad" -f null -
done
if ff_fails -f lavfi -i "testsrc2=s=3840x2160:d=0.04" -vf "aigrain=size=8:size_ref=480" -f null -; then
    fail "grain too large for the picture is refused" "accepted"
else
    check "grain too large for the picture is refused, saying what to change" \
        "$(grep -c 'lower size or raise size_ref' "$W/last.err") == 1"
fi
"$AIPOST_BIN/ffmpeg" -hide_banner -h filter=aigrain > "$W/help.txt" 2>&1
check "ffmpeg -h filter=aigrain documents every option" \
    "$(grep -cE '^ +(strength|size|size_ref|chroma|shadows|midtones|highlights|blend|opacity|temporal|coherence|seed|frame_index|start_number|plate|plate_frames) ' "$W/help.txt") == 16"

# ---------------------------------------------------------------- plate
# A grain plate around mid-grey, as practitioners scan or buy them.
ff -f lavfi -i "color=c=0x808080:s=320x240:r=25:d=0.16,format=gbrp,noise=alls=40:allf=t" -c:v ffv1 "$W/plate.mkv"
ff -f lavfi -i "testsrc2=s=320x240:r=25:d=0.16,format=gbrp" -i "$W/plate.mkv" -filter_complex \
    "[0:v]split[a][b];[1:v]split[p1][p2];[a][p1]aigrain=plate=1:opacity=0.3,extractplanes=g[o];[b][p2]blend=all_mode=overlay:all_opacity=0.3,extractplanes=g[r]" \
    -map "[o]" -f rawvideo "$W/plate_ours.g" -map "[r]" -f rawvideo "$W/plate_blend.g"
measure p stats 320 240 1 "$W/plate_ours.g" "$W/plate_blend.g"
check "plate: matches blend=all_mode=overlay:all_opacity=0.3 within a code value" \
    "$p_maxabs <= 1" "max difference $p_maxabs"

# A 4-frame plate loops under a still: frame k and frame k+4 get the same grain.
ff -f lavfi -i "color=c=0x808080:s=320x240:r=25:d=0.48,format=gbrp" -i "$W/plate.mkv" -filter_complex \
    "[0:v][1:v]aigrain=plate=1:opacity=0.5,extractplanes=g" -f framemd5 "$W/loop.fmd5"
hashes "$W/loop.fmd5" > "$W/loop.h"
check "plate shorter than the clip loops (period 4)" \
    "\"$(sed -n 1p "$W/loop.h")\" == \"$(sed -n 5p "$W/loop.h")\" && \"$(sed -n 2p "$W/loop.h")\" != \"$(sed -n 1p "$W/loop.h")\""
if ff_fails -f lavfi -i "color=c=0x808080:s=320x240:r=25:d=0.48,format=gbrp" -i "$W/plate.mkv" -filter_complex \
    "[0:v][1:v]aigrain=plate=1:plate_frames=2" -f null -; then
    fail "a plate too long to loop from memory is refused" "accepted"
else
    check "a plate too long to loop from memory is refused, saying what to do" \
        "$(grep -c 'stream_loop' "$W/last.err") == 1"
fi
# A smaller plate is tiled.
ff -f lavfi -i "color=c=0x808080:s=640x480:r=25:d=0.04,format=gbrp" -i "$W/plate.mkv" -filter_complex \
    "[0:v][1:v]aigrain=plate=1:opacity=1,extractplanes=g" -f rawvideo "$W/tile.g"
check "a smaller plate is tiled over the picture" \
    "$(od -An -v -tu1 -w640 "$W/tile.g" | awk 'NR == 7 { for (i = 1; i <= 320; i++) if ($i != $(i + 320)) d++; print d + 0 }') == 0"

# ---------------------------------------------------------------- x264
# Grain must survive a platform-like encode: 1080p, x264 at 4 Mb/s.
if "$AIPOST_BIN/ffmpeg" -hide_banner -encoders 2>/dev/null | grep -q libx264; then
    motion="[0:v]scale=2112:1188,loop=loop=23:size=1,fps=25,crop=1920:1080:x='t*60':y='t*30',format=yuv420p,setpts=N/25/TB"
    enc="-c:v libx264 -preset veryfast -b:v 4M -maxrate 4M -bufsize 8M -g 50"
    ff -i "$MEDIA/coffee.png" -filter_complex "$motion,split[a][b];[b]aigrain=size=2:strength=5[g]" \
        -map "[a]" $enc "$W/plain.mp4" -map "[g]" $enc "$W/grain.mp4"
    ff -i "$MEDIA/coffee.png" -filter_complex "$motion,split[a][b];[a]extractplanes=y[ya];[b]aigrain=size=2:strength=5,extractplanes=y[yb]" \
        -map "[ya]" -f rawvideo "$W/plain.y" -map "[yb]" -f rawvideo "$W/grain.y"
    ff -i "$W/plain.mp4" -vf extractplanes=y -f rawvideo "$W/plain_dec.y"
    ff -i "$W/grain.mp4" -vf extractplanes=y -f rawvideo "$W/grain_dec.y"
    measure added stats 1920 1080 1 "$W/grain.y" "$W/plain.y"
    measure kept stats 1920 1080 1 "$W/grain_dec.y" "$W/plain_dec.y"
    r=$(awk -v a="$added_sd" -v k="$kept_sd" 'BEGIN { printf "%.3f", k / a }')
    echo "  grain sd added $added_sd, after x264 4 Mb/s $kept_sd (ratio $r)"
    check "size=2 grain survives x264 at 4 Mb/s 1080p (>= 40% of its sd)" "$r >= 0.4" "ratio $r"
else
    fail "x264 survival" "this ffmpeg has no libx264 (configure --enable-x264)"
fi
