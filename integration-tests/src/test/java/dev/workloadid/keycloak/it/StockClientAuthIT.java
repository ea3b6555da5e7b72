package dev.workloadid.keycloak.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.TestClients;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Loading the pack must not change how stock client authentication behaves. */
@ExtendWith(KeycloakExtension.class)
class StockClientAuthIT {

    private static String realm;
    private static RSAKey clientKey;

    @BeforeAll
    static void setUp(AdminClient admin) throws Exception {
        realm = admin.createRealm("stock");
        admin.createClient(realm, TestClients.secretClient("secret-client", "s3cret"));

        clientKey = new RSAKeyGenerator(2048).keyID("k1").keyUse(KeyUse.SIGNATURE).generate();
        ObjectNode jwtClient = TestClients.serviceClient("jwt-client", "client-jwt");
        jwtClient.putObject("attributes")
                .put("use.jwks.string", "true")
                .put("jwks.string", new JWKSet(clientKey.toPublicJWK()).toString());
        admin.createClient(realm, jwtClient);
    }

    @AfterAll
    static void tearDown(AdminClient admin) {
        admin.deleteRealm(realm);
    }

    @Test
    void clientSecretBasicStillWorks(AdminClient admin) {
        Http.Response response = Http.postForm(admin.tokenEndpoint(realm),
                Http.form("grant_type", "client_credentials"), "secret-client:s3cret");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    @Test
    void privateKeyJwtStillWorks(AdminClient admin) throws Exception {
        Http.Response response = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_id", "jwt-client",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", assertion(admin.realmUrl(realm).toString())));
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
    }

    @Test
    void privateKeyJwtWithForeignKeyIsRejected(AdminClient admin) throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k1").generate();
        Http.Response response = Http.postForm(admin.tokenEndpoint(realm), Http.form(
                "grant_type", "client_credentials",
                "client_id", "jwt-client",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", sign(admin.realmUrl(realm).toString(), stranger)));
        assertThat(response.status()).isIn(400, 401);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_client");
    }

    private static String assertion(String audience) throws Exception {
        return sign(audience, clientKey);
    }

    private static String sign(String audience, RSAKey key) throws Exception {
        Instant now = Instant.now();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(),
                new JWTClaimsSet.Builder().issuer("jwt-client").subject("jwt-client").audience(audience)
                        .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(60))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
