package dev.workloadid.keycloak.it.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.spiffe.authenticator.SpiffeJwtSvidAuthenticatorFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new realm administrator configures the pack by clicking alone, in a real headless Chromium
 * against the test Keycloak: finds and creates a SPIFFE trust domain with a static bundle, gives a
 * client the SPIFFE authenticator and a SPIFFE ID on its Credentials tab, creates the URL client ID
 * settings, a software statement issuer and a pack registration policy. Each result is checked over
 * admin REST; an invalid value shows an error naming the field's label and saves nothing.
 * Screenshots of every step go to {@code target/admin-console/}; the step that failed is the last one.
 */
@ExtendWith(KeycloakExtension.class)
class AdminConsoleIT {

    private static final String PAGE = "org.keycloak.services.ui.extend.UiPageProvider";
    private static final String POLICY = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";

    private final List<String> realms = new ArrayList<>();

    /** Per test, so the build counts the test as skipped and prints why. */
    @BeforeEach
    void browserInstalled() {
        String why = "AdminConsoleIT skipped: no browser installed (needs " + ConsoleBrowser.CHROMIUM + " and "
                + ConsoleBrowser.CHROMEDRIVER + ", Debian packages chromium and chromium-driver; .ci/run installs them)";
        if (!ConsoleBrowser.installed()) {
            System.out.println("[console] " + why);
        }
        Assumptions.assumeTrue(ConsoleBrowser.installed(), why);
    }

    @AfterEach
    void cleanUp(AdminClient admin) {
        realms.forEach(admin::deleteRealm);
    }

    @Test
    void aNewAdministratorConfiguresThePackByClickingAlone(KeycloakServer server, AdminClient admin) throws Exception {
        String realm = admin.createRealm("console");
        realms.add(realm);
        String clientUuid = admin.createClient(realm, Http.JSON.createObjectNode().put("clientId", "payments")
                .put("publicClient", false).put("serviceAccountsEnabled", true).put("standardFlowEnabled", false));
        String password = UUID.randomUUID().toString();
        newRealmAdministrator(admin, realm, "new-admin", password);
        String bundle = new JWKSet(new ECKeyGenerator(Curve.P_256).keyID("console-1").keyUse(new KeyUse("jwt-svid"))
                .generate().toPublicJWK()).toString(true);

        try (ConsoleBrowser browser = new ConsoleBrowser(Path.of("target", "admin-console"))) {
            step(browser, "login", () -> {
                browser.open(server.baseUrl() + "/admin/" + realm + "/console/");
                browser.type(ConsoleBrowser.css("#username"), "new-admin");
                browser.type(ConsoleBrowser.css("#password"), password);
                browser.click(ConsoleBrowser.css("#kc-login"));
                browser.waitFor(ConsoleBrowser.named("SPIFFE trust domains"));
            });

            step(browser, "trust-domain", () -> {
                browser.click("SPIFFE trust domains");
                browser.waitForText("There are no items");
                browser.click(ConsoleBrowser.named("Create item"));
                browser.type(ConsoleBrowser.css("[data-testid='trustDomain']"), "console.test");
                browser.choose("bundleSource", "Static bundle");
                browser.type(ConsoleBrowser.css("textarea#staticBundle"), bundle);
                browser.screenshot("trust-domain-form");
                browser.clickAndWaitFor(ConsoleBrowser.css("[data-testid='save']"), "Saved successfully");
                browser.click("SPIFFE trust domains");
                browser.waitFor(ConsoleBrowser.named("console.test"));
            });
            JsonNode trustDomain = page(admin, realm, "spiffe-trust-domain");
            assertThat(trustDomain.path("name").asText()).isEqualTo("console.test");
            assertThat(config(trustDomain, "trustDomain")).isEqualTo("console.test");
            assertThat(config(trustDomain, "bundleSource")).isEqualTo("Static bundle");
            assertThat(JWKSet.parse(config(trustDomain, "staticBundle")).getKeyByKeyId("console-1")).isNotNull();

            step(browser, "client-credentials", () -> {
                browser.click("Clients");
                browser.click(ConsoleBrowser.named("payments"));
                browser.click(ConsoleBrowser.xpath("//a[@role='tab'][normalize-space()='Credentials']"));
                browser.choose("clientAuthenticatorType", "SPIFFE JWT-SVID");
                browser.type(ConsoleBrowser.css("[data-testid='jwt.credential.sub']"), "spiffe://console.test/ns/prod/payments");
                browser.click(ConsoleBrowser.xpath("//main//button[normalize-space()='Save']"));
                // The console asks before it changes a client's authenticator.
                browser.clickAndWaitFor(ConsoleBrowser.xpath("//*[@role='dialog']//button[normalize-space()='Yes']"),
                        "Client successfully updated");
            });
            JsonNode client = admin.getJson("/realms/" + realm + "/clients/" + clientUuid);
            assertThat(client.path("clientAuthenticatorType").asText()).isEqualTo(SpiffeJwtSvidAuthenticatorFactory.ID);
            assertThat(client.path("attributes").path("jwt.credential.sub").asText())
                    .isEqualTo("spiffe://console.test/ns/prod/payments");

            step(browser, "url-client-ids", () -> {
                browser.click("URL client IDs (CIMD)");
                browser.click(ConsoleBrowser.named("Create item"));
                browser.type(ConsoleBrowser.css("[data-testid='config.allowedHosts0']"), "https://mcp.example.com/client.json");
                String page = browser.clickAndWaitFor(ConsoleBrowser.css("[data-testid='save']"), "is a URL");
                assertThat(page).contains("\u201cAllowed hosts\u201d: the entry \u201chttps://mcp.example.com/client.json\u201d is a URL");
                browser.screenshot("url-client-ids-refused");
                assertThat(pages(admin, realm, "wi-cimd-settings")).as("nothing saved").isEmpty();
                browser.type(ConsoleBrowser.css("[data-testid='config.allowedHosts0']"), "MCP.Example.com");
                browser.clickAndWaitFor(ConsoleBrowser.css("[data-testid='save']"), "Saved successfully");
                browser.click("URL client IDs (CIMD)");
                browser.waitFor(ConsoleBrowser.named("On: mcp.example.com"));
            });
            JsonNode cimd = page(admin, realm, "wi-cimd-settings");
            assertThat(cimd.path("name").asText()).isEqualTo("URL client IDs");
            assertThat(config(cimd, "allowedHosts")).isEqualTo("MCP.Example.com");

            step(browser, "statement-issuer", () -> {
                browser.click("Software statement issuers");
                browser.click(ConsoleBrowser.named("Create item"));
                browser.type(ConsoleBrowser.css("[data-testid='issuer']"), "https://software.example.com");
                browser.type(ConsoleBrowser.css("[data-testid='jwksUri']"), "https://software.example.com/jwks.json");
                browser.clickAndWaitFor(ConsoleBrowser.css("[data-testid='save']"), "Saved successfully");
                browser.click("Software statement issuers");
                browser.waitFor(ConsoleBrowser.named("https://software.example.com"));
            });
            JsonNode issuer = page(admin, realm, "dcr-statement-issuer");
            assertThat(issuer.path("name").asText()).isEqualTo("https://software.example.com");
            assertThat(config(issuer, "keySource")).isEqualTo("JWKS URL");
            assertThat(config(issuer, "jwksUri")).isEqualTo("https://software.example.com/jwks.json");

            step(browser, "registration-policy", () -> {
                browser.click("Clients");
                browser.click(ConsoleBrowser.xpath("//a[@role='tab'][normalize-space()='Client registration']"));
                browser.click(ConsoleBrowser.css("[data-testid='createPolicy-anonymous']"));
                browser.click(ConsoleBrowser.css("[data-testid='wi-rate-limit']"));
                browser.type(ConsoleBrowser.css("[data-testid='name']"), "Registration rate limit");
                browser.type(ConsoleBrowser.css("[data-testid='window-seconds']"), "6O");
                String page = browser.clickAndWaitFor(ConsoleBrowser.css("[data-testid='save']"), "must be a whole number");
                assertThat(page).contains("\u201cWindow (seconds)\u201d must be a whole number, not \u201c6O\u201d");
                browser.screenshot("registration-policy-refused");
                assertThat(policies(admin, realm, "wi-rate-limit")).as("nothing saved").isEmpty();
                browser.type(ConsoleBrowser.css("[data-testid='window-seconds']"), "120");
                browser.clickAndWaitFor(ConsoleBrowser.css("[data-testid='save']"), "New client policy created successfully");
            });
            List<JsonNode> rateLimits = policies(admin, realm, "wi-rate-limit");
            assertThat(rateLimits).hasSize(1);
            assertThat(rateLimits.get(0).path("name").asText()).isEqualTo("Registration rate limit");
            assertThat(rateLimits.get(0).path("subType").asText()).isEqualTo("anonymous");
            assertThat(config(rateLimits.get(0), "window-seconds")).isEqualTo("120");
        }
    }

    /** A user of the realm with the realm-admin role, as a realm owner would hand out. */
    private static void newRealmAdministrator(AdminClient admin, String realm, String username, String password) {
        ObjectNode user = Http.JSON.createObjectNode().put("username", username).put("enabled", true)
                .put("email", username + "@example.com").put("emailVerified", true)
                .put("firstName", "New").put("lastName", "Administrator");
        user.putArray("credentials").addObject().put("type", "password").put("value", password).put("temporary", false);
        AdminClient.expect(admin.post("/realms/" + realm + "/users", user), 201);
        String userId = admin.getJson("/realms/" + realm + "/users?exact=true&username=" + username).get(0).get("id").asText();
        String rm = admin.getJson("/realms/" + realm + "/clients?clientId=realm-management").get(0).get("id").asText();
        JsonNode role = admin.getJson("/realms/" + realm + "/clients/" + rm + "/roles/realm-admin");
        AdminClient.expect(admin.post("/realms/" + realm + "/users/" + userId + "/role-mappings/clients/" + rm,
                Http.JSON.createArrayNode().add(role)), 204);
    }

    private static List<JsonNode> components(AdminClient admin, String realm, String type, String providerId) {
        List<JsonNode> out = new ArrayList<>();
        admin.getJson("/realms/" + realm + "/components?type=" + type).forEach(c -> {
            if (providerId.equals(c.path("providerId").asText())) {
                out.add(c);
            }
        });
        return out;
    }

    private static List<JsonNode> pages(AdminClient admin, String realm, String providerId) {
        return components(admin, realm, PAGE, providerId);
    }

    private static List<JsonNode> policies(AdminClient admin, String realm, String providerId) {
        return components(admin, realm, POLICY, providerId);
    }

    private static JsonNode page(AdminClient admin, String realm, String providerId) {
        List<JsonNode> found = pages(admin, realm, providerId);
        assertThat(found).as(providerId + " entries").hasSize(1);
        return found.get(0);
    }

    private static String config(JsonNode component, String key) {
        return component.path("config").path(key).path(0).asText(null);
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs one step of the walk-through; its screenshot shows how it ended, also when it failed. */
    private static void step(ConsoleBrowser browser, String name, Step step) throws Exception {
        try {
            step.run();
            browser.screenshot(name);
        } catch (Exception | AssertionError e) {
            System.out.println("[console] step " + name + " failed; screenshot " + browser.screenshot(name + "-FAILED")
                    + "; page text:\n" + browser.bodyText());
            throw e;
        }
    }
}
