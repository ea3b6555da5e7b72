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
mkdir -p "$KC/data/import"
cp keycloak-conf/realm/*.json "$KC/data/import/"

export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"

echo "==> Starting Keycloak (log: $KC/demo.log)"
"$KC/bin/kc.sh" start-dev --import-realm >"$KC/demo.log" 2>&1 &
KC_PID=$!
trap 'echo; echo "==> Stopping Keycloak"; kill "$KC_PID" 2>/dev/null; wait "$KC_PID" 2>/dev/null; exit 0' INT TERM

for _ in $(seq 1 240); do
  if curl -fsS http://127.0.0.1:9000/health/ready >/dev/null 2>&1; then break; fi
  if ! kill -0 "$KC_PID" 2>/dev/null; then echo "Keycloak exited; end of its log:"; tail -40 "$KC/demo.log"; exit 1; fi
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

    # a stock client-secret service, for comparison
    curl -s -d grant_type=client_credentials -d client_id=demo-service \\
         -d client_secret=demo-service-secret-not-for-production \\
         http://localhost:8080/realms/workload-demo/protocol/openid-connect/token

    # what the realm advertises
    curl -s http://localhost:8080/realms/workload-demo/.well-known/openid-configuration

  Ctrl-C stops Keycloak.
MSG
wait "$KC_PID"
