#!/bin/sh
# Credentials: each provider's environment variable or api_key; a missing
# one fails before any request; a refused one fails naming the variable,
# with the provider's message but never the key (the emulator echoes the
# key it refuses, as some APIs do); the Kling JWT checked by the emulator
# (wrong secret, static key on the legacy API); Veo's GOOGLE_API_KEY; keys
# with control characters refused; TLS verification on by default.
. "$(dirname "$0")/lib.sh"

emu_start

env_of() {
    case $1 in
        runway) echo RUNWAYML_API_SECRET ;;
        luma) echo LUMAAI_API_KEY ;;
        kling) echo KLING_ACCESS_KEY ;;
        veo) echo GEMINI_API_KEY ;;
        sora) echo OPENAI_API_KEY ;;
        hailuo) echo MINIMAX_API_KEY ;;
        elevenlabs) echo ELEVENLABS_API_KEY ;;
    esac
}

total() { wc -l < "$EMU/requests.jsonl" | tr -d ' '; }

for p in $PROVIDERS; do
    v=$(env_of "$p")
    # No credential at all: fails at open, naming what to set, no request.
    before=$(total)
    ( unset "$v" KLING_SECRET_KEY KLING_API_KEY GOOGLE_API_KEY
      fetch "${p}_nokey" "$(url_of "$p" done_nk)" $(prov_opts "$p" "$API"); exit $rc )
    rc=$?
    after=$(total)
    if [ $rc != 0 ] && grep -q "no .*$v" "$W/${p}_nokey.log" && [ "$before" = "$after" ]; then
        pass "${p}_nokey: without $v the open fails at once, naming it, with no request"
    else
        fail "${p}_nokey: without $v the open fails at once, naming it, with no request" \
            "rc=$rc requests $before -> $after: $(grep -E "^\[$p @" "$W/${p}_nokey.log" | tail -1)"
    fi

    # A wrong key (the emulator echoes Runway's and OpenAI's back).
    bad="wrong-$p-key-0123456789abcdef"
    ( export "$v=$bad"
      [ "$p" = kling ] && export KLING_SECRET_KEY=wrong-secret-0123456789
      fetch "${p}_badkey" "$(url_of "$p" done_bk)" $(prov_opts "$p" "$API"); exit $rc )
    rc=$?
    want=$v
    [ "$p" = kling ] && want=KLING_ACCESS_KEY
    if [ $rc != 0 ] && grep -E "^\[$p @" "$W/${p}_badkey.log" | grep -q "$want"; then
        pass "${p}_badkey: a refused key fails, naming $want"
    else
        fail "${p}_badkey: a refused key fails, naming $want" "rc=$rc: $(grep -E "^\[$p @" "$W/${p}_badkey.log" | grep -v ' GET ' | tail -2)"
    fi
    if grep -qF "$bad" "$W/${p}_badkey.log"; then
        fail "${p}_badkey: the refused key is not in the log" "found in $W/${p}_badkey.log"
    else
        pass "${p}_badkey: the refused key is not in the log"
    fi
    n=$(looks "$p" done_bk)
    check "${p}_badkey: not retried (1 look)" "$n == 1" "$n looks"

    # The api_key option over a wrong variable.
    if [ "$p" != kling ]; then
        eval "good=\$$v"
        ( export "$v=$bad"
          fetch "${p}_option" "$(url_of "$p" done_opt)" $(prov_opts "$p" "$API") -api_key "$good"; exit $rc )
        rc=$?
        same_decode "${p}_option" "$(media_of "$p")"
    fi
done
logged runway_badkey "Invalid API key: ****" "Runway's message is shown with the echoed key masked"
logged sora_badkey "Incorrect API key provided: ****" "OpenAI's message is shown with the echoed key masked"
logged luma_badkey "Invalid API key provided" "Luma's message is shown"
logged kling_badkey "Authorization is invalid (1002)" "Kling's message and service code are shown"
logged hailuo_badkey "login fail" "MiniMax's in-band 1004 is shown"
logged hailuo_badkey "check MINIMAX_API_KEY" "MiniMax's 1004 names the variable"

# Kling: the legacy query wants the JWT; a static key alone is refused by
# it, and taken by the new standard.
( unset KLING_ACCESS_KEY KLING_SECRET_KEY
  fetch kling_static_legacy "kling://text2video/done_sl" $(prov_opts kling "$API"); exit $rc )
rc=$?
check "kling_static_legacy: without the pair, the static key goes to the legacy query (refused there)" "$rc != 0" "rc=$rc"
logged kling_static_legacy "Authorization is invalid" "and Kling's message says so"
( unset KLING_API_KEY
  fetch kling_jwt_new "kling://tasks/done_jn" $(prov_opts kling "$API"); exit $rc )
rc=$?
check "kling_jwt_new: without a static key, the new standard gets the JWT (the emulator wants the static key)" "$rc != 0" "rc=$rc"
ak=$KLING_ACCESS_KEY sk=$KLING_SECRET_KEY
( unset KLING_ACCESS_KEY KLING_SECRET_KEY
  fetch kling_options "kling://text2video/done_ko" $(prov_opts kling "$API") \
      -access_key "$ak" -secret_key "$sk"; exit $rc )
rc=$?
same_decode kling_options "$PMEDIA/video.mp4"

# Veo takes GOOGLE_API_KEY when GEMINI_API_KEY is not set.
( GOOGLE_API_KEY=$GEMINI_API_KEY; export GOOGLE_API_KEY; unset GEMINI_API_KEY
  fetch veo_google "$(url_of veo done_g)" $(prov_opts veo "$API"); exit $rc )
rc=$?
same_decode veo_google "$PMEDIA/video.mp4"

# A key that would split the request's headers is refused.
refused "a key with a line break is refused before any request" "holds control characters" -- \
    -api_base "$API" -api_key "$(printf 'abc\r\nX-Injected: 1')" -i runway://done_inj -f null -

# Bad ids and bases fail at open.
refused "an id with a path segment '..' is refused" "is not a Runway task id" -- \
    -api_base "$API" -i "runway://a/../b" -f null -
refused "kling:// without KIND/ is refused, saying the form" "expected kling://KIND/TASK_ID" -- \
    -api_base "$API" -i "kling://123" -f null -
refused "an api_base that is not http(s) is refused" "api_base=ftp://x is not an http:// or https:// URL" -- \
    -api_base "ftp://x" -i "runway://abc" -f null -
refused "an api_base with user info is refused" "is not an http:// or https:// URL without user info" -- \
    -api_base "http://user:pw@127.0.0.1:1" -i "runway://abc" -f null -
refused "an option out of range names it" "timeout" -- \
    -api_base "$API" -timeout 0 -i "runway://abc" -f null -
refused "writing is refused" "protocol for writing" -- \
    -f lavfi -i anullsrc -t 0.1 -f wav "runway://abc"

# TLS: verification is on by default: the emulator's CA is not the
# system's, so without ca_file the API host is refused.
fetch tls_default runway://done_tls -api_base "$API_TLS" $FAST
check "tls_default: without ca_file the emulator's certificate is refused (verification on by default)" "$rc != 0" "rc=$rc"
logged tls_default "a certificate that is not trusted? see ca_file and tls_verify" "the TLS error says what to look at"
n=$(grep -c "Peer certificate failed verification" "$W/tls_default.log")
check "tls_default: a certificate failure is not retried" "$n == 1" "$n attempts"
fetch tls_off runway://done_tls2 -api_base "$API_TLS" $FAST -tls_verify 0
same_decode tls_off "$PMEDIA/video.mp4"
logged tls_off "tls_verify=0: the servers' certificates are not checked" "tls_verify=0 warns"
fetch tls_ca runway://done_tls3 -api_base "$API_TLS" -ca_file "$CA" $FAST
same_decode tls_ca "$PMEDIA/video.mp4"
# The storage host is verified as well: the API's CA is given, the storage
# host on https is reached only through it (the happy path); with a CA
# file of another CA, the storage host is refused too.
mkdir -p "$W/otherca"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -keyout "$W/otherca/ca.key" -out "$W/otherca/ca.pem" -subj "/CN=another CA" > /dev/null 2>&1
fetch tls_other runway://done_tls4 -api_base "$API_TLS" -ca_file "$W/otherca/ca.pem" $FAST
check "tls_other: a CA file of another CA refuses the API host" "$rc != 0" "rc=$rc"

storage_clean "all of test_creds"
