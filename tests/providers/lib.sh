# shellcheck shell=sh
# Helpers for the provider-protocol tests: sourced by tests/providers/test_*.sh
# after the graph tests' lib.sh (ff, pass, fail, check, refused). Starts the
# emulator (tests/providers/emulator.py) with a CA and server certificate
# made here with openssl, makes the media it serves with the built ffmpeg,
# and stops it when the script exits.

. "$(dirname "$0")/../graph/lib.sh"

PROV=$TOP/tests/providers
EMU=$W/emu
PKI=$W/pki
PMEDIA=$AIPOST_TEST_OUT/provider-media

command -v python3 >/dev/null 2>&1 || { fail "python3" "python3 is needed by the emulator (configure installs it)"; exit 0; }
command -v openssl >/dev/null 2>&1 || { fail "openssl" "openssl is needed to make the test CA (configure installs it)"; exit 0; }

# The test credentials, the ones the emulator accepts.
eval "$(python3 "$PROV/emulator.py" --keys)"
export RUNWAYML_API_SECRET LUMAAI_API_KEY KLING_ACCESS_KEY KLING_SECRET_KEY KLING_API_KEY \
       GEMINI_API_KEY OPENAI_API_KEY MINIMAX_API_KEY ELEVENLABS_API_KEY
unset GOOGLE_API_KEY
ALL_KEYS="$RUNWAYML_API_SECRET $LUMAAI_API_KEY $KLING_ACCESS_KEY $KLING_SECRET_KEY $KLING_API_KEY
$GEMINI_API_KEY $OPENAI_API_KEY $MINIMAX_API_KEY $ELEVENLABS_API_KEY"

# A CA made for this run, and a server certificate for 127.0.0.1 and
# localhost signed by it.
make_pki() {
    mkdir -p "$PKI"
    (
        cd "$PKI" || exit 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -keyout ca.key -out ca.pem -subj "/CN=aipost test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout server.key -out server.csr -subj "/CN=localhost" &&
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' > ext.cnf &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile ext.cnf -out server.pem
    ) > "$PKI/openssl.log" 2>&1
}

# The media the emulator serves: MP4s with the index (moov) at the end, as
# the mov muxer writes without +faststart, and an MPEG audio file.
make_media() {
    [ -s "$PMEDIA/audio.mp2" ] && return 0
    mkdir -p "$PMEDIA"
    ff -loop 1 -framerate 24 -i "$MEDIA/astronaut.png" -f lavfi -i "sine=f=440:d=3:r=48000" -t 3 \
        -vf "scale=320:240,noise=alls=8:allf=t,format=yuv420p" -c:v mpeg4 -q:v 6 -g 24 \
        -c:a aac -b:a 96k "$PMEDIA/video.mp4" &&
    ff -loop 1 -framerate 24 -i "$MEDIA/chelsea.png" -t 2 \
        -vf "scale=320:240,format=yuv420p" -c:v mpeg4 -q:v 5 "$PMEDIA/video2.mp4" &&
    ff -f lavfi -i "sine=f=330:d=3:r=44100" -c:a mp2 -b:a 128k -f mp2 "$PMEDIA/audio.mp2"
}

emu_stop() {
    if [ -n "${EMU_PID:-}" ]; then
        kill "$EMU_PID" 2>/dev/null
        wait "$EMU_PID" 2>/dev/null
        EMU_PID=
    fi
}

emu_start() {
    make_media || { fail "media" "could not make the emulator's media"; exit 0; }
    make_pki || { fail "pki" "openssl could not make the test CA: $(tail -3 "$PKI/openssl.log")"; exit 0; }
    rm -rf "$EMU"
    mkdir -p "$EMU"
    python3 "$PROV/emulator.py" --state "$EMU" --media "$PMEDIA" \
        --cert "$PKI/server.pem" --key "$PKI/server.key" 2> "$EMU/stderr" &
    EMU_PID=$!
    trap emu_stop EXIT
    trap 'emu_stop; exit 1' INT TERM
    _i=0
    while [ ! -s "$EMU/ports.json" ]; do
        _i=$((_i + 1))
        if [ $_i -gt 100 ] || ! kill -0 "$EMU_PID" 2>/dev/null; then
            fail "emulator" "did not start: $(tail -3 "$EMU/stderr")"
            exit 0
        fi
        sleep 0.1
    done
    eval "$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); [print("PORT_%s=%d" % (k.upper(), v)) for k, v in p.items()]' "$EMU/ports.json")"
    API=http://127.0.0.1:$PORT_API_HTTP
    API_TLS=https://127.0.0.1:$PORT_API_HTTPS
    CA=$PKI/ca.pem
}

# api_base of each provider, on the emulator's origin ORIGIN.
base_of() {
    case $1 in
        luma) echo "$2/dream-machine/v1" ;;
        sora) echo "$2/openai/v1" ;;
        *)    echo "$2" ;;
    esac
}

# url_of PROVIDER ID: the provider URL of a job of the emulator.
url_of() {
    case $1 in
        kling) echo "kling://text2video/$2" ;;
        veo)   echo "veo://models/veo-3.1-generate-preview/operations/$2" ;;
        *)     echo "$1://$2" ;;
    esac
}

# media_of PROVIDER: the file the emulator serves for that provider.
media_of() {
    case $1 in
        elevenlabs) echo "$PMEDIA/audio.mp2" ;;
        *)          echo "$PMEDIA/video.mp4" ;;
    esac
}

# Fast polling and retries so that the tests take seconds, not minutes.
FAST="-poll_interval 0.05 -retry_delay 0.05 -io_timeout 2"

# fetch NAME URL OPTIONS...: decode URL through the protocol into
# $W/NAME.md5 (framemd5 of every stream) at -loglevel debug, everything it
# logs in $W/NAME.log; sets rc and secs (wall time).
fetch() {
    _n=$1 _u=$2
    shift 2
    _t0=$(date +%s.%N)
    ${AIPOST_WRAP:-} "$AIPOST_BIN/ffmpeg" -hide_banner -nostdin -loglevel debug -y "$@" -i "$_u" \
        -map 0 -f framemd5 "$W/$_n.md5" > "$W/$_n.log" 2>&1
    rc=$?
    secs=$(echo "$(date +%s.%N) $_t0" | awk '{ printf "%.2f", $1 - $2 }')
}

# reference FILE: framemd5 of a local file, once.
reference() {
    _r=$W/ref_$(basename "$1").md5
    [ -s "$_r" ] || "$AIPOST_BIN/ffmpeg" -hide_banner -nostdin -loglevel error -y -i "$1" \
        -map 0 -f framemd5 "$_r"
    echo "$_r"
}

# same_decode NAME FILE: the protocol's decode of test NAME equals FILE's.
same_decode() {
    _ref=$(reference "$2")
    if [ "$rc" = 0 ] && [ -s "$W/$1.md5" ] && cmp -s "$_ref" "$W/$1.md5"; then
        pass "$1: decodes frame-exact as the served file"
    else
        fail "$1: decodes frame-exact as the served file" "rc=$rc: $(grep -v '^\[.*@' "$W/$1.log" | grep -iE 'error|fail|refus' | head -3)"
    fi
}

# logged NAME PATTERN DESCRIPTION: $W/NAME.log contains PATTERN (fixed string).
logged() {
    if grep -qF -- "$2" "$W/$1.log"; then pass "$1: $3"; else fail "$1: $3" "no '$2' in $W/$1.log: $(grep -E '^\[(runway|luma|kling|veo|sora|hailuo|elevenlabs) @' "$W/$1.log" | tail -3)"; fi
}

# no_key_in_log NAME: none of the credentials appears in the debug log.
no_key_in_log() {
    _leak=
    for _k in $ALL_KEYS; do
        grep -qF -- "$_k" "$W/$1.log" && _leak="$_leak ${_k%"${_k#????????}"}..."
    done
    if [ -z "$_leak" ]; then pass "$1: no credential in the debug log"; else fail "$1: no credential in the debug log" "found:$_leak"; fi
}

# storage_clean NAME: the storage host has never received a credential or
# an authorisation header (checked over everything it logged so far).
storage_clean() {
    _bad=$(python3 - "$EMU/requests.jsonl" $ALL_KEYS <<'EOF'
import json, sys
keys = sys.argv[2:]
bad = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("srv") != "storage" or "headers" not in e:
        continue
    text = json.dumps(e)
    for h in e["headers"]:
        if h.lower() in ("authorization", "x-goog-api-key", "xi-api-key", "proxy-authorization"):
            bad.append("%s header on %s" % (h, e["path"]))
    for k in keys:
        if k in text:
            bad.append("key %s... on %s" % (k[:8], e["path"]))
print("; ".join(bad[:3]))
EOF
)
    if [ -z "$_bad" ]; then pass "$1: no credential reached the storage host"; else fail "$1: no credential reached the storage host" "$_bad"; fi
}

# requests SRV PATH_SUBSTRING: how many requests the emulator's SRV got.
requests() {
    python3 - "$EMU/requests.jsonl" "$1" "$2" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("srv") == sys.argv[2] and "headers" in e and sys.argv[3] in e["path"]:
        n += 1
print(n)
EOF
}

# responses SRV PATH_SUBSTRING STATUS: how many such responses it gave.
responses() {
    python3 - "$EMU/requests.jsonl" "$1" "$2" "$3" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("srv") == sys.argv[2] and "status" in e and sys.argv[3] in e["path"] and str(e["status"]) == sys.argv[4]:
        n += 1
print(n)
EOF
}

# looks PROVIDER ID: how many job-status requests the API host got for ID.
looks() {
    python3 - "$EMU/requests.jsonl" "$1" "$2" <<'EOF'
import json, sys
prov, jid = sys.argv[2], sys.argv[3]
want = {"runway": "/v1/tasks/%s", "luma": "/dream-machine/v1/generations/%s",
        "kling": "/v1/videos/text2video/%s", "veo": "/v1beta/models/veo-3.1-generate-preview/operations/%s",
        "sora": "/openai/v1/videos/%s", "hailuo": "/v1/query/video_generation?task_id=%s",
        "elevenlabs": "/v1/history/%s"}[prov] % jid
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    n += e.get("srv") == "api" and "headers" in e and e["path"] == want
print(n)
EOF
}

# prov_opts PROVIDER ORIGIN: the options pointing a provider at the emulator.
prov_opts() {
    echo "-api_base $(base_of "$1" "$2") -ca_file $CA $FAST"
}

PROVIDERS="runway luma kling veo sora hailuo elevenlabs"
