package dev.workloadid.keycloak.it.hostile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.sun.net.httpserver.HttpServer;
import dev.workloadid.keycloak.it.cimd.DocumentHost;
import dev.workloadid.keycloak.it.dcr.Dcr;
import dev.workloadid.keycloak.it.fixtures.JwtSvidBuilder;
import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.SpiffeTestAuthority;
import dev.workloadid.keycloak.it.fixtures.SpiffeX509Authorities;
import dev.workloadid.keycloak.it.fixtures.TestCa;
import dev.workloadid.keycloak.it.harness.AdminClient;
import dev.workloadid.keycloak.it.harness.Http;
import dev.workloadid.keycloak.it.harness.KeycloakExtension;
import dev.workloadid.keycloak.it.harness.KeycloakServer;
import dev.workloadid.keycloak.it.spiffe.Spiffe;
import dev.workloadid.keycloak.it.x509.X509Realm;
import dev.workloadid.keycloak.spiffe.x509.X509SvidIssuer;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-input corpus: a table of bad requests against the four surfaces the pack opens
 * (JWT-SVID client assertions, X.509-SVIDs over mTLS, URL client_ids, registration), each with the
 * HTTP status and OAuth error a correct server answers. Every case is one dynamic test; the last
 * test prints one table (inputs tried, answered as expected, 5xx, clients left behind, fetches of
 * anything but the fixtures) and fails unless the last three are zero.
 *
 * <p>"Fetches of anything but the fixtures" counts requests that reached a fixture server on a path
 * no fixture serves (every hostile URL points at such a trap path, on a fixture host name, an IP
 * literal or localhost with a fixture's port) plus any request to a plain-HTTP trap. Names outside
 * the harness hosts file resolve nowhere (no DNS query leaves the machine), so nothing else can be
 * reached. Add a case to the list of its surface; keep the expectation what a correct server says.
 */
@ExtendWith(KeycloakExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputCorpusIT {

    static final String JWT_SVID = "JWT-SVID";
    static final String X509_SVID = "X.509-SVID";
    static final String URL_CLIENT_ID = "URL client_id";
    static final String REGISTRATION = "registration";
    private static final List<String> SURFACES = List.of(JWT_SVID, X509_SVID, URL_CLIENT_ID, REGISTRATION);

    /**
     * An answer: one of these statuses (0: the TLS handshake refused the certificate) and this OAuth error
     * (null: no body), whose error_description contains {@code description} (null: any).
     */
    record Expect(Set<Integer> statuses, String error, String description) {
        static Expect of(String error, Integer... statuses) {
            return new Expect(Set.of(statuses), error, null);
        }

        /** The same answer, with an error_description that says this. */
        Expect saying(String text) {
            return new Expect(statuses, error, text);
        }
    }

    record Case(String surface, String name, Supplier<Http.Response> request, Expect expect) {
    }

    record Outcome(Case c, int status, String error, boolean expected, int strayFetches) {
    }

    private static final Expect INVALID_CLIENT = Expect.of("invalid_client", 400, 401);
    private static final Expect INVALID_CLIENT_401 = Expect.of("invalid_client", 401);
    /** Keycloak's TLS listener may refuse a broken certificate in the handshake already. */
    private static final Expect HANDSHAKE_OR_INVALID_CLIENT = Expect.of("invalid_client", 0, 401);
    private static final Expect METADATA = Expect.of("invalid_client_metadata", 400);
    private static final Expect REDIRECT = Expect.of("invalid_redirect_uri", 400);
    private static final Expect STATEMENT = Expect.of("invalid_software_statement", 400);
    private static final Expect UNAPPROVED = Expect.of("unapproved_software_statement", 400);
    private static final Expect TOKEN = Expect.of("invalid_token", 401);
    /** Keycloak's own registration endpoints answer a registration policy's refusal so. */
    private static final Expect POLICY_403 = Expect.of("insufficient_scope", 403);

    private AdminClient admin;
    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> clientsBefore = new LinkedHashMap<>();
    private final Map<String, String> realmOfSurface = new LinkedHashMap<>();

    private LoopbackHttpsServer fixtures;
    private DocumentHost documents;
    private HttpServer plainTrap;
    private final AtomicInteger plainTrapHits = new AtomicInteger();

    // JWT-SVID
    private SpiffeTestAuthority authority;
    private SpiffeTestAuthority otherDomain;
    private SpiffeTestAuthority untrusted;
    private String jwtRealm;
    private String jwtIssuer;
    private static final String JWT_TD = "hostile-jwt.test";
    private static final String WORKLOAD = "spiffe://" + JWT_TD + "/ns/prod/workload";

    // X.509-SVID
    private URI tls;
    private SpiffeX509Authorities x509;
    private String x509Realm;
    private static final String X509_ID = "spiffe://" + SpiffeX509Authorities.TD_ONE + "/ns/prod/hostile";

    // URL client_ids
    private String cimdRealm;

    // Registration
    private String dcrRealm;
    private URI rfc7591;
    private URI keycloakDefault;
    private URI keycloakOidc;
    private final ECKey issuerKey = Dcr.newKey("iss-hostile");
    private final ECKey clientKey = Dcr.newKey("client-hostile");
    private static final String STATEMENT_ISSUER = "https://statements.issuer.test/hostile";

    @BeforeAll
    void setUp(AdminClient admin, KeycloakServer server) throws Exception {
        this.admin = admin;
        fixtures = new LoopbackHttpsServer(TestCa.shared())
                .json("/hostile/issuer-jwks", () -> Dcr.jwks(issuerKey))
                .json("/hostile/client-jwks", () -> Dcr.jwks(clientKey))
                .json("/hostile/not-jwks", () -> "{\"hello\":\"world\"}")
                .json("/hostile/big-jwks", () -> DocumentHost.bytes(200_000))
                .handle("/hostile/404-jwks", exchange -> LoopbackHttpsServer.respond(exchange, 404, "application/json", "{}"));
        documents = new DocumentHost(TestCa.shared());
        plainTrap = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        plainTrap.createContext("/", exchange -> {
            plainTrapHits.incrementAndGet();
            try (exchange) {
                exchange.sendResponseHeaders(404, -1);
            }
        });
        plainTrap.start();

        setUpJwtSvid();
        if (server.httpsUrl().isPresent()) {
            tls = server.httpsUrl().get();
            x509 = SpiffeX509Authorities.shared();
            x509Realm = X509Realm.create(admin, "hostile-x509");
            X509Realm.client(admin, x509Realm, "x509-workload", "spiffe-x509-svid",
                    Map.of("jwt.credential.sub", X509_ID));
            X509Realm.client(admin, x509Realm, "x509-batch", "spiffe-x509-svid",
                    Map.of("jwt.credential.sub", "spiffe://" + SpiffeX509Authorities.TD_ONE + "/batch/*"));
            X509Realm.client(admin, x509Realm, "x509-jwt-only", "spiffe-jwt-svid",
                    Map.of("jwt.credential.sub", "spiffe://" + SpiffeX509Authorities.TD_ONE + "/jwt-only"));
            realmOfSurface.put(X509_SVID, x509Realm);
        }
        setUpCimd();
        setUpRegistration();
        realmOfSurface.forEach((surface, realm) -> clientsBefore.put(surface, Dcr.clientCount(admin, realm)));
    }

    private void setUpJwtSvid() {
        authority = new SpiffeTestAuthority(JWT_TD);
        otherDomain = new SpiffeTestAuthority("hostile-jwt-other.test");
        untrusted = new SpiffeTestAuthority("hostile-jwt-unknown.test");
        jwtRealm = admin.createRealm("hostile-jwt");
        jwtIssuer = admin.realmUrl(jwtRealm).toString();
        Spiffe.createTrustDomain(admin, jwtRealm, Spiffe.TrustDomainConfig.staticBundle(authority)
                .replayProtection(true).set("maxSvidLifetimeSeconds", "300").set("clockSkewSeconds", "5"));
        Spiffe.createTrustDomain(admin, jwtRealm, Spiffe.TrustDomainConfig.staticBundle(otherDomain));
        Spiffe.createSpiffeClient(admin, jwtRealm, "svc-hostile", WORKLOAD);
        Spiffe.createSpiffeClient(admin, jwtRealm, "svc-other", authority.spiffeId("/ns/prod/other"));
        Spiffe.createSpiffeClient(admin, jwtRealm, "svc-batch", authority.spiffeId("/batch/*"));
        realmOfSurface.put(JWT_SVID, jwtRealm);
    }

    private void setUpCimd() {
        cimdRealm = admin.createRealm("hostile-cimd");
        ObjectNode settings = Http.JSON.createObjectNode()
                .put("name", "URL client IDs").put("providerId", "wi-cimd-settings")
                .put("providerType", "org.keycloak.services.ui.extend.UiPageProvider")
                .put("parentId", Dcr.realmId(admin, cimdRealm));
        settings.set("config", Http.JSON.valueToTree(Map.of(
                "allowedHosts", List.of(DocumentHost.HOST, "keys.docs.test", "denied.docs.test"),
                "deniedHosts", List.of("denied.docs.test"),
                "failureRetrySeconds", List.of("1"),
                "totalTimeoutMillis", List.of("2000"))));
        AdminClient.expect(admin.post("/realms/" + cimdRealm + "/components", settings), 201);
        realmOfSurface.put(URL_CLIENT_ID, cimdRealm);
    }

    private void setUpRegistration() {
        dcrRealm = admin.createRealm("hostile-dcr");
        rfc7591 = Dcr.endpoint(admin, dcrRealm);
        keycloakDefault = admin.base().resolve("/realms/" + dcrRealm + "/clients-registrations/default");
        keycloakOidc = admin.base().resolve("/realms/" + dcrRealm + "/clients-registrations/openid-connect");
        // Anonymous registration is open here, so every refusal below comes from a content rule.
        Dcr.removePolicy(admin, dcrRealm, "anonymous", "trusted-hosts");
        for (String policy : List.of("wi-token-endpoint-auth-method", "wi-redirect-uris", "wi-jwks", "wi-mcp-clients",
                "wi-server-fetched-uris")) {
            Dcr.addPolicy(admin, dcrRealm, "anonymous", policy, Map.of());
        }
        Dcr.addComponent(admin, dcrRealm, "org.keycloak.services.ui.extend.UiPageProvider", "dcr-statement-issuer", Map.of(
                "issuer", List.of(STATEMENT_ISSUER), "keySource", List.of("jwks_uri"),
                "jwksUri", List.of(fixtures.url("statements.issuer.test", "/hostile/issuer-jwks").toString())));
        realmOfSurface.put(REGISTRATION, dcrRealm);
    }

    @AfterAll
    void tearDown() {
        for (String realm : new String[] {jwtRealm, x509Realm, cimdRealm, dcrRealm}) {
            if (realm != null) {
                admin.deleteRealm(realm);
            }
        }
        if (fixtures != null) {
            fixtures.close();
        }
        if (documents != null) {
            documents.close();
        }
        if (plainTrap != null) {
            plainTrap.stop(0);
        }
    }

    @TestFactory
    Stream<DynamicNode> corpus() {
        List<Case> cases = new ArrayList<>();
        cases.addAll(jwtSvidCases());
        if (tls != null) {
            cases.addAll(x509Cases());
        }
        cases.addAll(urlClientIdCases());
        cases.addAll(registrationCases());
        Stream<DynamicNode> each = cases.stream().map(c -> DynamicTest.dynamicTest(c.surface() + ": " + c.name(), () -> run(c)));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("totals", this::totals)));
    }

    private int strayFetches() {
        return fixtures.unmatched() + documents.unmatched() + plainTrapHits.get();
    }

    private void run(Case c) {
        int strayBefore = strayFetches();
        Http.Response r;
        try {
            r = c.request().get();
        } catch (UncheckedIOException e) {
            r = new Http.Response(0, "I/O failure: " + e.getCause(), null);
        }
        String error = null;
        String description = null;
        if (r.body() != null && r.body().startsWith("{")) {
            try {
                error = r.json().path("error").asText(null);
                description = r.json().path("error_description").asText(null);
            } catch (RuntimeException notJson) {
                error = null;
            }
        }
        boolean expected = c.expect().statuses().contains(r.status())
                && (r.status() == 0 || c.expect().error() == null || c.expect().error().equals(error))
                && (c.expect().description() == null || description != null && description.contains(c.expect().description()));
        int stray = strayFetches() - strayBefore;
        outcomes.add(new Outcome(c, r.status(), error, expected, stray));
        assertThat(r.status()).as("%s: %s", c.name(), r).isLessThan(500);
        assertThat(stray).as("%s: fetches of anything but the fixtures", c.name()).isZero();
        assertThat(expected).as("%s: expected %s, got %s", c.name(), c.expect(), r).isTrue();
    }

    private void totals() {
        StringBuilder table = new StringBuilder("\n[hostile-input corpus]\n");
        String row = "%-16s %8s %10s %6s %14s %16s%n";
        table.append(String.format(row, "surface", "inputs", "expected", "5xx", "clients left", "stray fetches"));
        int inputs = 0;
        int asExpected = 0;
        int errors = 0;
        int leftBehind = 0;
        int stray = 0;
        for (String surface : SURFACES) {
            List<Outcome> mine = outcomes.stream().filter(o -> o.c().surface().equals(surface)).toList();
            int n = mine.size();
            int ok = (int) mine.stream().filter(Outcome::expected).count();
            int fivexx = (int) mine.stream().filter(o -> o.status() >= 500).count();
            int fetches = mine.stream().mapToInt(Outcome::strayFetches).sum();
            String realm = realmOfSurface.get(surface);
            int left = realm == null ? 0 : Dcr.clientCount(admin, realm) - clientsBefore.get(surface);
            table.append(String.format(row, surface, n, ok, fivexx, left, fetches));
            inputs += n;
            asExpected += ok;
            errors += fivexx;
            leftBehind += left;
            stray += fetches;
        }
        table.append(String.format(row, "total", inputs, asExpected, errors, leftBehind, stray));
        List<Outcome> unexpected = outcomes.stream().filter(o -> !o.expected()).toList();
        for (Outcome o : unexpected) {
            table.append(String.format("  unexpected: %s / %s: expected %s %s, got %d %s%n", o.c().surface(), o.c().name(),
                    o.c().expect().statuses(), o.c().expect().error(), o.status(), o.error()));
        }
        System.out.print(table);
        assertThat(inputs).as("inputs tried").isGreaterThanOrEqualTo(150);
        assertThat(errors).as("5xx answers").isZero();
        assertThat(leftBehind).as("clients left behind").isZero();
        assertThat(stray).as("fetches of anything but the fixtures").isZero();
        assertThat(unexpected).as("answers other than expected").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // JWT-SVID: client assertions at the token endpoint

    private Http.Response jwtToken(String assertion, String clientId, String assertionType) {
        Map<String, String> form = new LinkedHashMap<>(Http.form("grant_type", "client_credentials"));
        if (assertionType != null) {
            form.put("client_assertion_type", assertionType);
        }
        if (assertion != null) {
            form.put("client_assertion", assertion);
        }
        if (clientId != null) {
            form.put("client_id", clientId);
        }
        return Http.postForm(admin.tokenEndpoint(jwtRealm), form);
    }

    private Case jwt(String name, Supplier<String> assertion) {
        return jwt(name, assertion, null);
    }

    private Case jwt(String name, Supplier<String> assertion, String clientId) {
        return new Case(JWT_SVID, name, () -> jwtToken(assertion.get(), clientId, Spiffe.JWT_SPIFFE), INVALID_CLIENT);
    }

    private JwtSvidBuilder svid() {
        return authority.svid(WORKLOAD).audience(jwtIssuer).randomJti();
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private List<Case> jwtSvidCases() {
        String[] replayed = new String[1];
        List<Case> c = new ArrayList<>();
        c.add(new Case(JWT_SVID, "no client_assertion", () -> jwtToken(null, null, Spiffe.JWT_SPIFFE), INVALID_CLIENT));
        c.add(new Case(JWT_SVID, "no client_assertion_type", () -> jwtToken(svid().sign(), null, null), INVALID_CLIENT));
        c.add(new Case(JWT_SVID, "unknown client_assertion_type", () -> jwtToken(svid().sign(), null,
                "urn:example:unknown"), INVALID_CLIENT));
        c.add(new Case(JWT_SVID, "jwt-bearer type for a SPIFFE client", () -> jwtToken(svid().sign(), "svc-hostile",
                Spiffe.JWT_BEARER), INVALID_CLIENT));
        c.add(jwt("empty assertion", () -> ""));
        c.add(jwt("one segment", () -> "abc"));
        c.add(jwt("two segments", () -> "abc.def"));
        c.add(jwt("four segments", () -> svid().sign() + ".x"));
        c.add(jwt("five segments (JWE shape)", () -> "a.b.c.d.e"));
        c.add(jwt("not base64url", () -> "!!!.***.$$$"));
        c.add(jwt("header not JSON", () -> b64("not json") + "." + b64("{}") + ".c2ln"));
        c.add(jwt("header JSON array", () -> b64("[1,2]") + "." + b64("{\"sub\":\"" + WORKLOAD + "\"}") + ".c2ln"));
        c.add(jwt("payload not JSON", () -> {
            String[] p = svid().sign().split("\\.");
            return p[0] + "." + b64("nope") + "." + p[2];
        }));
        c.add(jwt("signature stripped", () -> {
            String[] p = svid().sign().split("\\.");
            return p[0] + "." + p[1] + ".";
        }));
        c.add(jwt("signature of another token", () -> {
            String[] p = svid().sign().split("\\.");
            String[] q = svid().sign().split("\\.");
            return p[0] + "." + p[1] + "." + q[2];
        }));
        c.add(jwt("payload tampered (sub swapped)", () -> {
            String[] p = authority.svid(authority.spiffeId("/ns/prod/other")).audience(jwtIssuer).randomJti().sign().split("\\.");
            String[] q = svid().sign().split("\\.");
            return p[0] + "." + q[1] + "." + p[2];
        }, "svc-other"));
        c.add(jwt("alg none", () -> svid().unsecured()));
        c.add(jwt("alg none with signature", () -> svid().unsecured() + "c2ln"));
        c.add(jwt("alg HS256 random secret", () -> svid().hmac(JWSAlgorithm.HS256, UUID.randomUUID().toString().repeat(2).getBytes())));
        c.add(jwt("alg HS256 keyed with the public key", () -> svid().hmacWithPublicKeyAsSecret()));
        c.add(jwt("alg EdDSA forged signature", () -> svid().forgedAlg("EdDSA")));
        c.add(jwt("alg unknown", () -> svid().forgedAlg("XX999")));
        c.add(jwt("alg empty", () -> svid().forgedAlg("")));
        c.add(jwt("typ at+jwt", () -> svid().typ("at+jwt").sign()));
        c.add(jwt("typ JWE", () -> svid().typ("JWE").sign()));
        c.add(jwt("crit header", () -> svid().header("crit", List.of("exp")).header("exp", 1).sign()));
        c.add(jwt("jku header to a trap", () -> svid().signedBy(untrusted)
                .header("jku", fixtures.url("bundles.td-one.test", "/trap/jku").toString()).sign()));
        c.add(jwt("x5u header to a trap", () -> svid().signedBy(untrusted)
                .header("x5u", fixtures.url("bundles.td-one.test", "/trap/x5u").toString()).sign()));
        c.add(jwt("embedded jwk header", () -> svid().signedBy(untrusted)
                .header("jwk", untrusted.signingKey(JWSAlgorithm.RS256).toPublicJWK().toJSONObject()).sign()));
        c.add(jwt("unknown kid", () -> svid().kid("no-such-kid").sign()));
        // kid is optional in a JWT-SVID (JSV-04): without one, every jwt-svid key of the trust domain is tried.
        c.add(jwt("no kid, signed by an untrusted authority", () -> svid().withoutKid().signedBy(untrusted).sign()));
        c.add(jwt("kid path traversal", () -> svid().kid("../../../../etc/passwd").sign()));
        c.add(jwt("kid 10 000 characters", () -> svid().kid("k".repeat(10_000)).sign()));
        c.add(jwt("signed by an untrusted authority", () -> svid().signedBy(untrusted).sign()));
        c.add(jwt("signed by another trusted trust domain", () -> svid().signedBy(otherDomain).sign()));
        c.add(jwt("expired", () -> svid().issuedAt(Instant.now().minusSeconds(600)).expiresAt(Instant.now().minusSeconds(300)).sign()));
        c.add(jwt("no exp", () -> svid().withoutExpiry().sign()));
        c.add(jwt("exp beyond the maximum lifetime", () -> svid().expiresIn(Duration.ofDays(365)).sign()));
        c.add(jwt("nbf in the future", () -> svid().notBefore(Instant.now().plusSeconds(600)).sign()));
        c.add(jwt("iat in the future", () -> svid().issuedAt(Instant.now().plusSeconds(600)).sign()));
        c.add(jwt("exp as a string", () -> svid().claim("exp", "tomorrow").sign()));
        c.add(jwt("no aud", () -> svid().withoutAudience().sign()));
        c.add(jwt("wrong aud", () -> svid().audience("https://elsewhere.test/realms/x").sign()));
        c.add(jwt("aud of the admin console realm", () -> svid().audience(admin.realmUrl("master").toString()).sign()));
        c.add(jwt("aud empty list", () -> svid().audience().sign()));
        c.add(jwt("aud as number", () -> svid().claim("aud", 42).sign()));
        c.add(jwt("no sub", () -> svid().withoutSubject().sign()));
        c.add(jwt("sub not a SPIFFE ID", () -> svid().subject("alice@example.test").sign()));
        c.add(jwt("sub https URL", () -> svid().subject("https://" + JWT_TD + "/ns/prod/workload").sign()));
        c.add(jwt("sub other trust domain, this domain's key", () -> svid().subject("spiffe://hostile-jwt-other.test/ns/prod/workload").sign()));
        c.add(jwt("sub unknown trust domain", () -> svid().subject("spiffe://nowhere.test/ns/prod/workload").sign()));
        c.add(jwt("sub with query", () -> svid().subject(WORKLOAD + "?x=1").sign()));
        c.add(jwt("sub with fragment", () -> svid().subject(WORKLOAD + "#x").sign()));
        c.add(jwt("sub with dot segment", () -> svid().subject("spiffe://" + JWT_TD + "/ns/prod/../prod/workload").sign()));
        c.add(jwt("sub with percent-encoding", () -> svid().subject("spiffe://" + JWT_TD + "/ns/prod/work%6Coad").sign()));
        // Scheme and trust domain are case-insensitive (SID-05), the path is not.
        c.add(jwt("sub upper-case path", () -> svid().subject("spiffe://" + JWT_TD + "/NS/PROD/WORKLOAD").sign()));
        c.add(jwt("sub with port", () -> svid().subject("spiffe://" + JWT_TD + ":443/ns/prod/workload").sign()));
        c.add(jwt("sub with userinfo", () -> svid().subject("spiffe://u@" + JWT_TD + "/ns/prod/workload").sign()));
        c.add(jwt("sub trailing slash", () -> svid().subject(WORKLOAD + "/").sign()));
        c.add(jwt("sub as array", () -> svid().claim("sub", List.of(WORKLOAD)).sign()));
        c.add(jwt("sub not authorized for the named client", () -> svid().sign(), "svc-other"));
        c.add(jwt("named client does not exist", () -> svid().sign(), "no-such-client"));
        c.add(jwt("named client is the admin CLI", () -> svid().sign(), "admin-cli"));
        c.add(jwt("pattern client, sibling path", () -> svid().subject(authority.spiffeId("/batchjob")).sign(), "svc-batch"));
        c.add(jwt("JWS JSON serialization", () -> svid().signJsonSerialization()));
        c.add(jwt("JWS flattened JSON serialization", () -> svid().signFlattenedJsonSerialization()));
        c.add(jwt("large assertion (8 kB claim), other workload", () -> svid().subject(authority.spiffeId("/ns/prod/nobody"))
                .claim("pad", "x".repeat(8_000)).sign()));
        // Keycloak's HTTP layer refuses the form before any authenticator sees it (no OAuth error body).
        c.add(new Case(JWT_SVID, "oversized assertion (200 kB claim)", () -> jwtToken(svid().claim("pad", "x".repeat(200_000)).sign(),
                null, Spiffe.JWT_SPIFFE), new Expect(Set.of(413), null, null)));
        c.add(jwt("replayed jti", () -> {
            if (replayed[0] == null) {
                replayed[0] = svid().sign();
                Http.Response first = jwtToken(replayed[0], null, Spiffe.JWT_SPIFFE);
                assertThat(first.status()).as("first use of the SVID: %s", first).isEqualTo(200);
            }
            return replayed[0];
        }));
        c.add(jwt("no jti with replay protection on", () -> svid().withoutJti().sign()));
        return c;
    }

    // ---------------------------------------------------------------------------------------------
    // X.509-SVID over mTLS

    private Http.Response x509Token(X509SvidIssuer.Svid svid, String clientId) {
        Map<String, String> form = new LinkedHashMap<>(Http.form("grant_type", "client_credentials"));
        if (clientId != null) {
            form.put("client_id", clientId);
        }
        return X509Realm.post(x509.client(svid == null ? null : svid.keyStore()),
                tls.resolve("/realms/" + x509Realm + "/protocol/openid-connect/token"), form, null);
    }

    private Case x509(String name, Supplier<X509SvidIssuer.Svid> svid, String clientId, Expect expect) {
        return new Case(X509_SVID, name, () -> x509Token(svid.get(), clientId), expect);
    }

    private X509SvidIssuer.Leaf leaf() {
        return x509.one().svid("/ns/prod/hostile");
    }

    private List<Case> x509Cases() {
        List<Case> c = new ArrayList<>();
        String w = "x509-workload";
        c.add(x509("no client certificate", () -> null, w, INVALID_CLIENT_401));
        c.add(x509("no client certificate, no client_id", () -> null, null, INVALID_CLIENT_401));
        c.add(x509("other trust domain's SVID", () -> x509.two().svid("/ns/prod/hostile").issue(), w, INVALID_CLIENT_401));
        c.add(x509("claims this domain, issued by the other", () -> x509.two().svid("/a").uris(X509_ID).issue(), w, INVALID_CLIENT_401));
        c.add(x509("no URI SAN", () -> leaf().uris().issue(), w, INVALID_CLIENT_401));
        c.add(x509("two URI SANs", () -> leaf().uris(X509_ID, X509_ID + "2").issue(), w, INVALID_CLIENT_401));
        c.add(x509("non-SPIFFE URI SAN", () -> leaf().uris("https://" + SpiffeX509Authorities.TD_ONE + "/ns/prod/hostile").issue(), w,
                INVALID_CLIENT_401));
        c.add(x509("SPIFFE ID without path", () -> x509.one().svid("").issue(), null, INVALID_CLIENT_401));
        c.add(x509("SPIFFE ID with query", () -> leaf().uris(X509_ID + "?x=1").issue(), w, INVALID_CLIENT_401));
        c.add(x509("SPIFFE ID with fragment", () -> leaf().uris(X509_ID + "#x").issue(), w, INVALID_CLIENT_401));
        c.add(x509("SPIFFE ID with port", () -> leaf().uris("spiffe://" + SpiffeX509Authorities.TD_ONE + ":8443/ns/prod/hostile").issue(), w,
                INVALID_CLIENT_401));
        c.add(x509("SPIFFE ID with dot segment", () -> leaf().uris("spiffe://" + SpiffeX509Authorities.TD_ONE + "/ns/x/../prod/hostile")
                .issue(), w, INVALID_CLIENT_401));
        c.add(x509("CA certificate as leaf", () -> leaf().ca(true).issue(), w, INVALID_CLIENT_401));
        c.add(x509("keyCertSign on the leaf", () -> leaf().keyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign).issue(), w,
                INVALID_CLIENT_401));
        c.add(x509("cRLSign on the leaf", () -> leaf().keyUsage(KeyUsage.digitalSignature | KeyUsage.cRLSign).issue(), w,
                INVALID_CLIENT_401));
        c.add(x509("expired", () -> leaf().validity(Instant.now().minusSeconds(7200), Instant.now().minusSeconds(3600)).issue(), w,
                HANDSHAKE_OR_INVALID_CLIENT));
        c.add(x509("not yet valid", () -> leaf().validity(Instant.now().plusSeconds(3600), Instant.now().plusSeconds(7200)).issue(), w,
                HANDSHAKE_OR_INVALID_CLIENT));
        c.add(x509("intermediate that is no CA", () -> x509.one().intermediate(false).svid("/ns/prod/hostile").issue(), w,
                HANDSHAKE_OR_INVALID_CLIENT));
        c.add(x509("keyEncipherment only", () -> leaf().keyUsage(KeyUsage.keyEncipherment).issue(), w, HANDSHAKE_OR_INVALID_CLIENT));
        c.add(x509("chain only the system trust store accepts", () -> x509.testCa().clientCertificate(X509_ID), w, INVALID_CLIENT_401));
        c.add(x509("SVID not authorized for the named client", () -> x509.one().svid("/ns/prod/other").issue(), w, INVALID_CLIENT_401));
        c.add(x509("pattern client, sibling path", () -> x509.one().svid("/batchjob").issue(), "x509-batch", INVALID_CLIENT_401));
        c.add(x509("JWT-SVID-only client", () -> x509.one().svid("/jwt-only").issue(), "x509-jwt-only", INVALID_CLIENT_401));
        c.add(x509("named client does not exist", () -> leaf().issue(), "no-such-client", INVALID_CLIENT_401));
        c.add(x509("unbound SPIFFE ID, no client_id", () -> x509.one().svid("/ns/prod/nobody").issue(), null, INVALID_CLIENT_401));
        return c;
    }

    // ---------------------------------------------------------------------------------------------
    // URL client_ids: the token endpoint with client_id = the URL

    private Http.Response urlToken(String clientId) {
        return Http.postForm(admin.tokenEndpoint(cimdRealm), Http.form("grant_type", "client_credentials", "client_id", clientId));
    }

    private Case url(String name, Supplier<String> clientId) {
        return new Case(URL_CLIENT_ID, name, () -> urlToken(clientId.get()), INVALID_CLIENT_401);
    }

    private String trap(String host, String path) {
        return documents.url(host, "/trap" + path);
    }

    /** Serves {@code body} as the document at a fresh path; returns the URL (the document's client_id). */
    private String document(String path, Map<String, Object> members) {
        String url = documents.url("/hostile" + path);
        ObjectNode doc = Http.JSON.createObjectNode().put("client_id", url);
        members.forEach((k, v) -> doc.set(k, Http.JSON.valueToTree(v)));
        documents.json("/hostile" + path, doc.toString());
        return url;
    }

    private String served(String path, Runnable mount) {
        mount.run();
        return documents.url("/hostile" + path);
    }

    private static Map<String, Object> publicClient(Object... more) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client_name", "Hostile");
        m.put("redirect_uris", List.of("http://127.0.0.1:48123/cb"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    private List<Case> urlClientIdCases() {
        int port = URI.create(documents.url("/x")).getPort();
        String good = "mcp-client.docs.test:" + port;
        List<Case> c = new ArrayList<>();
        // The URL itself (refused before any fetch)
        c.add(url("http scheme", () -> "http://127.0.0.1:" + plainTrap.getAddress().getPort() + "/trap/http.json"));
        c.add(url("http scheme, fixture name", () -> "http://mcp-client.docs.test:" + plainTrap.getAddress().getPort() + "/trap/h.json"));
        c.add(url("upper-case scheme", () -> "HTTPS://" + good + "/trap/upper.json"));
        c.add(url("mixed-case scheme", () -> "Https://" + good + "/trap/mixed.json"));
        c.add(url("userinfo", () -> "https://user@" + good + "/trap/userinfo.json"));
        c.add(url("userinfo with password", () -> "https://user:pw@" + good + "/trap/userinfo2.json"));
        c.add(url("userinfo hiding the host", () -> "https://evil.test@" + good + "/trap/userinfo3.json"));
        c.add(url("fragment", () -> trap("mcp-client.docs.test", "/frag.json") + "#x"));
        c.add(url("empty fragment", () -> trap("mcp-client.docs.test", "/frag2.json") + "#"));
        c.add(url("dot segment", () -> "https://" + good + "/trap/../trap/dot.json"));
        c.add(url("single dot segment", () -> "https://" + good + "/trap/./dot1.json"));
        c.add(url("encoded dot segment", () -> "https://" + good + "/trap/%2e%2e/dot2.json"));
        c.add(url("upper-case encoded dot segment", () -> "https://" + good + "/trap/%2E/dot3.json"));
        c.add(url("query (not allowed in this realm)", () -> trap("mcp-client.docs.test", "/q.json") + "?a=b"));
        c.add(url("root path", () -> "https://" + good + "/"));
        c.add(url("no path", () -> "https://" + good));
        c.add(url("IPv4 literal", () -> "https://127.0.0.1:" + port + "/trap/ip4.json"));
        c.add(url("IPv6 literal", () -> "https://[::1]:" + port + "/trap/ip6.json"));
        c.add(url("IPv4-mapped IPv6 literal", () -> "https://[::ffff:127.0.0.1]:" + port + "/trap/ip6m.json"));
        c.add(url("decimal IP", () -> "https://2130706433:" + port + "/trap/dec.json"));
        c.add(url("hex IP", () -> "https://0x7f000001:" + port + "/trap/hex.json"));
        c.add(url("short IP", () -> "https://127.1:" + port + "/trap/short.json"));
        c.add(url("localhost", () -> "https://localhost:" + port + "/trap/localhost.json"));
        c.add(url("localhost with trailing dot", () -> "https://localhost.:" + port + "/trap/localhost2.json"));
        c.add(url("fixture host with trailing dot", () -> "https://mcp-client.docs.test.:" + port + "/trap/dot-host.json"));
        c.add(url("host not on the allow-list", () -> trap("unlisted.docs.test", "/unlisted.json")));
        c.add(url("host on the deny-list", () -> trap("denied.docs.test", "/denied.json")));
        c.add(url("upper-case host", () -> "https://MCP-CLIENT.docs.test:" + port + "/trap/upper-host.json"));
        c.add(url("non-ASCII host", () -> "https://mсp-client.docs.test:" + port + "/trap/idn.json"));
        c.add(url("punycode host", () -> "https://xn--mp-client-5qg.docs.test:" + port + "/trap/puny.json"));
        c.add(url("space", () -> "https://" + good + "/trap/a b.json"));
        c.add(url("tab", () -> "https://" + good + "/trap/a\tb.json"));
        c.add(url("newline", () -> "https://" + good + "/trap/a\nb.json"));
        c.add(url("NUL", () -> "https://" + good + "/trap/a\u0000b.json"));
        c.add(url("backslash", () -> "https://" + good + "\\trap\\bs.json"));
        c.add(url("leading space", () -> " https://" + good + "/trap/lead.json"));
        c.add(url("longer than the client_id column", () -> "https://" + good + "/trap/" + "l".repeat(300) + ".json"));
        c.add(url("8 kB URL", () -> "https://" + good + "/trap/" + "k".repeat(8192)));
        c.add(url("empty host", () -> "https:///trap/nohost.json"));
        c.add(url("port 0", () -> "https://mcp-client.docs.test:0/trap/port0.json"));
        c.add(url("port out of range", () -> "https://mcp-client.docs.test:70000/trap/port.json"));
        c.add(url("host not in any hosts file", () -> "https://nxdomain.docs.test/trap/nx.json"));
        // The document (fetched from the fixture host, refused)
        c.add(url("document names another client_id", () -> {
            documents.json("/hostile/mismatch.json", "{\"client_id\":\"" + documents.url("/hostile/other.json") + "\"}");
            return documents.url("/hostile/mismatch.json");
        }));
        c.add(url("document without client_id", () -> served("/no-id.json", () -> documents.json("/hostile/no-id.json",
                "{\"client_name\":\"x\"}"))));
        c.add(url("document not JSON", () -> served("/not-json.json", () -> documents.json("/hostile/not-json.json", "<<<"))));
        c.add(url("document JSON array", () -> served("/array.json", () -> documents.json("/hostile/array.json", "[]"))));
        c.add(url("document JSON string", () -> served("/string.json", () -> documents.json("/hostile/string.json", "\"x\""))));
        c.add(url("document empty", () -> served("/empty.json", () -> documents.json("/hostile/empty.json", ""))));
        c.add(url("document HTML", () -> served("/html.json", () -> documents.status("/hostile/html.json", 200, "text/html",
                "<html></html>"))));
        c.add(url("document 404", () -> served("/404.json", () -> documents.status("/hostile/404.json", 404, "application/json", "{}"))));
        c.add(url("document 500", () -> served("/500.json", () -> documents.status("/hostile/500.json", 500, "application/json", "{}"))));
        c.add(url("document redirect", () -> served("/redirect.json", () -> documents.redirect("/hostile/redirect.json",
                documents.url("/trap/redirect-target.json")))));
        c.add(url("document oversized", () -> served("/big.json", () -> documents.json("/hostile/big.json", DocumentHost.bytes(60_000)))));
        c.add(url("document drips slower than the timeout", () -> served("/slow.json", () -> documents.slowDrip("/hostile/slow.json"))));
        c.add(url("document with client_secret", () -> document("/secret.json", publicClient("client_secret", "s3cret"))));
        c.add(url("document with client_secret_basic", () -> document("/basic.json",
                publicClient("token_endpoint_auth_method", "client_secret_basic"))));
        c.add(url("document with unknown auth method", () -> document("/unknown-method.json",
                publicClient("token_endpoint_auth_method", "magic"))));
        c.add(url("document with wildcard redirect", () -> document("/wildcard.json",
                Map.of("redirect_uris", List.of("https://app.test/*")))));
        c.add(url("document with http redirect to a public host", () -> document("/http-redirect.json",
                Map.of("redirect_uris", List.of("http://app.test/cb")))));
        c.add(url("document with javascript: redirect", () -> document("/js-redirect.json",
                Map.of("redirect_uris", List.of("javascript:alert(1)")))));
        c.add(url("document with redirect_uris not a list", () -> document("/redirect-string.json",
                Map.of("redirect_uris", "http://127.0.0.1:48123/cb"))));
        c.add(url("document asks for client_credentials (off here)", () -> document("/cc.json", Map.of(
                "token_endpoint_auth_method", "private_key_jwt", "grant_types", List.of("client_credentials"),
                "jwks_uri", documents.url("keys.docs.test", "/trap/cc-jwks.json")))));
        c.add(url("document jwks_uri on an unlisted host", () -> document("/jwks-unlisted.json", publicClient(
                "token_endpoint_auth_method", "private_key_jwt",
                "jwks_uri", documents.url("unlisted.docs.test", "/trap/jwks-unlisted.json")))));
        c.add(url("document jwks_uri on a denied host", () -> document("/jwks-denied.json", publicClient(
                "token_endpoint_auth_method", "private_key_jwt",
                "jwks_uri", documents.url("denied.docs.test", "/trap/jwks-denied.json")))));
        c.add(url("document jwks_uri over http", () -> document("/jwks-http.json", publicClient(
                "token_endpoint_auth_method", "private_key_jwt",
                "jwks_uri", "http://keys.docs.test:" + plainTrap.getAddress().getPort() + "/trap/jwks.json"))));
        c.add(url("document jwks_uri IP literal", () -> document("/jwks-ip.json", publicClient(
                "token_endpoint_auth_method", "private_key_jwt",
                "jwks_uri", "https://127.0.0.1:" + port + "/trap/jwks-ip.json"))));
        c.add(url("document jwks_uri with userinfo", () -> document("/jwks-userinfo.json", publicClient(
                "token_endpoint_auth_method", "private_key_jwt",
                "jwks_uri", "https://u@keys.docs.test:" + port + "/trap/jwks-userinfo.json"))));
        c.add(url("document jwks and jwks_uri", () -> document("/jwks-both.json", publicClient(
                "token_endpoint_auth_method", "private_key_jwt", "jwks", Map.of("keys", List.of()),
                "jwks_uri", documents.url("keys.docs.test", "/trap/jwks-both.json")))));
        c.add(url("document private_key_jwt without keys", () -> document("/no-keys.json", publicClient(
                "token_endpoint_auth_method", "private_key_jwt"))));
        c.add(url("document with a 2000-character name", () -> document("/long-name.json",
                publicClient("client_name", "n".repeat(2000), "redirect_uris", List.of("https://app.test/" + "p".repeat(5000))))));
        return c;
    }

    // ---------------------------------------------------------------------------------------------
    // Registration: the pack's rfc7591 endpoint and Keycloak's own

    private Case reg(String name, Supplier<Object> body, Expect expect) {
        return new Case(REGISTRATION, name, () -> Dcr.post(rfc7591, body.get(), null), expect);
    }

    private static ObjectNode publicNative() {
        ObjectNode m = Dcr.metadata("http://127.0.0.1:6276/oauth/callback");
        m.put("token_endpoint_auth_method", "none");
        m.put("application_type", "native");
        return m;
    }

    private static ObjectNode with(ObjectNode m, String member, Object value) {
        m.set(member, Http.JSON.valueToTree(value));
        return m;
    }

    private ObjectNode keyed(String jwksUri) {
        ObjectNode m = Dcr.metadata("https://app.example.com/cb");
        m.put("token_endpoint_auth_method", "private_key_jwt");
        m.put("jwks_uri", jwksUri);
        return m;
    }

    private String statement(ECKey key, Map<String, Object> claims) {
        Map<String, Object> all = new LinkedHashMap<>(Map.of("iss", STATEMENT_ISSUER, "software_id", "hostile-app"));
        all.putAll(claims);
        return Dcr.sign(key, all);
    }

    private Http.Response raw(URI uri, String method, String body, String contentType, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return Http.send(b.build());
    }

    private List<Case> registrationCases() {
        int port = fixtures.port();
        String keysHost = "statements.issuer.test:" + port;
        List<Case> c = new ArrayList<>();
        // The body
        c.add(new Case(REGISTRATION, "body not JSON", () -> raw(rfc7591, "POST", "{not json", "application/json", null), METADATA));
        c.add(new Case(REGISTRATION, "body JSON array", () -> raw(rfc7591, "POST", "[]", "application/json", null), METADATA));
        c.add(new Case(REGISTRATION, "body JSON string", () -> raw(rfc7591, "POST", "\"x\"", "application/json", null), METADATA));
        c.add(new Case(REGISTRATION, "body empty", () -> raw(rfc7591, "POST", "", "application/json", null), METADATA));
        c.add(new Case(REGISTRATION, "body 1 MB", () -> raw(rfc7591, "POST",
                "{\"client_name\":\"" + "x".repeat(1_000_000) + "\"}", "application/json", null), METADATA));
        c.add(new Case(REGISTRATION, "deeply nested JSON", () -> raw(rfc7591, "POST",
                "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "application/json", null), METADATA));
        // Metadata
        c.add(reg("redirect_uris not a list", () -> with(publicNative(), "redirect_uris", "http://127.0.0.1:6276/cb"), METADATA));
        c.add(reg("redirect_uris of numbers", () -> with(publicNative(), "redirect_uris", List.of(1, 2)), METADATA));
        c.add(reg("grant_types not a list", () -> with(publicNative(), "grant_types", "authorization_code"), METADATA));
        c.add(reg("client_name as object", () -> with(publicNative(), "client_name", Map.of("a", 1)), METADATA));
        c.add(reg("shared-secret auth method", () -> publicNative().put("token_endpoint_auth_method", "client_secret_post"), METADATA));
        c.add(reg("unknown auth method", () -> publicNative().put("token_endpoint_auth_method", "magic"), METADATA));
        c.add(reg("code response without code grant", () -> with(with(publicNative(), "grant_types", List.of("client_credentials")),
                "response_types", List.of("code")), METADATA));
        c.add(reg("implicit grant", () -> with(with(publicNative(), "grant_types", List.of("implicit")),
                "response_types", List.of("token")), METADATA));
        c.add(reg("password grant", () -> with(publicNative(), "grant_types", List.of("password")), METADATA));
        c.add(reg("spiffe_id claimed anonymously", () -> publicNative().put("spiffe_id", "spiffe://td-one.test/ns/prod/x"), METADATA));
        c.add(reg("client_id chosen by the registrant", () -> publicNative().put("client_id", "my-own-id"), METADATA));
        // Anonymous, no JWT-SVID: a SPIFFE authenticator without the binding only attestation gives.
        c.add(reg("spiffe_jwt without attestation", () -> with(Dcr.metadata("https://app.example.com/cb")
                .put("token_endpoint_auth_method", "spiffe_jwt"), "grant_types", List.of("client_credentials")),
                METADATA.saying("SPIFFE-attested registration")));
        // Redirect URIs
        c.add(reg("redirect http to a public host", () -> with(publicNative().put("application_type", "web"), "redirect_uris",
                List.of("http://app.example.com/cb")), REDIRECT));
        c.add(reg("redirect wildcard", () -> with(publicNative().put("application_type", "web"), "redirect_uris",
                List.of("https://app.example.com/*")), REDIRECT));
        c.add(reg("redirect with fragment", () -> with(publicNative().put("application_type", "web"), "redirect_uris",
                List.of("https://app.example.com/cb#x")), REDIRECT));
        c.add(reg("redirect javascript:", () -> with(publicNative(), "redirect_uris", List.of("javascript:alert(1)")), REDIRECT));
        c.add(reg("redirect data:", () -> with(publicNative(), "redirect_uris", List.of("data:text/html,<script>x</script>")), REDIRECT));
        c.add(reg("redirect relative", () -> with(publicNative(), "redirect_uris", List.of("/cb")), REDIRECT));
        c.add(reg("redirect with userinfo", () -> with(publicNative().put("application_type", "web"), "redirect_uris",
                List.of("https://user@app.example.com/cb")), REDIRECT));
        c.add(reg("redirect not a URI", () -> with(publicNative(), "redirect_uris", List.of("ht tp://x y")), REDIRECT));
        // jwks_uri / jwks
        c.add(reg("jwks_uri over http", () -> keyed("http://statements.issuer.test:" + plainTrap.getAddress().getPort()
                + "/trap/jwks"), METADATA));
        c.add(reg("jwks_uri localhost", () -> keyed("https://localhost:" + port + "/trap/jwks-localhost"), METADATA));
        c.add(reg("jwks_uri with userinfo", () -> keyed("https://u@" + keysHost + "/trap/jwks-userinfo"), METADATA));
        c.add(reg("jwks_uri with fragment", () -> keyed("https://" + keysHost + "/trap/jwks-frag#x"), METADATA));
        c.add(reg("jwks_uri not resolvable", () -> keyed("https://nxdomain.issuer.test/trap/jwks"), METADATA));
        c.add(reg("jwks_uri not a JWK Set", () -> keyed(fixtures.url("statements.issuer.test", "/hostile/not-jwks").toString()), METADATA));
        c.add(reg("jwks_uri oversized", () -> keyed(fixtures.url("statements.issuer.test", "/hostile/big-jwks").toString()), METADATA));
        c.add(reg("jwks_uri 404", () -> keyed(fixtures.url("statements.issuer.test", "/hostile/404-jwks").toString()), METADATA));
        c.add(reg("jwks and jwks_uri", () -> with(keyed(fixtures.url("statements.issuer.test", "/trap/both").toString()), "jwks",
                Map.of("keys", List.of())), METADATA));
        c.add(reg("jwks not a JWK Set", () -> with(publicNative().put("token_endpoint_auth_method", "private_key_jwt"), "jwks",
                Map.of("hello", "world")), METADATA));
        c.add(reg("jwks with a private key", () -> with(publicNative().put("token_endpoint_auth_method", "private_key_jwt"), "jwks",
                Map.of("keys", List.of(clientKey.toJSONObject()))), METADATA));
        // URLs Keycloak would fetch itself
        for (String member : List.of("sector_identifier_uri", "backchannel_logout_uri", "request_uris")) {
            Object value = member.equals("request_uris")
                    ? List.of(fixtures.url("statements.issuer.test", "/trap/" + member).toString())
                    : fixtures.url("statements.issuer.test", "/trap/" + member).toString();
            c.add(reg(member + " to a trap", () -> with(publicNative(), member, value), METADATA));
        }
        // Software statements
        c.add(reg("statement not a JWT", () -> publicNative().put("software_statement", "garbage"), STATEMENT));
        c.add(reg("statement alg none", () -> publicNative().put("software_statement",
                b64("{\"alg\":\"none\"}") + "." + b64("{\"iss\":\"" + STATEMENT_ISSUER + "\",\"software_id\":\"x\"}") + "."), STATEMENT));
        c.add(reg("statement signed by an untrusted key", () -> publicNative().put("software_statement",
                statement(Dcr.newKey("iss-hostile"), Map.of())), STATEMENT));
        c.add(reg("statement tampered", () -> {
            String[] p = statement(issuerKey, Map.of()).split("\\.");
            return publicNative().put("software_statement", p[0] + "." + b64("{\"iss\":\"" + STATEMENT_ISSUER
                    + "\",\"software_id\":\"evil\"}") + "." + p[2]);
        }, STATEMENT));
        c.add(reg("statement expired", () -> publicNative().put("software_statement", statement(issuerKey,
                Map.of("exp", Instant.now().minusSeconds(3600).getEpochSecond()))), STATEMENT));
        c.add(reg("statement from an unknown issuer", () -> publicNative().put("software_statement", Dcr.sign(issuerKey,
                Map.of("iss", "https://unknown.issuer.test", "software_id", "x"))), UNAPPROVED));
        c.add(reg("statement without issuer", () -> publicNative().put("software_statement", Dcr.sign(issuerKey,
                Map.of("software_id", "x"))), STATEMENT));
        c.add(reg("statement as a number", () -> with(publicNative(), "software_statement", 42), STATEMENT));
        c.add(reg("redirect_uris 1000 wildcards", () -> with(publicNative().put("application_type", "web"), "redirect_uris",
                java.util.Collections.nCopies(1000, "https://app.example.com/*")), REDIRECT));
        // Tokens
        c.add(new Case(REGISTRATION, "bearer that is no token", () -> Dcr.post(rfc7591, publicNative(), "not-a-token"), TOKEN));
        c.add(new Case(REGISTRATION, "bearer JWT signed by nobody", () -> Dcr.post(rfc7591, publicNative(),
                Dcr.sign(Dcr.newKey("x"), Map.of("typ", "InitialAccessToken", "sub", "x"))), TOKEN));
        c.add(new Case(REGISTRATION, "JWT-SVID bearer of an unknown trust domain", () -> Dcr.post(rfc7591, publicNative(),
                Dcr.jwtSvid(Dcr.newKey("k"), "spiffe://nowhere.test/ns/prod/x", rfc7591.toString())), TOKEN));
        c.add(new Case(REGISTRATION, "read without a token", () -> Dcr.get(URI.create(rfc7591 + "/admin-cli"), null), TOKEN));
        c.add(new Case(REGISTRATION, "update without a token", () -> Dcr.put(URI.create(rfc7591 + "/admin-cli"), publicNative()
                .put("client_id", "admin-cli"), null), TOKEN));
        c.add(new Case(REGISTRATION, "delete without a token", () -> Dcr.delete(URI.create(rfc7591 + "/admin-cli"), null), TOKEN));
        c.add(new Case(REGISTRATION, "read with a bogus token", () -> Dcr.get(URI.create(rfc7591 + "/admin-cli"), "x.y.z"), TOKEN));
        // Keycloak's own endpoints: the pack's rules hold there too
        c.add(new Case(REGISTRATION, "default endpoint: URL client_id", () -> Dcr.post(keycloakDefault,
                Map.of("clientId", "https://" + "mcp-client.docs.test/squat.json", "publicClient", true), null), POLICY_403));
        c.add(new Case(REGISTRATION, "openid-connect endpoint: wildcard redirect", () -> Dcr.post(keycloakOidc,
                with(publicNative(), "redirect_uris", List.of("https://app.example.com/*")), null), POLICY_403));
        c.add(new Case(REGISTRATION, "openid-connect endpoint: shared secret", () -> Dcr.post(keycloakOidc,
                publicNative().put("token_endpoint_auth_method", "client_secret_basic"), null), POLICY_403));
        c.add(new Case(REGISTRATION, "openid-connect endpoint: backchannel_logout_uri", () -> Dcr.post(keycloakOidc,
                publicNative().put("backchannel_logout_uri", fixtures.url("statements.issuer.test", "/trap/bcl").toString()), null),
                POLICY_403));
        c.add(new Case(REGISTRATION, "openid-connect endpoint: spiffe_jwt without attestation", () -> Dcr.post(keycloakOidc,
                with(Dcr.metadata("https://app.example.com/cb").put("token_endpoint_auth_method", "spiffe_jwt"),
                        "grant_types", List.of("client_credentials")), null), METADATA.saying("SPIFFE-attested registration")));
        // This realm has no trust domain (so no SPIFFE guard of its own): the pack's policies refuse the binding.
        c.add(new Case(REGISTRATION, "default endpoint: SPIFFE binding, no trust domain", () -> Dcr.post(keycloakDefault, Map.of(
                "clientId", "hostile-spiffe-squat", "publicClient", false, "serviceAccountsEnabled", true,
                "clientAuthenticatorType", "spiffe-jwt-svid", "attributes", Map.of("jwt.credential.sub", WORKLOAD)), null),
                METADATA.saying("attested")));
        c.add(new Case(REGISTRATION, "default endpoint: jwks.url attribute", () -> Dcr.post(keycloakDefault, Map.of(
                "clientId", "hostile-jwks-url", "publicClient", false, "clientAuthenticatorType", "client-jwt",
                // A real JWK set: wi-jwks may check it (through the safe fetcher) before wi-server-fetched-uris refuses.
                "attributes", Map.of("use.jwks.url", "true", "jwks.url", fixtures.url("statements.issuer.test",
                        "/hostile/client-jwks").toString())), null), POLICY_403));
        return c;
    }
}
