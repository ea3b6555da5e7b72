package dev.workloadid.keycloak.spiffe.discovery;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SpiffeDiscoveryFactoryTest {

    private static final Set<String> OURS = Set.of("spiffe_jwt");

    @Test
    void sca41_listedOnceWhenActive() {
        assertThat(SpiffeDiscoveryFactory.adjust(List.of("private_key_jwt", "spiffe_jwt", "spiffe_jwt"), OURS, true))
                .containsExactly("private_key_jwt", "spiffe_jwt");
    }

    @Test
    void sca41_absentWhenNotActiveInTheRealm() {
        assertThat(SpiffeDiscoveryFactory.adjust(List.of("private_key_jwt", "spiffe_jwt"), OURS, false))
                .containsExactly("private_key_jwt");
    }

    @Test
    void missingListStaysMissing() {
        assertThat(SpiffeDiscoveryFactory.adjust(null, OURS, true)).isNull();
    }
}
