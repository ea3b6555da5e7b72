#!/usr/bin/env bash
# DEMO ONLY. Mints an X.509-SVID (EC P-256 key + certificate) for the demo trust domain "demo.local",
# signed by the demo SPIFFE CA whose private key is committed next to this script. A real workload
# gets its X.509-SVID from its SPIFFE agent; never trust this CA anywhere but the local demo realm.
#
# usage: mint-x509-svid.sh <spiffe-id> <output-dir>     writes <output-dir>/svid.pem and svid.key
set -euo pipefail
DIR="$(cd "$(dirname "$0")" && pwd)"
ID="${1:-spiffe://demo.local/ns/demo/x509/agent}"
OUT="${2:-.}"
mkdir -p "$OUT"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$OUT/svid.key" -subj "/O=SPIFFE" \
  -out "$OUT/svid.csr" 2>/dev/null
printf 'subjectAltName=critical,URI:%s\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth,serverAuth\nbasicConstraints=critical,CA:FALSE\n' \
  "$ID" > "$OUT/svid.ext"
openssl x509 -req -in "$OUT/svid.csr" -CA "$DIR/demo.local.x509-ca.pem" -CAkey "$DIR/DEMO-ONLY-x509-svid-ca.key" \
  -set_serial "0x$(openssl rand -hex 8)" -days 1 -extfile "$OUT/svid.ext" -out "$OUT/svid.pem" 2>/dev/null
rm -f "$OUT/svid.csr" "$OUT/svid.ext"
echo "$OUT/svid.pem $OUT/svid.key"
