#!/usr/bin/env bash
# DEMO ONLY. Mints a JWT-SVID for the demo trust domain "demo.local", signed with a key whose
# private half is committed next to this script. A real workload gets its JWT-SVID from its SPIFFE
# agent (e.g. SPIRE's Workload API); never trust this key anywhere but the local demo realm.
#
# usage: mint-jwt-svid.sh [spiffe-id] [audience] [lifetime-seconds]
set -euo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)"
SUB="${1:-spiffe://demo.local/ns/demo/sa/agent}"
AUD="${2:-http://localhost:8080/realms/workload-demo}"
TTL="${3:-120}"
NOW="$(date +%s)"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
HEADER="$(printf '{"alg":"RS256","typ":"JWT","kid":"demo-authority-1"}' | b64url)"
PAYLOAD="$(printf '{"sub":"%s","aud":["%s"],"iat":%d,"exp":%d,"jti":"%s"}' \
  "$SUB" "$AUD" "$NOW" "$((NOW + TTL))" "$(openssl rand -hex 12)" | b64url)"
SIG="$(printf '%s.%s' "$HEADER" "$PAYLOAD" \
  | openssl dgst -sha256 -sign "$DIR/DEMO-ONLY-jwt-svid-signing-key.pem" -binary | b64url)"
printf '%s.%s.%s\n' "$HEADER" "$PAYLOAD" "$SIG"
