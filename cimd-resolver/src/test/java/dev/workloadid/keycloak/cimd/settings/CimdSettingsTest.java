package dev.workloadid.keycloak.cimd.settings;

import dev.workloadid.keycloak.cimd.document.AuthMethod;
import dev.workloadid.keycloak.cimd.document.ClientDocument;
import dev.workloadid.keycloak.cimd.document.DocumentRejectedException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CimdSettingsTest {

    @Test
    void defaultsAreSafe() {
        CimdSettings s = CimdSettings.from(Map.of());
        assertThat(s.enabled()).isTrue();
        assertThat(s.hosts().anyPublicHost()).isFalse();
        assertThat(s.allowQuery()).isFalse();
        assertThat(s.maxBytes()).isEqualTo(5120);
        assertThat(s.consentRequired()).isTrue();
        assertThat(s.fetchPolicy(false).allowLoopback()).isFalse();
        assertThat(s.cacheFloor()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void multivaluedHostsFromConsoleOrRest() {
        CimdSettings s = CimdSettings.from(Map.of(CimdSettings.ALLOWED_HOSTS, List.of("a.example##*.b.example", "c.example")));
        assertThat(s.hosts().allowed()).containsExactly("a.example", "*.b.example", "c.example");
    }

    @Test
    void cimd33_floorMustNotExceedCeiling() {
        assertThatThrownBy(() -> CimdSettings.from(Map.of(CimdSettings.CACHE_FLOOR, List.of("100"),
                CimdSettings.CACHE_CEILING, List.of("10")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CimdSettings.from(Map.of(CimdSettings.MAX_BYTES, List.of("lots"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static final String URL = "https://app.docs.test/client.json";

    private static ClientDocument doc(AuthMethod method, List<String> grants, String jwksUri) {
        return new ClientDocument(URL, "App", List.of(), grants, method, null, jwksUri, null, null, null, null, null);
    }

    private static CimdSettings settings(Map<String, List<String>> config) {
        Map<String, List<String>> all = new java.util.HashMap<>(config);
        all.putIfAbsent(CimdSettings.ALLOWED_HOSTS, List.of("*.docs.test"));
        all.putIfAbsent(CimdSettings.DENIED_HOSTS, List.of("denied.docs.test"));
        return CimdSettings.from(all);
    }

    @Test
    void newSettingsDefaultToNoClientCredentialsAndAThousandClients() {
        CimdSettings s = CimdSettings.from(Map.of());
        assertThat(s.allowClientCredentials()).isFalse();
        assertThat(s.maxDocumentClients()).isEqualTo(1000);
        assertThat(s.capped()).isTrue();
        assertThat(CimdSettings.from(Map.of(CimdSettings.MAX_CLIENTS, List.of("0"))).capped()).isFalse();
        assertThatThrownBy(() -> CimdSettings.from(Map.of(CimdSettings.MAX_CLIENTS, List.of("-1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(CimdSettings.MAX_CLIENTS);
    }

    @Test
    void cimd16_clientCredentialsOnlyWithTheRealmsOptIn() {
        ClientDocument workload = doc(AuthMethod.PRIVATE_KEY_JWT, List.of("client_credentials"), null);
        assertThatThrownBy(() -> settings(Map.of()).admit(workload))
                .isInstanceOfSatisfying(DocumentRejectedException.class, e -> {
                    assertThat(e.rule()).isEqualTo("CIMD-16");
                    assertThat(e.oauthError()).isEqualTo("unauthorized_client");
                    assertThat(e.getMessage()).contains(CimdSettings.ALLOW_CLIENT_CREDENTIALS);
                });
        assertThatCode(() -> settings(Map.of(CimdSettings.ALLOW_CLIENT_CREDENTIALS, List.of("true"))).admit(workload))
                .doesNotThrowAnyException();
        assertThatCode(() -> settings(Map.of()).admit(doc(AuthMethod.NONE, List.of("authorization_code"), null)))
                .doesNotThrowAnyException();
    }

    @Test
    void cimd36_jwksUriHostMustPassTheSameHostLists() {
        CimdSettings s = settings(Map.of());
        assertThatCode(() -> s.admit(doc(AuthMethod.PRIVATE_KEY_JWT, List.of("authorization_code"), "https://keys.docs.test/jwks")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> s.admit(doc(AuthMethod.PRIVATE_KEY_JWT, List.of("authorization_code"), "https://keys.elsewhere.test/jwks")))
                .isInstanceOfSatisfying(DocumentRejectedException.class, e -> {
                    assertThat(e.rule()).isEqualTo("CIMD-36");
                    assertThat(e.getMessage()).isEqualTo(
                            "jwks_uri host keys.elsewhere.test is not on this realm's allow-list for client metadata documents");
                });
        assertThatThrownBy(() -> s.admit(doc(AuthMethod.PRIVATE_KEY_JWT, List.of("authorization_code"), "https://DENIED.docs.test./jwks")))
                .isInstanceOf(DocumentRejectedException.class).hasMessageContaining("jwks_uri host").hasMessageContaining("deny-list");
        assertThatThrownBy(() -> s.admit(doc(AuthMethod.PRIVATE_KEY_JWT, List.of("authorization_code"), "https://[bad")))
                .isInstanceOf(DocumentRejectedException.class).hasMessageContaining("jwks_uri");
    }

    @Test
    void settingsChangesRevokeClientsTheyNoLongerAdmit() {
        assertThat(settings(Map.of()).revoked(URL, false)).isNull();
        assertThat(settings(Map.of()).revoked(URL, true)).startsWith("CIMD-16").contains(CimdSettings.ALLOW_CLIENT_CREDENTIALS);
        assertThat(settings(Map.of(CimdSettings.ALLOW_CLIENT_CREDENTIALS, List.of("true"))).revoked(URL, true)).isNull();
        assertThat(settings(Map.of(CimdSettings.DENIED_HOSTS, List.of("app.docs.test"))).revoked(URL, false))
                .startsWith("CIMD-36").contains("deny-list");
        assertThat(settings(Map.of(CimdSettings.ALLOWED_HOSTS, List.of("other.test"))).revoked(URL, false))
                .startsWith("CIMD-36").contains("allow-list");
    }
}
