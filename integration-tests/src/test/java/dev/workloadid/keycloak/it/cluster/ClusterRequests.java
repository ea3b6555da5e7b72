package dev.workloadid.keycloak.it.cluster;

import dev.workloadid.keycloak.it.harness.AdminClient;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Requests the cluster and fault tests send the same way. */
final class ClusterRequests {

    static final String REDIRECT = "http://127.0.0.1:48123/cb";

    private ClusterRequests() {
    }

    /** An authorization request (code, S256 PKCE) of {@code clientId} at {@code node}: the first use of a URL client_id. */
    static URI authorize(AdminClient node, String realm, String clientId) {
        return URI.create(node.realmUrl(realm) + "/protocol/openid-connect/auth?response_type=code&scope=openid"
                + "&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8)
                + "&state=s&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }
}
