package dev.workloadid.keycloak.it.harness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeycloakLaunchTest {

    @Test
    void anExtraOptionReplacesItsDefaultAndKeepsTheRest() {
        assertThat(KeycloakLaunch.overridden(
                List.of("start-dev", "--http-port=1", "--spi-client-storage--wi-cimd--refresh-interval-seconds=1", "--health-enabled=true"),
                List.of("--spi-client-storage--wi-cimd--refresh-interval-seconds=15", "--import-realm")))
                .containsExactly("start-dev", "--http-port=1", "--health-enabled=true",
                        "--spi-client-storage--wi-cimd--refresh-interval-seconds=15", "--import-realm");
    }
}
