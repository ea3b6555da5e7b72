#!/usr/bin/env bash
# The one-command demo: builds the pack, fetches the stock Keycloak distribution through Maven,
# puts the pack's JARs in providers/, imports the demo realm and starts Keycloak on
# http://localhost:8080 with its embedded default (dev-file) database. Ctrl-C stops it.
# DEMO ONLY: fixed admin password, public demo secrets, start-dev.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
VERSION="$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml | head -1)"
KC="$ROOT/keycloak-conf/target/demo/keycloak-$VERSION"

echo "==> Building the pack and assembling Keycloak $VERSION (first run downloads ~180 MB)"
rm -f "$KC"/providers/keycloak-wi-*.jar "$KC"/providers/authenticator-spiffe-*.jar \
      "$KC"/providers/cimd-resolver-*.jar "$KC"/providers/dcr-policy-*.jar 2>/dev/null || true
./mvnw -B -q -Pdemo -DskipTests package

cp keycloak-conf/conf/keycloak.conf "$KC/conf/keycloak.conf"
# Every run starts from the demo realm as committed: --import-realm skips a realm that already exists.
rm -rf "$KC/data/h2"
mkdir -p "$KC/data/import"
cp keycloak-conf/realm/*.json "$KC/data/import/"

# A Client ID Metadata Document host for the demo: openssl s_server on https://localhost:8443 with a
# certificate from a throw-away demo CA (made here, never committed) that this Keycloak trusts.
DOCS="$ROOT/keycloak-conf/target/demo-docs"
mkdir -p "$DOCS/www"
if [ ! -f "$DOCS/localhost.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DOCS/ca.key" -out "$DOCS/ca.pem" -days 30 \
    -subj "/CN=Workload Identity Pack DEMO CA" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$DOCS/localhost.key" -out "$DOCS/localhost.csr" -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > "$DOCS/ext.cnf"
  openssl x509 -req -in "$DOCS/localhost.csr" -CA "$DOCS/ca.pem" -CAkey "$DOCS/ca.key" -CAcreateserial \
    -out "$DOCS/localhost.pem" -days 30 -extfile "$DOCS/ext.cnf" 2>/dev/null
fi
BODY="$(cat keycloak-conf/demo-cimd/client.json)"
printf 'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=300\r\nContent-Length: %d\r\n\r\n%s' \
  "$(printf '%s' "$BODY" | wc -c)" "$BODY" > "$DOCS/www/client.json"
(cd "$DOCS/www" && exec openssl s_server -quiet -accept 127.0.0.1:8443 -cert ../localhost.pem -key ../localhost.key -HTTP) \
  >"$DOCS/s_server.log" 2>&1 &
DOC_PID=$!

export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"

echo "==> Starting Keycloak (log: $KC/demo.log)"
# Mutual TLS for X.509-SVIDs on https://localhost:8444: Keycloak asks for a client certificate and
# its TLS layer trusts the demo SPIFFE CA; the SPIFFE checks themselves are the pack's.
rm -f "$DOCS/spiffe-trust.p12"
keytool -importcert -noprompt -storetype PKCS12 -keystore "$DOCS/spiffe-trust.p12" -storepass demo-only \
  -alias demo-local -file keycloak-conf/demo-authority/demo.local.x509-ca.pem >/dev/null 2>&1

# DEMO ONLY: the document host is on loopback, so the pack's development-only loopback exception is on.
"$KC/bin/kc.sh" start-dev --import-realm --truststore-paths="$DOCS/ca.pem" \
  --spi-client-storage--wi-cimd--dev-allow-loopback=true --spi-client-storage--wi-cimd--allowed-ports=443,8443 \
  --https-port=8444 --https-certificate-file="$DOCS/localhost.pem" --https-certificate-key-file="$DOCS/localhost.key" \
  --https-client-auth=request --https-trust-store-file="$DOCS/spiffe-trust.p12" --https-trust-store-password=demo-only \
  --http-management-scheme=http >"$KC/demo.log" 2>&1 &
KC_PID=$!
trap 'echo; echo "==> Stopping Keycloak"; kill "$KC_PID" "$DOC_PID" 2>/dev/null; wait "$KC_PID" 2>/dev/null; exit 0' INT TERM

for _ in $(seq 1 240); do
  if curl -fsS http://127.0.0.1:9000/health/ready >/dev/null 2>&1; then break; fi
  if ! kill -0 "$KC_PID" 2>/dev/null; then echo "Keycloak exited; end of its log:"; tail -40 "$KC/demo.log"; kill "$DOC_PID" 2>/dev/null; exit 1; fi
  sleep 1
done
curl -fsS http://127.0.0.1:9000/health/ready >/dev/null || { echo "Keycloak not ready; see $KC/demo.log"; exit 1; }

cat <<MSG

  Keycloak $VERSION with the Workload Identity Pack is running.

  Admin console   http://localhost:8080/admin/master/console/#/workload-demo
  Admin login     $KC_BOOTSTRAP_ADMIN_USERNAME / $KC_BOOTSTRAP_ADMIN_PASSWORD   (demo only)
  Demo realm      workload-demo   (events are on: Realm settings > Events)
  Trust domains   http://localhost:8080/admin/master/console/#/workload-demo  > SPIFFE trust domains

  Try it:
    # a workload authenticates with a JWT-SVID (dev-only local authority, trust domain demo.local);
    # registration-free: its client (client_id = its SPIFFE ID) is created on this first request
    SVID=\$(keycloak-conf/demo-authority/mint-jwt-svid.sh spiffe://demo.local/ns/demo/sa/agent)
    curl -s -d grant_type=client_credentials \\
         -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-spiffe \\
         -d client_assertion=\$SVID \\
         http://localhost:8080/realms/workload-demo/protocol/openid-connect/token

    # an agent matched by the pattern client demo-agents (jwt.credential.sub spiffe://demo.local/ns/demo/agents/*)
    SVID=\$(keycloak-conf/demo-authority/mint-jwt-svid.sh spiffe://demo.local/ns/demo/agents/planner)

    # a SPIFFE ID outside the allow-list is refused with invalid_client and a reason
    SVID=\$(keycloak-conf/demo-authority/mint-jwt-svid.sh spiffe://demo.local/ns/other/x)

    # a workload registers itself (RFC 7591) with its JWT-SVID instead of an initial access token,
    # then authenticates as the new client (its SPIFFE ID is bound to it)
    REG=http://localhost:8080/realms/workload-demo/clients-registrations/rfc7591
    curl -s -X POST \$REG -H 'Content-Type: application/json' -d '{"client_name":"my agent"}' \\
         -H "Authorization: Bearer \$(keycloak-conf/demo-authority/mint-jwt-svid.sh spiffe://demo.local/ns/demo/registered/me \$REG)"
    SVID=\$(keycloak-conf/demo-authority/mint-jwt-svid.sh spiffe://demo.local/ns/demo/registered/me)

    # an MCP-style client with no registration: its client_id is the URL of its metadata document,
    # served on https://localhost:8443 (keycloak-conf/demo-cimd/client.json). Open in a browser and
    # log in as demo / demo-password-not-for-production; the consent screen names the client's host.
    http://localhost:8080/realms/workload-demo/protocol/openid-connect/auth?client_id=https%3A%2F%2Flocalhost%3A8443%2Fclient.json&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&response_type=code&scope=openid&state=demo&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256
    # (PKCE verifier for that challenge: dBjftJeZ4CVP-mJ92K5nqtvqfJ9A4O5nCIb0gYoBHRo)

    # a workload presents an X.509-SVID over mutual TLS (RFC 8705) and gets a certificate-bound token
    keycloak-conf/demo-authority/mint-x509-svid.sh spiffe://demo.local/ns/demo/x509/agent /tmp/demo-svid
    curl -s --cacert keycloak-conf/target/demo-docs/ca.pem \\
         --cert /tmp/demo-svid/svid.pem --key /tmp/demo-svid/svid.key \\
         -d grant_type=client_credentials -d client_id=demo-x509-agents \\
         https://localhost:8444/realms/workload-demo/protocol/openid-connect/token

    # a stock client-secret service, for comparison
    curl -s -d grant_type=client_credentials -d client_id=demo-service \\
         -d client_secret=demo-service-secret-not-for-production \\
         http://localhost:8080/realms/workload-demo/protocol/openid-connect/token

    # what the realm advertises
    curl -s http://localhost:8080/realms/workload-demo/.well-known/openid-configuration

  Ctrl-C stops Keycloak.
MSG
wait "$KC_PID"
kill "$DOC_PID" 2>/dev/null || true
