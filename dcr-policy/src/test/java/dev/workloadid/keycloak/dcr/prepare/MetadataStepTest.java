package dev.workloadid.keycloak.dcr.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.statement.JwksFetcher;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link MetadataStep} and {@link JwksInlining}: the metadata rules of the pack's endpoint, in their order. */
class MetadataStepTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> KNOWN = MetadataStep.keycloakMembers(MAPPER);
    private static final String JWKS_URI = "https://keys.example.com/jwks";

    private final List<String> fetched = new ArrayList<>();
    private final ECKey key = key();

    private static ECKey key() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private MetadataStep step() {
        return new MetadataStep(KNOWN, new JwksInlining(MAPPER, (uri, refresh) -> {
            fetched.add(uri + (refresh ? " (refresh)" : ""));
            return new JWKSet(key.toPublicJWK());
        }));
    }

    private static RegistrationMetadata parse(String json) {
        return RegistrationMetadata.parse(MAPPER, json);
    }

    private static void refused(Runnable step, String inDescription) {
        assertThatThrownBy(step::run).isInstanceOfSatisfying(DcrError.class, e -> {
            assertThat(e.code()).isEqualTo(DcrError.INVALID_CLIENT_METADATA);
            assertThat(e.description()).contains(inDescription);
        });
    }

    @Test
    void dcr04_membersKeycloakDoesNotKnowAreDroppedAndTheTypeIsInferred() {
        RegistrationMetadata m = parse("{\"client_name\":\"a\",\"x_vendor\":1,\"redirect_uris\":[\"http://127.0.0.1:7000/cb\"]}");
        assertThat(step().apply(m, false)).isEqualTo("native");
        assertThat(m.metadata().has("client_name")).isTrue();
        assertThat(m.metadata().has("x_vendor")).isFalse();
        assertThat(m.ignored()).contains("x_vendor");
        assertThat(KNOWN).contains("client_name", "redirect_uris", "token_endpoint_auth_method", "jwks", "jwks_uri")
                .doesNotContain("spiffe_id", "software_statement");
        assertThat(step().apply(parse("{\"application_type\":\"web\"}"), false)).isEqualTo("web");
        refused(() -> step().apply(parse("{\"application_type\":\"desktop\"}"), false), "application_type");
    }

    @Test
    void dcr07_jwksAndJwksUriTogetherAreRefusedBeforeAnythingIsFetched() {
        refused(() -> step().apply(parse("{\"jwks_uri\":\"" + JWKS_URI + "\",\"jwks\":{\"keys\":[]}}"), false), "jwks");
        assertThat(fetched).isEmpty();
    }

    @Test
    void dcr07_jwksUriIsReplacedByTheKeysItHoldsMarkedForSignatures() {
        RegistrationMetadata m = parse("{\"jwks_uri\":\"" + JWKS_URI + "\",\"token_endpoint_auth_method\":\"private_key_jwt\"}");
        step().apply(m, false);
        assertThat(fetched).containsExactly(JWKS_URI + " (refresh)");
        assertThat(m.metadata().has(RegistrationMetadata.JWKS_URI)).isFalse();
        assertThat(m.metadata().path(RegistrationMetadata.JWKS).path("keys").get(0).path("kid").asText()).isEqualTo("k1");
        assertThat(m.metadata().path(RegistrationMetadata.JWKS).path("keys").get(0).path("use").asText()).isEqualTo("sig");
        assertThat(m.metadata().path(RegistrationMetadata.JWKS).path("keys").get(0).has("d")).as("public part only").isFalse();
    }

    @Test
    void dcr14_aJwksUriThatHoldsNoKeySetIsInvalidClientMetadata() {
        MetadataStep step = new MetadataStep(KNOWN, new JwksInlining(MAPPER,
                (uri, refresh) -> JwksFetcher.parsePublic("{\"hello\":\"world\"}", uri.toString())));
        refused(() -> step.apply(parse("{\"jwks_uri\":\"" + JWKS_URI + "\"}"), false), "jwks_uri could not be fetched");
    }

    @Test
    void dcr15_aUrlKeycloakWouldFetchItselfIsRefusedAndNotFetched() {
        refused(() -> step().apply(parse("{\"backchannel_logout_uri\":\"https://x.example.com/l\",\"jwks_uri\":\""
                + JWKS_URI + "\"}"), false), "backchannel_logout_uri");
        assertThat(fetched).isEmpty();
    }

    @Test
    void dcrm06_aBoundWorkloadGetsNoUserFacingGrantsOrRedirects() {
        refused(() -> step().apply(parse("{\"grant_types\":[\"authorization_code\"],\"response_types\":[\"code\"]}"), true),
                "authorization_code");
        refused(() -> step().apply(parse("{\"grant_types\":[\"client_credentials\"],"
                + "\"redirect_uris\":[\"https://app.example.com/cb\"]}"), true), "redirect_uris");
        RegistrationMetadata ok = parse("{\"grant_types\":[\"client_credentials\"],\"response_types\":[]}");
        assertThat(step().apply(ok, true)).isEqualTo("web");
        assertThat(step().apply(parse("{\"grant_types\":[\"authorization_code\"],\"response_types\":[\"code\"],"
                + "\"redirect_uris\":[\"https://app.example.com/cb\"]}"), false)).as("unbound: allowed").isEqualTo("web");
    }

    @Test
    void dcr08_grantAndResponseTypesMustAgree() {
        refused(() -> step().apply(parse("{\"grant_types\":[\"client_credentials\"],\"response_types\":[\"code\"]}"), false),
                "authorization_code");
        refused(() -> step().apply(parse("{\"grant_types\":[\"authorization_code\"],\"response_types\":[\"token\"]}"),
                false), "implicit");
    }
}
