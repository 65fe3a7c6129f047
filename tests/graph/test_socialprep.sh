#!/bin/sh
# socialprep on the built ffmpeg: presets and overrides, formats and tags,
# option errors, exact identity when every part is off, the black floor,
# S-curve, saturation trim and grain measured, constant frame rate from
# 23.976 / 25 / 60 fps and VFR input, bit-exactness across threads and
# C/SIMD, determinism, smart reframing of a moving subject (inside the crop,
# bounded pan, steady when still, scene cuts), fit and pad, the banding
# outcome through x264 at 3 Mb/s, encoder settings, the export script.
. "$(dirname "$0")/lib.sh"

meta() { # KEY FILE: the values of lavfi.socialprep.KEY in a metadata=print file, one a line
    grep -o "lavfi.socialprep.$1=[-0-9.]*" "$2" | cut -d= -f2
}
mean_of() { awk '{ s += $1; n++ } END { printf "%.4f", n ? s / n : -1 }'; }

# ---------------------------------------------------------------- presets
for p in "tiktok 1080 1920 30/1" "reels 1080 1920 30/1" "shorts 1080 1920 30/1" "feed45 1080 1350 30/1" \
         "square 1080 1080 30/1" "landscape 1920 1080 24/1"; do
    set -- $p
    got=$(ffprobe -f lavfi "testsrc2=s=640x360:r=25:d=0.2,socialprep=preset=$1" \
        -show_entries stream=width,height,r_frame_rate -of csv=p=0)
    check "preset=$1 is $2x$3 at $4 fps" "\"$got\" == \"$2,$3,$4\"" "got '$got'"
done
got=$(ffprobe -f lavfi "testsrc2=s=640x360:r=25:d=0.2,socialprep=preset=tiktok:w=720:h=1280:fps=24000/1001" \
    -show_entries stream=width,height,r_frame_rate -of csv=p=0)
check "w, h and fps override the preset" "\"$got\" == \"720,1280,24000/1001\"" "got '$got'"
got=$(ffprobe -f lavfi "testsrc2=s=640x360:r=25:d=0.2,socialprep=preset=custom" \
    -show_entries stream=width,height,r_frame_rate -of csv=p=0)
check "preset=custom keeps the input's size and rate" "\"$got\" == \"640,360,25/1\"" "got '$got'"
refused "an unknown preset is refused, listing the presets" "Unknown preset 'snapchat'" \
    "tiktok, reels, shorts, feed45, square, landscape, custom" -- \
    -f lavfi -i "testsrc2=d=0.04" -vf "socialprep=preset=snapchat" -f null -

# ---------------------------------------------------------------- formats
for fmt in yuv420p yuv422p10 yuv444p yuvj420p yuv420p16 gray gray10 gbrp rgb24; do
    got=$(ffprobe -f lavfi "testsrc2=s=320x180:r=25:d=0.08,format=$fmt,socialprep=w=180:h=320" \
        -show_entries frame=pix_fmt,color_range,color_space,color_primaries,color_transfer,sample_aspect_ratio -of csv=p=0 | head -1)
    check "$fmt in: yuv420p, BT.709 limited, SAR 1:1 out" "\"$got\" == \"yuv420p,1:1,tv,bt709,bt709,bt709\"" "got '$got'"
done
got=$(ffprobe -f lavfi "testsrc2=s=320x180:r=25:d=0.08,format=yuv420p10,socialprep=w=180:h=320:depth=10" \
    -show_entries frame=pix_fmt -of csv=p=0 | head -1)
check "depth=10: yuv420p10 out" "\"$got\" == \"yuv420p10le\"" "got '$got'"
# Anamorphic input: 1440x1080 at SAR 4:3 is 16:9; the 9:16 crop is 1080 * 9/16 / (4/3) samples wide.
ff -f lavfi -i "testsrc2=s=1440x1080:r=25:d=0.08,setsar=4/3" -vf "socialprep=reframe=center,metadata=print:file=$W/sar.txt" -f null -
cw=$(meta crop_w "$W/sar.txt" | head -1)
check "input pixel aspect is honoured (crop_w 455.62 of a 4:3-SAR 1440x1080)" "$cw > 455.6 && $cw < 455.7" "crop_w $cw"

# ---------------------------------------------------------------- options
for bad in floor=40 knee=200 contrast=0.6 sattrim=5 satknee=0.05 grain=20 grain_size=1.5 grain_size=9 \
           lookahead=301 deadzone=0.6 maxpan=0 scenecut=300 wmotion=11 w=9000 h=-2 fps=500 fit_dim=2 seed=-1; do
    refused "$bad is refused, naming the option and its range" "${bad%%=*}" "out of range" -- \
        -f lavfi -i "testsrc2=d=0.04" -vf "socialprep=$bad" -f null -
done
refused "depth=9 is refused" "depth" "8 or 10" -- -f lavfi -i "testsrc2=d=0.04" -vf "socialprep=depth=9" -f null -
refused "an odd width is refused" "'w'" "even" -- -f lavfi -i "testsrc2=d=0.04" -vf "socialprep=w=1081" -f null -
refused "reframe=zoom is refused, naming the option" "reframe" -- -f lavfi -i "testsrc2=d=0.04" -vf "socialprep=reframe=zoom" -f null -
refused "HDR input is refused, saying what to do" "HDR input" "tone-map" -- \
    -f lavfi -i "testsrc2=d=0.04,format=yuv420p10,setparams=color_trc=smpte2084" -vf socialprep -f null -
"$AIPOST_BIN/ffmpeg" -hide_banner -h filter=socialprep > "$W/help.txt" 2>&1
n=$(grep -cE '^ +(preset|w|h|fps|reframe|lookahead|deadzone|maxpan|scenecut|wmotion|wcontrast|wskin|wface|floor|knee|contrast|sattrim|satknee|grain|grain_size|grain_chroma|seed|depth|fit_blur|fit_dim|pad_color) ' "$W/help.txt")
check "ffmpeg -h filter=socialprep documents every option" "$n == 26" "$n of 26"

# ---------------------------------------------------------------- identity
# With the picture parts off, at the output's size and rate, the kernels
# copy exactly (whole-sample positions, unity weights, identity tables).
off="preset=custom:floor=0:contrast=0:sattrim=0:grain=0"
hashes() { awk -F, '!/^#/ { print $NF }' "$1"; }
for fmt in yuv420p yuv420p10; do
    d=8; [ $fmt = yuv420p10 ] && d=10
    ff -f lavfi -i "testsrc2=s=1080x1920:r=30:d=0.2,format=$fmt" -f framemd5 "$W/id_in.fmd5"
    ff -f lavfi -i "testsrc2=s=1080x1920:r=30:d=0.2,format=$fmt" -vf "socialprep=$off:depth=$d" -f framemd5 "$W/id_out.fmd5"
    hashes "$W/id_in.fmd5" > "$W/id_in.h"
    hashes "$W/id_out.fmd5" > "$W/id_out.h"
    same_file "every part off: $fmt passes through bit-exactly" "$W/id_in.h" "$W/id_out.h"
done

# ---------------------------------------------------------------- picture
sig() { # FILTERGRAPH KEY: mean over frames of a signalstats key
    ff -f lavfi -i "$1,signalstats,metadata=print:key=lavfi.signalstats.$2:file=$W/sig.txt" -f null - &&
        grep -o "$2=[0-9.]*" "$W/sig.txt" | cut -d= -f2 | mean_of
}
sigmin() {
    ff -f lavfi -i "$1,signalstats,metadata=print:key=lavfi.signalstats.$2:file=$W/sig.txt" -f null - &&
        grep -o "$2=[0-9.]*" "$W/sig.txt" | cut -d= -f2 | sort -n | head -1
}
# black and a dark ramp: nothing below 16 + floor, with grain on
ramp="gradients=s=640x360:c0=black:c1=0x303030:x0=0:y0=0:x1=639:y1=0:nb_colors=2:r=25:d=0.4"
m=$(sigmin "color=black:s=640x360:r=25:d=0.4,socialprep=w=360:h=640:floor=6" YMIN)
check "floor=6: black comes out at no less than 22 (grain on)" "$m >= 22" "YMIN $m"
m=$(sigmin "$ramp,socialprep=w=360:h=640:floor=6" YMIN)
check "floor=6: no pixel of a dark ramp below 22" "$m >= 22" "YMIN $m"
a=$(sig "color=black:s=640x360:r=25:d=0.2,socialprep=w=360:h=640:floor=6:grain=0" YAVG)
check "floor=6, no grain: black lifted to 22 exactly (knee, not a clip)" "$a == 22" "YAVG $a"
a=$(sig "color=gray:s=640x360:r=25:d=0.2,format=yuv420p,lutyuv=y=44,socialprep=w=360:h=640:floor=6:grain=0:contrast=0" YAVG)
check "floor=6: a level above the knee (16 + 24) is left alone" "$a == 44" "YAVG $a"
a=$(sig "color=gray:s=640x360:r=25:d=0.2,format=yuv420p,lutyuv=y=28,socialprep=w=360:h=640:floor=6:grain=0:contrast=0" YAVG)
check "floor=6: a level below the knee is lifted, not clipped (28 -> between 28 and 40)" "$a > 28 && $a < 40" "YAVG $a"
m=$(sigmin "color=black:s=640x360:r=25:d=0.2,socialprep=w=360:h=640:floor=0:grain=0" YMIN)
check "floor=0 turns it off: black stays 16" "$m == 16" "YMIN $m"
# S-curve: two greys move apart by the curve's value, mid-grey stays
expect_s() { awk -v y="$1" -v c="$2" 'BEGIN { n = (y - 16) / 219; t = 2 * n - 1; s = t + c * t * (1 - t * t); printf "%.2f", 16 + 219 * (s + 1) / 2 }'; }
for y in 70 180; do
    hex=$(printf '0x%02x%02x%02x' $y $y $y)
    # yuv limited from rgb: go through format with a full-range-free path
    a=$(sig "color=$hex:s=640x360:r=25:d=0.2,format=yuv420p,lutyuv=y=$y,socialprep=w=360:h=640:floor=0:grain=0:contrast=0.2" YAVG)
    e=$(expect_s $y 0.2)
    check "contrast=0.2: luma $y -> $e (within 0.6)" "$a >= $e - 0.6 && $a <= $e + 0.6" "YAVG $a"
done
a=$(sig "color=gray:s=640x360:r=25:d=0.2,format=yuv420p,lutyuv=y=125.5,socialprep=w=360:h=640:floor=0:grain=0:contrast=0.2" YAVG)
check "contrast: mid-grey stays" "$a >= 124.5 && $a <= 126.5" "YAVG $a"
# saturation trim: neon magenta loses saturation, a muted colour keeps it
sat() { sig "color=$1:s=640x360:r=25:d=0.2,socialprep=w=360:h=640:floor=0:grain=0:contrast=0:sattrim=$2" SATAVG; }
n0=$(sat 0xff00ff 0); n1=$(sat 0xff00ff 1)
check "sattrim=1 trims neon magenta by >= 10 %" "$n1 <= 0.9 * $n0" "saturation $n0 -> $n1"
m0=$(sat 0x806858 0); m1=$(sat 0x806858 1)
check "sattrim=1 leaves a muted colour alone" "$m1 >= $m0 - 0.3 && $m1 <= $m0 + 0.3" "saturation $m0 -> $m1"
# grain: strength and size at the output
grain_clip() { ff -f lavfi -i "color=0x808080:s=640x360:r=25:d=0.4" -vf "socialprep=w=720:h=1280:floor=0:contrast=0:$1,extractplanes=y" -f rawvideo "$2"; }
grain_clip "grain=0" "$W/g0.y"
grain_clip "grain=4" "$W/g4.y"
grain_clip "grain=4:grain_size=4" "$W/g4s.y"
measure g0 stats 720 1280 1 "$W/g0.y"
measure g stats 720 1280 1 "$W/g4.y" "$W/g0.y"
check "grain=0: no grain" "$g0_sd == 0" "sd $g0_sd"
check "grain=4 at mid-grey: sd within 15 % of 4" "$g_sd >= 3.4 && $g_sd <= 4.6" "sd $g_sd"
measure f fwhm 720 1280 1 "$W/g4.y" "$W/g0.y"
check "grain is at least 2 px at the output (autocorrelation width >= 2)" "$f_fwhm >= 2" "width $f_fwhm"
measure f4 fwhm 720 1280 1 "$W/g4s.y" "$W/g0.y"
check "grain_size=4: width grows (within 25 % of 4)" "$f4_fwhm >= 3 && $f4_fwhm <= 5" "width $f4_fwhm"
ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep=seed=1" -f md5 "$W/s1.md5"
ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep=seed=2" -f md5 "$W/s2.md5"
if cmp -s "$W/s1.md5" "$W/s2.md5"; then fail "seed changes the grain" "same output"; else pass "seed changes the grain"; fi
ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep" -f md5 "$W/def.md5"
for part in floor contrast sattrim grain; do
    ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep=$part=0" -f md5 "$W/off_$part.md5"
    if cmp -s "$W/off_$part.md5" "$W/def.md5"; then
        fail "$part=0 turns that part off" "output unchanged"
    else
        pass "$part=0 turns that part off (output differs from the preset's)"
    fi
done

# ---------------------------------------------------------------- frame rate
cfr() { # INPUT-GRAPH NAME EXPECTED-FRAMES
    ff -f lavfi -i "$1" -vf "socialprep=w=180:h=320,metadata=print:file=$W/cfr_$2.txt" -f framecrc "$W/cfr_$2.crc"
    pts=$(awk -F, '!/^#/ { gsub(/ /, ""); print $3 }' "$W/cfr_$2.crc")
    n=$(echo "$pts" | wc -l)
    regular=$(echo "$pts" | awk 'NR == 1 { p = $1; next } { if ($1 != p + 1) bad++; p = $1 } END { print bad + 0 }')
    tb=$(ffprobe -f lavfi "$1,socialprep=w=180:h=320" -show_entries stream=time_base,r_frame_rate -of csv=p=0)
    check "$2 in: 30 fps out, time base 1/30, every pts the last + 1" "\"$tb\" == \"30/1,1/30\" && $regular == 0" "tb $tb, $regular irregular steps"
    check "$2 in: $3 frames out (within 1)" "$n >= $3 - 1 && $n <= $3 + 1" "$n frames"
}
cfr "testsrc2=s=320x180:r=24000/1001:d=2" 23.976 60
cfr "testsrc2=s=320x180:r=25:d=2" 25 60
cfr "testsrc2=s=320x180:r=60:d=2" 60 60
dups=$(meta dup "$W/cfr_25.txt" | awk '$1 > 0' | wc -l)
check "25 -> 30: one frame in six is a repeat (metadata dup)" "$dups >= 9 && $dups <= 11" "$dups repeats"
drops=$(meta dropped "$W/cfr_60.txt" | awk '{ s += $1 } END { print s + 0 }')
check "60 -> 30: every second input frame dropped (metadata dropped)" "$drops >= 59 && $drops <= 61" "$drops of 120 dropped"
irr=$(meta irregular "$W/cfr_25.txt" | awk '{ s += $1 } END { print s + 0 }')
check "regular input: no irregular intervals reported" "$irr == 0" "$irr"
# VFR: jittered timestamps and a gap
vfr="testsrc2=s=320x180:r=25:d=2,setpts='(N/25+0.012*sin(N*1.7)+gte(N,30)*0.2)/TB'"
cfr "$vfr" VFR 66
irr=$(meta irregular "$W/cfr_VFR.txt" | awk '{ s += $1 } END { print s + 0 }')
check "VFR in: irregular intervals reported in metadata" "$irr >= 10" "$irr frames flagged"

# ---------------------------------------------------------------- threads, SIMD
src="testsrc2=s=640x360:r=25:d=0.6"
for mode in smart fit center pad; do
    for d in 8 10; do
        ff -filter_threads 3 -f lavfi -i "$src" -vf "format=yuv420p,socialprep=reframe=$mode:depth=$d:w=360:h=640" -f md5 "$W/t3.md5"
        ff -filter_threads 1 -f lavfi -i "$src" -vf "format=yuv420p,socialprep=reframe=$mode:depth=$d:w=360:h=640" -f md5 "$W/t1.md5"
        ff -filter_threads 7 -f lavfi -i "$src" -vf "format=yuv420p,socialprep=reframe=$mode:depth=$d:w=360:h=640" -f md5 "$W/t7.md5"
        ff -cpuflags 0 -filter_threads 2 -f lavfi -i "$src" -vf "format=yuv420p,socialprep=reframe=$mode:depth=$d:w=360:h=640" -f md5 "$W/c.md5"
        if cmp -s "$W/t1.md5" "$W/t3.md5" && cmp -s "$W/t1.md5" "$W/t7.md5"; then
            pass "reframe=$mode depth=$d: identical for 1, 3 and 7 threads"
        else
            fail "reframe=$mode depth=$d: identical for 1, 3 and 7 threads" "outputs differ"
        fi
        same_file "reframe=$mode depth=$d: C reference and SIMD identical" "$W/t1.md5" "$W/c.md5"
    done
done
for fmt in yuv422p10 yuv444p16 gray; do
    ff -filter_threads 1 -f lavfi -i "$src" -vf "format=$fmt,socialprep=w=360:h=640" -f md5 "$W/f1.md5"
    ff -cpuflags 0 -filter_threads 4 -f lavfi -i "$src" -vf "format=$fmt,socialprep=w=360:h=640" -f md5 "$W/f4.md5"
    same_file "$fmt in: 1 thread SIMD = 4 threads C" "$W/f1.md5" "$W/f4.md5"
done
ff -f lavfi -i "$src" -vf "socialprep" -f md5 "$W/r1.md5"
ff -f lavfi -i "$src" -vf "socialprep" -f md5 "$W/r2.md5"
same_file "the same run twice gives the same output" "$W/r1.md5" "$W/r2.md5"

# ---------------------------------------------------------------- smart reframing
# The astronaut (240 px) over a blurred 16:9 backdrop (the coffee photo):
# still 1 s, across the frame for 3 s (9.4 px/frame), still 1 s, back at
# 10 px/frame for 1 s.
X="if(lt(t,1),150,if(lt(t,4),150+(t-1)/3*850,if(lt(t,5),1000,1000-(t-5)*300)))"
ff -loop 1 -framerate 30 -t 6 -i "$MEDIA/coffee.png" -loop 1 -framerate 30 -t 6 -i "$MEDIA/astronaut.png" -filter_complex \
    "[0:v]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,gblur=sigma=2[bg];[1:v]scale=240:240[fg];[bg][fg]overlay=x='$X':y=300:shortest=1,format=yuv420p" \
    -c:v ffv1 "$W/walk.mkv"
ff -i "$W/walk.mkv" -vf "socialprep,metadata=print:file=$W/walk.txt" -f null -
meta crop_x "$W/walk.txt" > "$W/walk.x"
n=$(wc -l < "$W/walk.x")
inside=$(awk '{ t = (NR - 1) / 30; x = t < 1 ? 150 : t < 4 ? 150 + (t - 1) / 3 * 850 : t < 5 ? 1000 : 1000 - (t - 5) * 300;
                if (x >= $1 && x + 240 <= $1 + 405) k++ } END { printf "%.3f", k / NR }' "$W/walk.x")
check "smart: the whole moving subject inside the 9:16 crop in >= 95 % of $n frames" "$inside >= 0.95" "inside $inside"
# bound: maxpan (1 crop width per second) = 405 / 30 = 13.5 px/frame
jump=$(awk 'NR > 1 { d = $1 - p; if (d < 0) d = -d; if (d > m) m = d } { p = $1 } END { printf "%.2f", m }' "$W/walk.x")
check "smart: the crop never moves more than 13.5 px/frame (maxpan=1: a crop width per second)" "$jump <= 13.51" "largest step $jump"
acc=$(awk 'NR > 2 && $1 > 0.01 && $1 < 874.99 { a = ($1 - p) - (p - pp); if (a < 0) a = -a; if (a > m) m = a } { pp = p; p = $1 } END { printf "%.2f", m }' "$W/walk.x")
check "smart: pans are smooth (speed changes <= 0.9 px/frame^2 + rounding, away from the frame's edge)" "$acc <= 0.95" "largest change $acc"
moves=$(sed -n '122,150p' "$W/walk.x" | sort -u | wc -l)
check "smart: steady while the subject stands inside (t 4..5 s: one crop position)" "$moves == 1" "$moves positions"
cuts=$(meta scene_cut "$W/walk.txt" | awk 'NR > 1 { s += $1 } END { print s + 0 }')
check "smart: no scene cut reported in one shot" "$cuts == 0" "$cuts"
# A cut: the subject left, then (new shot, other backdrop) on the right.
ff -i "$W/walk.mkv" -loop 1 -framerate 30 -t 2 -i "$MEDIA/chelsea.png" -loop 1 -framerate 30 -t 2 -i "$MEDIA/astronaut.png" -filter_complex \
    "[0:v]trim=end_frame=45,setpts=PTS-STARTPTS,setsar=1[a];[1:v]scale=1280:720:force_original_aspect_ratio=increase,crop=1280:720,setsar=1[bg];[2:v]scale=240:240,setsar=1[fg];[bg][fg]overlay=x='1000-t*10':y=200:shortest=1,format=yuv420p,setpts=PTS-STARTPTS[b];[a][b]concat=n=2:v=1" \
    -c:v ffv1 "$W/cut.mkv"
ff -i "$W/cut.mkv" -vf "socialprep,metadata=print:file=$W/cut.txt" -f null -
cutat=$(meta scene_cut "$W/cut.txt" | awk 'NR > 1 && $1 == 1 { printf "%s%d", s, NR - 1; s = "," }')
check "smart: the scene cut is found at frame 45, and only there" "\"$cutat\" == \"45\"" "cuts at '$cutat'"
jumpcut=$(meta crop_x "$W/cut.txt" | awk 'NR == 45 { a = $1 } NR == 46 { d = $1 - a; print (d < 0 ? -d : d) }')
check "smart: the path restarts at the cut (a jump there)" "$jumpcut > 100" "jump $jumpcut"

# ---------------------------------------------------------------- fit and pad
ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep=reframe=pad:w=360:h=640:grain=0:floor=4,crop=360:100:0:0,signalstats,metadata=print:file=$W/pad.txt" -f null -
y=$(grep -o "YAVG=[0-9.]*" "$W/pad.txt" | cut -d= -f2 | mean_of)
check "pad: black bars lifted to the floor (20)" "$y >= 19.5 && $y <= 20.5" "bar luma $y"
ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep=reframe=fit:w=360:h=640:grain=0,crop=360:200:0:0,signalstats,metadata=print:file=$W/fit.txt" -f null -
ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep=reframe=center:w=360:h=640:grain=0,crop=360:200:0:0,signalstats,metadata=print:file=$W/fitc.txt" -f null -
yf=$(grep -o "YAVG=[0-9.]*" "$W/fit.txt" | cut -d= -f2 | mean_of)
yc=$(grep -o "YAVG=[0-9.]*" "$W/fitc.txt" | cut -d= -f2 | mean_of)
check "fit: the background is a dimmed copy (darker than the picture's centre crop)" "$yf < 0.8 * $yc && $yf > 20" "background $yf, centre crop $yc"
ff -f lavfi -i "testsrc2=s=640x360:r=25:d=0.2" -vf "socialprep=reframe=fit:w=360:h=640:grain=0,metadata=print:file=$W/fitm.txt" -f null -
cw=$(meta crop_w "$W/fitm.txt" | head -1)
check "fit: the crop rectangle is the whole frame" "$cw == 640" "crop_w $cw"

# ---------------------------------------------------------------- banding through x264
if "$AIPOST_BIN/ffmpeg" -hide_banner -encoders 2>/dev/null | grep -q libx264; then
    enc="-c:v libx264 -preset veryfast -b:v 3M -maxrate 3M -bufsize 6M"
    banding() { ff -i "$1" -vf "qcdetect=detectors=banding,metadata=print:key=lavfi.qcdetect.banding:file=$W/band.txt" -f null - &&
        grep -o "banding=[0-9.]*" "$W/band.txt" | cut -d= -f2 | mean_of; }
    ssim() { ff -i "$1" -i "$2" -lavfi "[0:v][1:v]ssim=stats_file=$W/ssim.txt" -f null - &&
        awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^All:/) { split($i, a, ":"); s += a[2]; n++ } } END { printf "%.4f", s / n }' "$W/ssim.txt"; }
    ff -f lavfi -i "gradients=s=1920x1080:c0=0x040404:c1=0x2a2420:x0=0:y0=0:x1=1919:y1=1079:nb_colors=2:speed=0.01:r=30:d=2" \
        -vf format=yuv420p -c:v ffv1 "$W/grad.mkv"
    ff -loop 1 -framerate 30 -t 2 -i "$MEDIA/coffee.png" -vf "scale=2112:1188,crop=1920:1080:x='96+t*20':y='54+t*10',format=yuv420p" \
        -c:v ffv1 "$W/coffee.mkv"
    for clip in grad coffee; do
        # the same reframing without the picture parts: the source, lossless
        ff -i "$W/$clip.mkv" -vf "socialprep=reframe=center:floor=0:contrast=0:sattrim=0:grain=0" -c:v ffv1 "$W/${clip}_ref.mkv"
        ff -i "$W/${clip}_ref.mkv" $enc "$W/${clip}_without.mp4"
        ff -i "$W/$clip.mkv" -vf "socialprep=reframe=center" $enc "$W/${clip}_with.mp4"
        bw=$(banding "$W/${clip}_without.mp4")
        bs=$(banding "$W/${clip}_with.mp4")
        sw=$(ssim "$W/${clip}_without.mp4" "$W/${clip}_ref.mkv")
        ss=$(ssim "$W/${clip}_with.mp4" "$W/${clip}_ref.mkv")
        echo "  $clip: banding after x264 3 Mb/s without $bw, with socialprep $bs; SSIM to the source $sw / $ss"
        lim=0.4; [ $clip = coffee ] && lim=0.6
        check "$clip: clearly less banding after x264 3 Mb/s with socialprep (<= $lim x)" "$bs <= $lim * $bw" "$bw -> $bs"
        check "$clip: close to the source otherwise (SSIM >= 0.95)" "$ss >= 0.95" "SSIM $ss"
    done
else
    fail "banding through x264" "this ffmpeg has no libx264 (configure --enable-x264)"
fi

# ---------------------------------------------------------------- encoder settings, export
"$AIPOST_BIN/ffmpeg" -hide_banner -f lavfi -i "testsrc2=d=0.04" -vf socialprep=preset=shorts -f null - 2> "$W/log.txt"
check "the encoder settings are logged (x264 High, bitrate, GOP 2 s, AAC)" \
    "$(grep -c 'encoder settings for YouTube Shorts: -c:v libx264 .*-profile:v high .*-b:v 12000k .*-g 60 .*-c:a aac' "$W/log.txt") == 1"
"$AIPOST_BIN/ffmpeg" -hide_banner -f lavfi -i "testsrc2=d=0.04" -vf socialprep=preset=landscape:depth=10 -f null - 2> "$W/log10.txt"
check "10-bit: HEVC Main 10 is logged, GOP of 2 s at 24 fps" \
    "$(grep -c 'encoder settings for YouTube 16:9: -c:v libx265 .*-profile:v main10 .*keyint=48' "$W/log10.txt") == 1"
if AIPOST_BIN=$AIPOST_BIN SOCIALEXPORT_ARGS="-preset veryfast -t 1" \
    sh "$TOP/samples/socialexport.sh" "$W/walk.mkv" reels "$W/export.mp4" > "$W/export.log" 2>&1; then
    got=$(ffprobe -i "$W/export.mp4" -show_entries stream=codec_name,width,height,r_frame_rate,profile -of csv=p=0 | head -1)
    check "samples/socialexport.sh exports with the logged settings" "\"$got\" == \"h264,High,1080,1920,30/1\"" "got '$got'"
else
    fail "samples/socialexport.sh exports with the logged settings" "$(tail -3 "$W/export.log")"
fi
