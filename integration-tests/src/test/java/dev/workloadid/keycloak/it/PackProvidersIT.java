package dev.workloadid.keycloak.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.HarnessConfig;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.keycloak.provider.ProviderFactory;
import org.keycloak.provider.Spi;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/** Every provider declared in the pack's JARs is loaded by the real Keycloak. */
@ExtendWith(KeycloakExtension.class)
class PackProvidersIT {

    @Test
    void everyPackProviderAppearsInServerInfo(AdminClient admin) throws Exception {
        Map<String, String> declared = declaredProviders(HarnessConfig.fromSystemProperties().providersDir());
        assertThat(declared).as("provider ids declared by the pack's JARs").isNotEmpty();

        JsonNode providers = admin.getJson("/serverinfo").get("providers");
        List<String> loaded = new ArrayList<>();
        providers.fieldNames().forEachRemaining(spi -> loaded.add("spi:" + spi));
        for (Iterator<JsonNode> spis = providers.elements(); spis.hasNext(); ) {
            spis.next().path("providers").fieldNames().forEachRemaining(loaded::add);
        }
        assertThat(loaded).as("SPIs and provider ids in /admin/serverinfo").containsAll(declared.keySet());
    }

    /**
     * Provider id (or "spi:" + name for the pack's own SPIs) -> class, read from META-INF/services of
     * every pack JAR.
     */
    static Map<String, String> declaredProviders(Path providersDir) throws Exception {
        Map<String, String> ids = new TreeMap<>();
        try (Stream<Path> jars = Files.list(providersDir)) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    for (ZipEntry entry : zip.stream().filter(e -> e.getName().startsWith("META-INF/services/")
                            && !e.isDirectory()).toList()) {
                        try (BufferedReader in = new BufferedReader(new InputStreamReader(zip.getInputStream(entry),
                                StandardCharsets.UTF_8))) {
                            for (String line : in.lines().map(String::trim)
                                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
                                Object declared = Class.forName(line).getDeclaredConstructor().newInstance();
                                if (declared instanceof Spi spi) {
                                    ids.put("spi:" + spi.getName(), line);
                                } else {
                                    ids.put(((ProviderFactory<?>) declared).getId(), line);
                                }
                            }
                        }
                    }
                }
            }
        }
        return ids;
    }
}
