#!/bin/sh
# duckfloor on the built ffmpeg: speech-like bursts over a known noise floor
# (tests/tools/speechgen) and a quadrature probe as the music bed, whose
# per-sample gain and timing tests/tools/audiogain reads exactly. Depth,
# the floor margin, sbr, release, slope, look-ahead alignment, frame-size
# independence, mix routing, lengths, metadata, silence, errors.
. "$(dirname "$0")/lib.sh"

R=48000
T=$AIPOST_TOOLS

# probe NAME AMPLITUDE SECONDS [RATE]: stereo quadrature probe at 440 Hz.
probe() {
    ff -f lavfi -i "aevalsrc=$2*sin(2*PI*440*t)|$2*cos(2*PI*440*t):s=${4:-$R}:d=$3:c=stereo" \
        -f f32le "$W/$1.f32"
}

# duck NAME MUSIC DIALOGUE OPTIONS [extra ffmpeg output args]: raw f32le out.
duck() {
    _n=$1 _m=$2 _d=$3 _o=$4
    shift 4
    ff -f f32le -ar $R -ac 2 -i "$W/$_m.f32" -f f32le -ar $R -ac 1 -i "$W/$_d.f32" \
        -filter_complex "[0:a][1:a]duckfloor=$_o,ametadata=mode=print:file=$W/$_n.meta[o]" \
        -map "[o]" "$@" -f f32le "$W/$_n.f32"
}

# gain NAME MUSIC RANGES...: audiogain's measures as g_KEY.
gain() {
    _n=$1 _m=$2
    shift 2
    _g=$("$T/audiogain" $R "$W/$_m.f32" "$W/$_n.f32" "$@") || { fail "audiogain $_n" "failed"; return 1; }
    eval "$(echo "$_g" | sed 's/^/g_/')"
}

# loudness FILE.f32 CHANNELS: integrated loudness (LUFS) by FFmpeg's ebur128.
loudness() {
    "$AIPOST_BIN/ffmpeg" -hide_banner -nostdin -f f32le -ar $R -ac "$2" -i "$1" \
        -af ebur128=framelog=quiet -f null - 2>&1 | awk '/^ *I:/ { v = $2 } END { print v }'
}

# ------------------------------------------------------------ the stems
SPANS=2.0-4.0,6.0-6.9,9.0-10.5
"$T/speechgen" $R 12 -60 -20 $SPANS 1 > "$W/dlg.f32"
"$T/speechgen" $R 12 -60 -20 - 1 > "$W/dlg_floor.f32"      # the same floor, no speech
probe bed 0.1 12

# ------------------------------------------------------ plain duck, timing
duck def bed dlg ""
gain def bed 2.0:3.95 0:1.95 1.951:1.952 4.83:5.95 0:12
check "output is as long as the music" "$g_samples == $g_samples_in" "$g_samples vs $g_samples_in"
check "under speech the bed sits at -depth (-12 dB)" "$g_r0_min_db >= -12.01 && $g_r0_max_db <= -11.99" \
    "$g_r0_min_db .. $g_r0_max_db dB"
check "before the duck the music passes bit-exact" "$g_r1_exact == 1" "not exact"
check "the duck begins exactly lookahead - one block (50 ms) before the onset" \
    "$g_r2_max_db < -0.05" "gain at 1.951 s: $g_r2_max_db dB"
check "back to unity (bit-exact) within hold + release after speech" "$g_r3_exact == 1" \
    "$g_r3_min_db .. $g_r3_max_db dB"
check "music and output stay aligned to the sample" "$g_phase_err_max < 0.001" "phase error $g_phase_err_max rad"
# 12 dB in attack (40 ms) down, in release (500 ms) up: the bound on the
# slope is this move's, within rounding.
check "gain slope going down = depth/attack (0.3 dB/ms, within 1%)" \
    "$g_slope_down_max >= 0.297 && $g_slope_down_max <= 0.303" "$g_slope_down_max dB/ms"
check "gain slope going up = depth/release (0.024 dB/ms, within 1%)" \
    "$g_slope_up_max >= 0.02376 && $g_slope_up_max <= 0.02424" "$g_slope_up_max dB/ms"
def_range="$g_r4_min_db"

# The duck is in place from the first syllable: the onset of each span.
gain def bed 2.0:2.01 6.0:6.01 9.0:9.01
check "duck in place at the first syllable (all three onsets)" \
    "$g_r0_max_db <= -11.99 && $g_r1_max_db <= -11.99 && $g_r2_max_db <= -11.99" \
    "$g_r0_max_db / $g_r1_max_db / $g_r2_max_db dB"

# Look-ahead shifts the start of the duck by exactly itself.
duck la100 bed dlg "lookahead=100"
gain la100 bed 0:1.91 1.9101:1.9102
check "lookahead=100 starts the duck exactly 40 ms earlier (1.910 s)" \
    "$g_r0_exact == 1 && $g_r1_max_db < -0.01" "exact $g_r0_exact, gain $g_r1_max_db dB"

# Without look-ahead the duck can only follow the voice.
duck la0 bed dlg "lookahead=0"
gain la0 bed 2.0:2.01
check "lookahead=0 is late at the onset (what lookahead is for)" "$g_r0_max_db > -6" "$g_r0_max_db dB"

# Nine seconds of speech without a pause longer than the syllable gaps: the
# floor comes from those gaps, the detector holds, the duck stays put.
"$T/speechgen" $R 12 -60 -20 1.0-10.0 8 > "$W/long_dlg.f32"
duck long bed long_dlg ""
gain long bed 1.0:10.0
check "continuous speech for 9 s: -12 dB all through" "$g_r0_min_db >= -12.01 && $g_r0_max_db <= -11.99" \
    "$g_r0_min_db .. $g_r0_max_db dB"

# --------------------------------------------------- frame-size independence
ff -f f32le -ar $R -ac 2 -i "$W/bed.f32" -f f32le -ar $R -ac 1 -i "$W/dlg.f32" \
    -filter_complex "[0:a]asetnsamples=n=1000:p=0[m];[1:a]asetnsamples=n=333:p=0[d];[m][d]duckfloor[o]" \
    -map "[o]" -f f32le "$W/frames.f32"
same_file "the output does not depend on input frame sizes" "$W/def.f32" "$W/frames.f32"
duck again bed dlg ""
same_file "deterministic: two runs are identical" "$W/def.f32" "$W/again.f32"
# A look-ahead shorter than one analysis block, in other frame sizes.
for la in 0 5; do
    duck la${la}a bed dlg "lookahead=$la"
    ff -f f32le -ar $R -ac 2 -i "$W/bed.f32" -f f32le -ar $R -ac 1 -i "$W/dlg.f32" \
        -filter_complex "[0:a]asetnsamples=n=97:p=0[m];[1:a]asetnsamples=n=1500:p=0[d];[m][d]duckfloor=lookahead=$la[o]" \
        -map "[o]" -f f32le "$W/la${la}b.f32"
    same_file "lookahead=$la (under one block) does not depend on frame sizes" "$W/la${la}a.f32" "$W/la${la}b.f32"
done

# ------------------------------------------------------------ metadata
for k in gain_db noise_floor_db speech music_lufs speech_lufs; do
    if grep -q "lavfi.duckfloor.$k=" "$W/def.meta"; then pass "metadata lavfi.duckfloor.$k"
    else fail "metadata lavfi.duckfloor.$k" "not in the frames"; fi
done
floor_ref=$(loudness "$W/dlg_floor.f32" 1)
# frames between 11 and 12 s: speech flag and floor
awk -v R=$R '/^frame:/ { split($3, a, ":"); t = a[2] } /speech=/ { split($0, a, "="); sp[t > 2.05 && t < 3.9 ? "in" : (t > 5 && t < 5.9 ? "out" : "x")] += a[2]; n[t > 2.05 && t < 3.9 ? "in" : (t > 5 && t < 5.9 ? "out" : "x")]++ }
     /noise_floor_db=/ && t > 11 { split($0, a, "="); f = a[2] }
     END { printf "sp_in=%.3f\nsp_out=%.3f\nfloor_meta=%s\n", sp["in"] / n["in"], sp["out"] / n["out"], f }' \
    "$W/def.meta" > "$W/def.metasum"
eval "$(cat "$W/def.metasum")"
check "speech=1 through a span (hold bridges the syllable gaps)" "$sp_in == 1" "share $sp_in"
check "speech=0 between spans" "$sp_out == 0" "share $sp_out"
check "noise_floor_db within 1 dB of the floor's loudness ($floor_ref LUFS)" \
    "$floor_meta - $floor_ref <= 1 && $floor_ref - $floor_meta <= 1" "metadata $floor_meta"

# ------------------------------------------------ the floor limits the duck
# A noisy stem (-40 dBFS hiss) under a quiet bed: the full 12 dB would put
# the bed below the hiss; the duck stops margin (6 dB) above it.
"$T/speechgen" $R 8 -40 -15 2.0-5.0 2 > "$W/noisy.f32"
"$T/speechgen" $R 8 -40 -15 - 2 > "$W/noisy_floor.f32"
probe quiet 0.05 8
duck floor quiet noisy ""
gain floor quiet 2.1:4.9
floor_ref=$(loudness "$W/noisy_floor.f32" 1)
bed_ref=$(loudness "$W/quiet.f32" 2)
check "floor-limited: bed level during speech >= floor + margin (0.1 dB: ebur128 prints tenths)" \
    "$bed_ref + $g_r0_min_db >= $floor_ref + 6 - 0.1" \
    "bed $bed_ref $g_r0_min_db dB vs floor $floor_ref + 6"
check "floor-limited: the duck is shallower than depth" "$g_r0_min_db > -11" "$g_r0_min_db dB"
check "floor-limited: but it still ducks where it can" "$g_r0_max_db < -1" "$g_r0_max_db dB"
duck floor_m0 quiet noisy "margin=0"
gain floor_m0 quiet 2.1:4.9
check "margin=0 lets the bed down to the floor, deeper than margin=6" \
    "$g_r0_min_db < -7 && $bed_ref + $g_r0_min_db >= $floor_ref - 0.3" "$g_r0_min_db dB"

# --------------------------------------------------------- sbr, maxdepth
"$T/speechgen" $R 8 -70 -38 2.0-5.0 3 > "$W/soft.f32"
probe loud 0.3 8
duck sbr loud soft ""
gain sbr loud 2.2:4.9
check "quiet speech under a loud bed: ducked to maxdepth (-24 dB)" \
    "$g_r0_min_db >= -24.01 && $g_r0_max_db <= -23.99" "$g_r0_min_db .. $g_r0_max_db dB"
duck sbr18 loud soft "maxdepth=18"
gain sbr18 loud 2.2:4.9
check "maxdepth=18 caps the sbr duck at -18 dB" "$g_r0_min_db >= -18.01 && $g_r0_max_db <= -17.99" "$g_r0_min_db dB"
duck sbr12 loud soft "maxdepth=12"
gain sbr12 loud 2.2:4.9
check "maxdepth=depth turns the sbr deepening off" "$g_r0_min_db >= -12.01 && $g_r0_max_db <= -11.99" "$g_r0_min_db dB"

# ------------------------------------------------- hiss and silence
"$T/speechgen" $R 6 -30 0 - 4 > "$W/hiss_dlg.f32"
probe bed6 0.1 6
duck hiss bed6 hiss_dlg ""
gain hiss bed6 0:6
check "loud hiss without speech never ducks (bit-exact)" "$g_r0_exact == 1" "$g_r0_min_db dB"

ff -f lavfi -i "anullsrc=r=$R:cl=mono" -t 6 -f f32le "$W/dsil_dlg.f32"
duck dsil bed6 dsil_dlg ""
same_file "digital-silence dialogue leaves the music bit-exact" "$W/bed6.f32" "$W/dsil.f32"
ff -f lavfi -i "anullsrc=r=$R:cl=stereo" -t 12 -f f32le "$W/msil.f32"
duck msil_out msil dlg ""
same_file "silent music in, identical silence out" "$W/msil.f32" "$W/msil_out.f32"
nonzero=$(awk -F= '/gain_db=/ && $2 != "0.00" { n++ } END { print n + 0 }' "$W/msil_out.meta")
check "silent music is not ducked (gain_db 0 in every frame)" "$nonzero == 0" "$nonzero frames ducked"

# ------------------------------------------------------------ output=mix
probe bed5 0.1 5
"$T/speechgen" $R 6 -60 -20 1.0-5.5 5 > "$W/dlg6.f32"
duck m5 bed5 dlg6 ""
duck mix5 bed5 dlg6 "output=mix"
mix=$("$T/audiomixerr" "$W/mix5.f32" "$W/m5.f32" "$W/dlg6.f32" 0.70710678) && eval "$mix"
check "output=mix is the ducked bed plus the voice at -3 dB per side" "$max_err < 1e-6" "max error $max_err"
check "output=mix lasts as long as the longer input" "$mix_samples == 6 * $R" "$mix_samples samples"
check "output=music lasts exactly as long as the music" "$bed_samples == 5 * $R" "$bed_samples samples"

# ------------------------------------------------ other rates and layouts
ff -f lavfi -i "aevalsrc=0.1*sin(2*PI*440*t)|0.1*cos(2*PI*440*t)|0.05*sin(2*PI*330*t)|0.02*sin(2*PI*60*t)|0.03*sin(2*PI*550*t)|0.03*cos(2*PI*550*t):s=44100:d=6:c=5.1" \
    -f f32le "$W/bed51.f32"
"$T/speechgen" 44100 6 -60 -20 2.0-4.0 6 > "$W/dlg44.f32"
ff -f f32le -ar 44100 -ac 1 -i "$W/dlg44.f32" -filter_complex "[0:a]pan=stereo|c0=c0|c1=0.5*c0[s]" \
    -map "[s]" -f f32le "$W/dlg44s.f32"
ff -f f32le -ar 44100 -ch_layout 5.1 -i "$W/bed51.f32" -f f32le -ar 44100 -ac 2 -i "$W/dlg44s.f32" \
    -filter_complex "[0:a][1:a]duckfloor,ametadata=mode=print:file=$W/51.meta[o]" -map "[o]" \
    -f f32le "$W/out51.f32"
min51=$(awk -F= '/gain_db=/ { if ($2 < m) m = $2 } END { print m + 0 }' "$W/51.meta")
bytes_in=$(wc -c < "$W/bed51.f32")
bytes_out=$(wc -c < "$W/out51.f32")
check "44.1 kHz 5.1 bed with a stereo voice: ducked to -12 dB" "$min51 <= -11.99 && $min51 >= -12.01" "min gain $min51 dB"
check "44.1 kHz 5.1: every channel and sample out" "$bytes_in == $bytes_out" "$bytes_in vs $bytes_out bytes"

# ------------------------------------------------------------ summary log
"$AIPOST_BIN/ffmpeg" -hide_banner -nostdin -f f32le -ar $R -ac 2 -i "$W/bed.f32" -f f32le -ar $R -ac 1 \
    -i "$W/dlg.f32" -filter_complex "[0:a][1:a]duckfloor" -f null - 2> "$W/summary.log"
if grep -Eq 'ducked [0-9.]+ s of 12.00 s .*mean depth -[0-9.]+ dB.*dialogue floor mean -[0-9.]+' "$W/summary.log"; then
    pass "summary at the end: time ducked, mean depth, floor"
else
    fail "summary at the end: time ducked, mean depth, floor" "$(grep -i duck "$W/summary.log" | head -2)"
fi

# ------------------------------------------------------------ errors
two="-f lavfi -i sine=d=0.1 -f lavfi -i sine=d=0.1 -filter_complex"
for bad in depth=61 margin=-1 attack=0 release=6000 lookahead=501 band_ratio=2 floor_window=0.5; do
    refused "$bad is refused, naming the option and its range" "${bad%%=*}" "out of range" -- \
        $two "[0:a][1:a]duckfloor=$bad" -f null -
done
refused "maxdepth < depth is refused, saying why" "maxdepth=10 is shallower than depth=20" -- \
    $two "[0:a][1:a]duckfloor=depth=20:maxdepth=10" -f null -
refused "output=both is refused, naming the option" "output" "both" -- \
    $two "[0:a][1:a]duckfloor=output=both" -f null -
refused "mismatched sample rates are refused, saying what to do" \
    "music is at 48000 Hz and the dialogue at 44100 Hz" "aresample" -- \
    -f lavfi -i "sine=d=0.1:r=48000" -f lavfi -i "sine=d=0.1:r=44100" \
    -filter_complex "[0:a][1:a]duckfloor" -f null -
