#!/bin/sh
# skintexture on the built ffmpeg, on the bundled portrait and clips made
# from it: pore-band energy of waxy skin raised into the target range and
# natural texture left alone; non-skin regions (flag, suit, background) and
# every sample outside the mask bit-exact; low-pass colour unchanged
# (ΔE of the blurred picture); texture that follows a pan and a zoom
# (residual correlation after motion compensation) where plain or
# screen-anchored noise does not; a still shot gets a still texture;
# tolerance of white balance and exposure; determinism (threads, C/SIMD,
# segments), formats, options, timeline, cuts, show=mask.
. "$(dirname "$0")/lib.sh"

IMG=$MEDIA/astronaut.png
FACE="180 80 270 180"           # the face, for colour and mask checks
WAX="bilateral=sigmaS=5:sigmaR=0.1,bilateral=sigmaS=5:sigmaR=0.1"    # generated-looking skin
# Regions of the 512 x 512 portrait (x0 y0 x1 y1), away from the skin.
REGIONS="flag:0:0:90:250 suit:40:300:220:500 suit_right:290:280:350:340 wall:300:0:512:90 wall_left:300:100:360:200"

# luma of the portrait as-is / waxy, and after skintexture OPTIONS
still() { # NAME PRE OPTIONS [FORMAT [BYTES]]
    ff -i "$IMG" -filter_complex \
        "[0:v]format=${4:-yuv420p},$2,split[a][b];[a]extractplanes=y[i];[b]skintexture=$3,extractplanes=y[o]" \
        -map "[i]" -f rawvideo "$W/$1.in" -map "[o]" -f rawvideo "$W/$1.out"
}

band() { # FILE BYTES REGION... -> band deviation in 8-bit code values
    _f=$1 _b=$2
    shift 2
    "$AIPOST_TOOLS/framestats" band 512 512 "$_b" "$_f" 0 2 "$@" | sed 's/band_sd=//' |
        awk -v b="$_b" '{ printf "%.4f", b == 2 ? $1 / 4 : $1 }'
}

# ---------------------------------------------------------------- amount
# The default scale on 512 lines is the finest texture (1.5 px): band radii 0/2.
for st in 3 5; do
    still wax$st "$WAX" "strength=$st"
    for r in "cheek:244:118:262:136" "chin:212:155:238:168"; do
        set -- $(echo "$r" | tr : ' ')
        b0=$(band "$W/wax$st.in" 1 $2 $3 $4 $5)
        b1=$(band "$W/wax$st.out" 1 $2 $3 $4 $5)
        check "waxy $1 (band sd $b0 < 0.5 x $st) is raised into [0.85, 1.15] x strength=$st: $b1" \
            "$b0 < 0.5 * $st && $b1 >= 0.85 * $st && $b1 <= 1.15 * $st"
    done
done
# Skin with texture of its own gets little or none: the forehead of the
# waxy portrait (brows, lines) and the whole face of the original.
b0=$(band "$W/wax3.in" 1 208 74 242 84)
b1=$(band "$W/wax3.out" 1 208 74 242 84)
check "textured forehead (band sd $b0 > strength=3) gains under 0.15: $b1" "$b0 > 3 && $b1 - $b0 < 0.15"
still orig null "strength=3"
for r in "cheek:244:118:262:136" "chin:212:155:238:168" "cheek_left:186:104:202:118"; do
    set -- $(echo "$r" | tr : ' ')
    b0=$(band "$W/orig.in" 1 $2 $3 $4 $5)
    b1=$(band "$W/orig.out" 1 $2 $3 $4 $5)
    check "natural skin, $1 (band sd $b0 > strength=3): within 0.1 of it ($b1)" "$b0 > 3 && $b1 - $b0 < 0.1"
done
# 10-bit: the same target in 8-bit code values
still wax10 "$WAX" "strength=5" yuv420p10le
b1=$(band "$W/wax10.out" 2 212 155 238 168)
check "10-bit waxy chin raised into [0.85, 1.15] x strength=5: $b1 (8-bit units)" "$b1 >= 0.85 * 5 && $b1 <= 1.15 * 5"
still zero "$WAX" "strength=0"
same_file "strength=0 changes nothing" "$W/zero.in" "$W/zero.out"

# ---------------------------------------------------------------- only skin
for f in wax5 orig wax10; do
    bytes=1
    [ $f = wax10 ] && bytes=2
    for r in $REGIONS; do
        set -- $(echo "$r" | tr : ' ')
        measure d diff 512 512 $bytes "$W/$f.in" "$W/$f.out" $2 $3 $4 $5 || continue
        check "$f: $1 ($2,$3)-($4,$5) bit-exact" "$d_changed == 0" "$d_changed samples changed, max $d_maxabs"
    done
done
measure d diff 512 512 1 "$W/wax5.in" "$W/wax5.out" $FACE
check "wax5: the face is textured ($d_changed samples changed)" "$d_changed > 2000"

# every sample changed lies where the mask is above 0 (show=mask: black
# is untouched), on every plane, still and moving
# chroma planes are compared against the mask at their own size (every
# other luma sample of 4:2:0), with chroma=0.5 so they change too
ff -i "$IMG" -filter_complex "[0:v]format=yuv444p,$WAX,split=3[a][b][c];[a]null[i];[b]skintexture=chroma=0.5[o];[c]skintexture=chroma=0.5:show=mask,extractplanes=y,split=3[m0][m1][m2];[m0][m1][m2]vstack=3[m]" \
    -map "[i]" -f rawvideo -pix_fmt yuv444p "$W/m444.i" -map "[o]" -f rawvideo -pix_fmt yuv444p "$W/m444.o" \
    -map "[m]" -f rawvideo "$W/m444.m"
measure m masked 512 1536 1 "$W/m444.i" "$W/m444.o" "$W/m444.m" 16
check "4:4:4 with chroma: no sample changed outside the mask ($m_changed changed inside)" \
    "$m_changed_outside == 0 && $m_changed > 1500" "$m_changed_outside outside"

# ---------------------------------------------------------------- colour
# ΔE (CIE76) of the pictures blurred by a Gaussian of 3 px, over the face
for opt in "strength=5" "strength=5:chroma=1" "strength=16"; do
    ff -i "$IMG" -filter_complex "[0:v]format=yuv420p,$WAX,split[a][b];[a]format=rgb24[i];[b]skintexture=$opt,format=rgb24[o]" \
        -map "[i]" -f rawvideo "$W/de.in" -map "[o]" -f rawvideo "$W/de.out"
    measure e deltae 512 512 "$W/de.in" "$W/de.out" 3 $FACE || continue
    check "$opt: low-pass colour of the face unchanged, max ΔE $e_deltae_max <= 1 (mean $e_deltae_mean)" \
        "$e_deltae_max <= 1"
done

# ---------------------------------------------------------------- motion
# A pan (3 px right and 1 down per frame) and a zoom (1.2 % per frame)
# over the portrait.
ff -loop 1 -framerate 25 -i "$IMG" -vf "scale=1024:1024:flags=lanczos,crop=512:384:x='200+3*n':y='60+n',format=yuv420p" \
    -frames:v 24 -c:v rawvideo "$W/pan.nut"
ff -loop 1 -framerate 25 -i "$IMG" -vf "scale=1024:1024:flags=lanczos,zoompan=z='1.6+0.012*on':x='450-iw/zoom/2':y='270-ih/zoom/2':d=1:s=512x384:fps=25,format=yuv420p" \
    -frames:v 24 -c:v rawvideo "$W/zoom.nut"
ff -loop 1 -framerate 25 -i "$IMG" -vf "scale=2048:2048:flags=lanczos,crop=1024:768:x='400+3*n':y=120,scale=512:384:flags=area,format=yuv420p" \
    -frames:v 24 -c:v rawvideo "$W/halfpan.nut"
resid() { # CLIP NAME FILTER
    ff -i "$W/$1.nut" -filter_complex "[0:v]split[a][b];[a]extractplanes=y[i];[b]$3,extractplanes=y[o]" \
        -map "[i]" -f rawvideo "$W/$1.in" -map "[o]" -f rawvideo "$W/$1.$2"
}
for clip in pan zoom halfpan; do
    resid $clip tex "skintexture=strength=4"
    resid $clip noise "noise=alls=6:allf=t"
    resid $clip screen "noise=alls=6"
    measure t mccorr 512 384 1 "$W/$clip.in" "$W/$clip.tex" || continue
    measure n mccorr 512 384 1 "$W/$clip.in" "$W/$clip.noise" 150 40 400 320 || continue
    measure s mccorr 512 384 1 "$W/$clip.in" "$W/$clip.screen" 150 40 400 320 || continue
    check "$clip: residual follows the skin, motion-compensated correlation $t_mccorr >= 0.8 (worst frame $t_mccorr_min)" \
        "$t_mccorr >= 0.8 && $t_mccorr_min >= 0.7"
    check "$clip: plain noise does not ($n_mccorr), nor noise fixed to the screen ($s_mccorr)" \
        "$n_mccorr < 0.1 && $s_mccorr < 0.5"
    ff -i "$W/$clip.nut" -filter_complex "[0:v]split=3[a][b][c];[a]null[i];[b]skintexture=strength=4[o];[c]skintexture=strength=4:show=mask,extractplanes=y[m]" \
        -map "[i]" -f rawvideo -pix_fmt gray "$W/$clip.mi" -map "[o]" -f rawvideo -pix_fmt gray "$W/$clip.mo" \
        -map "[m]" -f rawvideo "$W/$clip.mm"
    measure m masked 512 384 1 "$W/$clip.mi" "$W/$clip.mo" "$W/$clip.mm" 16 || continue
    check "$clip: no luma sample changed outside the mask" "$m_changed_outside == 0 && $m_changed > 1000" \
        "$m_changed_outside outside, $m_changed in all"
done

# A still shot (a looped photo) gets a still texture: every frame the same.
ff -loop 1 -framerate 25 -i "$IMG" -vf "format=yuv420p,skintexture" -frames:v 60 -f framemd5 "$W/still.fmd5"
n=$(awk -F, '!/^#/ { print $NF }' "$W/still.fmd5" | sort -u | wc -l)
check "still shot: 60 frames, one texture ($n distinct frames)" "$n == 1"

# A cut: the frame after it says so, the others do not.
ff -i "$W/pan.nut" -loop 1 -framerate 25 -i "$MEDIA/coffee.png" -filter_complex \
    "[1:v]scale=512:384,setsar=1,format=yuv420p,trim=end_frame=6[b];[0:v]trim=end_frame=6[a];[a][b]concat=n=2:v=1,skintexture,metadata=print:key=lavfi.skintexture.cut:file=$W/cut.txt" \
    -f null -
cuts=$(grep -o 'cut=[01]' "$W/cut.txt" | tr -d '\n' | sed 's/cut=//g')
check "cut detected at the join only ($cuts)" "\"$cuts\" == \"000000100000\""

# ---------------------------------------------------------------- white balance, exposure
face_mask() { # NAME PRE -> mean mask weight over the face (0..219)
    ff -i "$IMG" -vf "format=rgb24,$2,format=yuv420p,skintexture=show=mask,crop=90:100:180:80,extractplanes=y" \
        -f rawvideo "$W/$1.fm" || return 1
    "$AIPOST_TOOLS/framestats" stats 90 100 1 "$W/$1.fm" | sed -n 's/mean=//p' | awk '{ printf "%.2f", $1 - 16 }'
}
ref=$(face_mask ref null)
# casts of 5 % (R and B gains), 0.5 stop darker (x 0.7), 10 % brighter
for v in "warm:colorchannelmixer=rr=1.05:bb=0.95:0.8" "cool:colorchannelmixer=rr=0.95:bb=1.05:0.6" \
         "darker:lutrgb=r=val*0.7:g=val*0.7:b=val*0.7:0.8" "brighter:lutrgb=r=min(255\,val*1.1):g=min(255\,val*1.1):b=min(255\,val*1.1):0.8"; do
    name=${v%%:*}
    share=${v##*:}
    flt=${v#*:}
    flt=${flt%:*}
    m=$(face_mask "$name" "$flt")
    check "$name picture: the face stays skin (mask $m >= $share x $ref)" "$m >= $share * $ref"
    ff -i "$IMG" -filter_complex "[0:v]format=rgb24,$flt,format=yuv420p,split[a][b];[a]extractplanes=y[i];[b]skintexture,extractplanes=y[o]" \
        -map "[i]" -f rawvideo "$W/wb.in" -map "[o]" -f rawvideo "$W/wb.out"
    for r in $REGIONS; do
        set -- $(echo "$r" | tr : ' ')
        c=$("$AIPOST_TOOLS/framestats" diff 512 512 1 "$W/wb.in" "$W/wb.out" $2 $3 $4 $5 | sed -n 's/changed=//p')
        # lit folds of the orange suit and the flag's stripes come near
        # skin's colour in these pictures: a few samples, not the region
        check "$name picture: $1 at most 0.5 % changed ($c samples)" "$c <= 0.005 * ($4 - $2) * ($5 - $3)"
    done
done

# ---------------------------------------------------------------- determinism
for fmt in yuv420p yuvj420p yuv422p10 yuv444p12 yuv420p16; do
    ff -i "$W/pan.nut" -vf "format=$fmt" -c:v rawvideo "$W/src_$fmt.nut"
    for t in 1 2 7; do
        ff -filter_threads $t -i "$W/src_$fmt.nut" -vf "skintexture=strength=5:chroma=0.5" -f md5 "$W/thr_${fmt}_$t.md5"
    done
    ff -cpuflags 0 -i "$W/src_$fmt.nut" -vf "skintexture=strength=5:chroma=0.5" -f md5 "$W/c_$fmt.md5"
    if cmp -s "$W/thr_${fmt}_1.md5" "$W/thr_${fmt}_2.md5" && cmp -s "$W/thr_${fmt}_1.md5" "$W/thr_${fmt}_7.md5"; then
        pass "$fmt: identical for 1, 2 and 7 threads"
    else
        fail "$fmt: identical for 1, 2 and 7 threads" "outputs differ"
    fi
    same_file "$fmt: C reference and SIMD identical" "$W/c_$fmt.md5" "$W/thr_${fmt}_1.md5"
done
ff -i "$W/pan.nut" -vf "skintexture=seed=1" -f md5 "$W/seed1.md5"
ff -i "$W/pan.nut" -vf "skintexture=seed=2" -f md5 "$W/seed2.md5"
if cmp -s "$W/seed1.md5" "$W/seed2.md5"; then fail "seed changes the texture" "same output"; else pass "seed changes the texture"; fi

# Segments: the state (motion history, the two layers) reaches back to the
# older layer's anchor, so a segment processed apart joins the whole run
# bit-exactly from its second anchor on: cut at a multiple of `anchor`
# with one period of pre-roll.
hashes() { awk -F, '!/^#/ { print $NF }' "$1"; }
ff -loop 1 -framerate 25 -i "$IMG" -vf "scale=1024:1024:flags=lanczos,crop=512:384:x='150+2*n':y='60+n',format=yuv420p" \
    -frames:v 40 -c:v rawvideo "$W/long.nut"
ff -i "$W/long.nut" -vf "skintexture=anchor=8" -f framemd5 "$W/whole.fmd5"
hashes "$W/whole.fmd5" > "$W/whole.h"
for start in 16 11; do
    ff -i "$W/long.nut" -vf "trim=start_frame=$start,skintexture=anchor=8" -f framemd5 "$W/seg$start.fmd5"
    hashes "$W/seg$start.fmd5" > "$W/seg$start.h"
    # the second anchor after the start: 24 for both
    tail -n +$((24 + 1)) "$W/whole.h" > "$W/whole_tail.h"
    tail -n +$((24 - start + 1)) "$W/seg$start.h" > "$W/seg_tail.h"
    same_file "segment from frame $start (pts kept) equals the whole run from frame 24" "$W/whole_tail.h" "$W/seg_tail.h"
done
ff -i "$W/long.nut" -vf "skintexture=anchor=8:frame_index=count" -f framemd5 "$W/wholec.fmd5"
ff -i "$W/long.nut" -vf "trim=start_frame=16,setpts=PTS-STARTPTS,skintexture=anchor=8:frame_index=count:start_number=16" \
    -f framemd5 "$W/segc.fmd5"
hashes "$W/wholec.fmd5" | tail -n +25 > "$W/wholec.h"
hashes "$W/segc.fmd5" | tail -n +9 > "$W/segc.h"
same_file "segment keyed by start_number joins from its second anchor" "$W/wholec.h" "$W/segc.h"

# ---------------------------------------------------------------- formats, tags
for fmt in yuv420p yuv422p yuv444p yuvj420p yuvj444p yuv420p9 yuv420p10 yuv422p12 yuv444p14 yuv444p16; do
    got=$(ffprobe -f lavfi "testsrc2=s=96x64:d=0.04,format=$fmt,skintexture" -show_entries frame=pix_fmt -of csv=p=0)
    check "$fmt in, $fmt out (no conversion)" "\"$got\" == \"$fmt\" || \"$got\" == \"${fmt}le\"" "got '$got'"
done
tags=$(ffprobe -f lavfi "testsrc2=s=96x64:d=0.04,format=yuv420p10,setparams=color_primaries=bt2020:color_trc=smpte2084:colorspace=bt2020nc:range=pc,skintexture" \
    -show_entries frame=color_range,color_primaries,color_transfer,color_space -of csv=p=0)
check "colour tags pass through" "\"$tags\" == \"pc,bt2020nc,bt2020,smpte2084\"" "got '$tags'"
cov=$(ffprobe -f lavfi "movie=$IMG,format=yuv420p,skintexture" -show_entries frame_tags=lavfi.skintexture.coverage -of csv=p=0 | tr -d ',')
check "coverage metadata: the face's share of the picture ($cov)" "$cov > 0.01 && $cov < 0.1"

# ---------------------------------------------------------------- show=mask
ff -i "$IMG" -vf "format=yuv420p,skintexture=show=mask,extractplanes=y" -f rawvideo "$W/mask.y"
measure f stats 512 512 1 "$W/mask.y"
ff -i "$IMG" -vf "format=yuv420p,skintexture=show=mask,crop=90:250:0:0,extractplanes=y" -f rawvideo "$W/mask_flag.y"
measure g stats 90 250 1 "$W/mask_flag.y"
check "show=mask: black on the flag" "$g_mean == 16 && $g_maxabs == 16" "mean $g_mean max $g_maxabs"
ff -i "$IMG" -vf "format=yuv420p,skintexture=show=mask,crop=18:18:244:118,extractplanes=y" -f rawvideo "$W/mask_cheek.y"
measure c stats 18 18 1 "$W/mask_cheek.y"
check "show=mask: white on the cheek ($c_mean)" "$c_mean >= 200"
ff -i "$IMG" -vf "format=yuv420p,skintexture=show=likelihood,crop=18:18:244:118,extractplanes=y" -f rawvideo "$W/like_cheek.y"
measure l stats 18 18 1 "$W/like_cheek.y"
check "show=likelihood: high on the cheek ($l_mean)" "$l_mean >= 180"

# ---------------------------------------------------------------- timeline
ff -loop 1 -framerate 25 -i "$IMG" -vf "format=yuv420p,skintexture=strength=6:enable='between(n,3,5)'" -frames:v 10 -f framemd5 "$W/tl.fmd5"
ff -loop 1 -framerate 25 -i "$IMG" -vf "format=yuv420p" -frames:v 10 -f framemd5 "$W/tl_in.fmd5"
hashes "$W/tl.fmd5" > "$W/tl.h"
hashes "$W/tl_in.fmd5" > "$W/tl_in.h"
changed=$(paste -d' ' "$W/tl.h" "$W/tl_in.h" | awk '{ printf "%d", $1 != $2 }')
check "enable= textures frames 3-5 only" "\"$changed\" == \"0001110000\"" "changed frames: $changed"

# ---------------------------------------------------------------- options
for bad in strength=17 strength=-1 scale=0.4 scale=9 scale_ref=9000 pores=1.5 chroma=2 \
           threshold=1 threshold=-0.1 anchor=1 seed=-5 start_number=9999999999; do
    refused "$bad is refused, naming the option and its range" "${bad%%=*}" "out of range" -- \
        -f lavfi -i "testsrc2=d=0.04" -vf "skintexture=$bad" -f null -
done
for bad in show=pores frame_index=frames; do
    refused "$bad is refused, naming the option" "${bad%%=*}" -- \
        -f lavfi -i "testsrc2=d=0.04" -vf "skintexture=$bad" -f null -
done
refused "an input below 16x16 is refused, saying the minimum" "16x16" -- \
    -f lavfi -i "testsrc2=s=12x12:d=0.04" -vf skintexture -f null -
refused "a texture too large for the picture is refused, saying what to change" "lower scale or raise scale_ref" -- \
    -f lavfi -i "testsrc2=s=3840x2160:d=0.04" -vf "skintexture=scale=8:scale_ref=1080" -f null -
# RGB input is converted by the graph (the model is Y'CbCr), not refused
ff -f lavfi -i "testsrc2=s=96x64:d=0.04,format=gbrp" -vf skintexture -f null - &&
    pass "RGB input is converted to a Y'CbCr format it takes"
"$AIPOST_BIN/ffmpeg" -hide_banner -h filter=skintexture > "$W/help.txt" 2>&1
check "ffmpeg -h filter=skintexture documents every option" \
    "$(grep -cE '^ +(strength|scale|scale_ref|pores|chroma|threshold|anchor|balance|seed|frame_index|start_number|show) ' "$W/help.txt") == 12"
