package dev.workloadid.keycloak.common.net;

import static dev.workloadid.keycloak.common.net.AddressClassifierTest.ip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.workloadid.keycloak.common.net.FetchException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Against a local HTTPS server on 127.0.0.1 only. Names are made up and resolved by a map; every
 * socket the fetcher opens goes through a guard that refuses any non-loopback destination, so no
 * packet can leave the machine even if the fetcher regresses.
 */
class SafeFetcherTest {

    private static final String HOST = "docs.fixture.test";
    private static final int MAX_BYTES = 100;
    private static final InetAddress LOOPBACK = loopback();
    /** Held so the setting below sticks (JUL keeps loggers weakly). */
    private static final Logger FETCHER_LOG = Logger.getLogger(SafeFetcher.class.getName());

    private static TestPki pki;
    private static HttpsServer server;
    private static ExecutorService serverThreads;
    private static int port;
    private static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private static final List<com.sun.net.httpserver.Headers> requests = new CopyOnWriteArrayList<>();

    private final Map<String, InetAddress[]> dns = new ConcurrentHashMap<>();
    private final AtomicInteger resolutions = new AtomicInteger();
    private LoopbackOnlySockets sockets;
    private SafeFetcher fetcher;

    /**
     * Generous time limits: a loaded CI machine must not turn a TLS or HTTP test into a timeout.
     * Tests about timeouts set their own, small ones.
     */
    private final FetchPolicy dev = FetchPolicy.builder()
            .maxBytes(MAX_BYTES)
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(10))
            .totalTimeout(Duration.ofSeconds(15))
            .allowLoopback(true)
            // The fixture listens on an ephemeral port; port rules have tests of their own.
            .allowedPorts(PortList.ANY)
            .build();

    @BeforeAll
    static void startServer() throws Exception {
        FETCHER_LOG.setUseParentHandlers(false); // the loopback warning is expected here; keep the build log clean
        pki = new TestPki();
        server = HttpsServer.create(new InetSocketAddress(LOOPBACK, 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext(HOST)));
        serverThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fixture-https");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(serverThreads);
        handle("/doc", ex -> {
            ex.getResponseHeaders().add("ETag", "\"v1\"");
            ex.getResponseHeaders().add("Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT");
            ex.getResponseHeaders().add("Cache-Control", "public");
            ex.getResponseHeaders().add("Cache-Control", "max-age=60");
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("Set-Cookie", "session=nope");
            if ("\"v1\"".equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                ex.sendResponseHeaders(304, -1);
            } else {
                send(ex, 200, "{\"client_id\":\"x\"}".getBytes(UTF_8));
            }
        });
        handle("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "https://" + HOST + ":" + port + "/doc");
            ex.sendResponseHeaders(302, -1);
        });
        handle("/missing", ex -> send(ex, 404, "not here".getBytes(UTF_8)));
        handle("/exact", ex -> send(ex, 200, new byte[MAX_BYTES]));
        handle("/big", ex -> send(ex, 200, new byte[MAX_BYTES + 1]));
        handle("/big-chunked", ex -> {
            ex.sendResponseHeaders(200, 0); // no Content-Length
            try (OutputStream out = ex.getResponseBody()) {
                out.write(new byte[64 * 1024]);
            }
        });
        handle("/many-headers", ex -> {
            for (int i = 0; i < 200; i++) {
                ex.getResponseHeaders().add("X-Filler-" + i, "x");
            }
            send(ex, 200, new byte[1]);
        });
        handle("/drip", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 50; i++) {
                    out.write('x');
                    out.flush();
                    sleep(100);
                }
            }
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @BeforeEach
    void newFetcher() throws Exception {
        dns.put(HOST, new InetAddress[] {LOOPBACK});
        sockets = new LoopbackOnlySockets();
        fetcher = new SafeFetcher(pki.clientContext(), this::resolve, sockets);
        hits.clear();
        requests.clear();
    }

    @AfterEach
    void closeFetcher() throws IOException {
        fetcher.close();
        assertThat(sockets.nonLoopbackAttempts).as("connection attempts to non-loopback addresses").isEmpty();
    }

    @Test
    void fetchesDocumentWithCachingHeadersAndPeerAddress() throws Exception {
        FetchResult result = fetcher.fetch(url("/doc"), dev);

        assertThat(result.status()).isEqualTo(200);
        assertThat(new String(result.body(), UTF_8)).isEqualTo("{\"client_id\":\"x\"}");
        assertThat(result.header("etag")).contains("\"v1\"");
        assertThat(result.header("Cache-Control")).contains("public, max-age=60");
        assertThat(result.header("Content-Type")).contains("application/json");
        assertThat(result.header("Last-Modified")).contains("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(result.header("Date")).isPresent();
        assertThat(result.header("Set-Cookie")).isEmpty();
        assertThat(result.remoteAddress()).isEqualTo(LOOPBACK);
        assertThat(requests.get(0).getFirst("Accept")).isEqualTo("application/json");
    }

    @Test
    void reusesPooledConnectionAndResolvesOnce() throws Exception {
        fetcher.fetch(url("/doc"), dev);
        fetcher.fetch(url("/doc"), dev);

        assertThat(sockets.connects).hasValue(1);
        assertThat(resolutions).hasValue(1);
    }

    @Test
    void cimd36_connectionOpenedUnderLoopbackPolicyIsNotReusedByStricterPolicy() throws Exception {
        fetcher.fetch(url("/doc"), dev);

        expect(Reason.BLOCKED_ADDRESS, () -> fetcher.fetch(url("/doc"), strict()));
        assertThat(sockets.connects).hasValue(1);
    }

    @Test
    void cimd31_doesNotFollowRedirects() throws Exception {
        FetchResult result = fetcher.fetch(url("/redirect"), dev);

        assertThat(result.status()).isEqualTo(302);
        assertThat(hits.get("/redirect")).hasValue(1);
        assertThat(hits).doesNotContainKey("/doc");
    }

    @Test
    void returnsErrorStatusToTheCaller() throws Exception {
        FetchResult result = fetcher.fetch(url("/missing"), dev);

        assertThat(result.status()).isEqualTo(404);
        assertThat(result.isSuccess()).isFalse();
        assertThat(new String(result.body(), UTF_8)).isEqualTo("not here");
    }

    @Test
    void conditionalRequestSendsValidatorsAndGets304() throws Exception {
        FetchResult result = fetcher.fetch(url("/doc"), dev,
                new ConditionalHeaders("\"v1\"", "Sun, 06 Nov 1994 08:49:37 GMT"));

        assertThat(result.status()).isEqualTo(304);
        assertThat(result.body()).isEmpty();
        assertThat(result.remoteAddress()).isEqualTo(LOOPBACK);
        assertThat(requests.get(0).getFirst("If-None-Match")).isEqualTo("\"v1\"");
        assertThat(requests.get(0).getFirst("If-Modified-Since")).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    @Test
    void cimd35_acceptsBodyOfExactlyMaxBytes() throws Exception {
        assertThat(fetcher.fetch(url("/exact"), dev).body()).hasSize(MAX_BYTES);
    }

    @Test
    void cimd35_refusesDeclaredContentLengthOverLimit() {
        FetchException e = expect(Reason.TOO_LARGE, () -> fetcher.fetch(url("/big"), dev));
        assertThat(e).hasMessage("the response from host docs.fixture.test is larger than 100 bytes");
    }

    @Test
    void cimd35_refusesChunkedBodyOverLimitWhileStreaming() {
        expect(Reason.TOO_LARGE, () -> fetcher.fetch(url("/big-chunked"), dev));
    }

    @Test
    void cimd35_refusesExcessiveResponseHeaders() {
        expect(Reason.TOO_LARGE, () -> fetcher.fetch(url("/many-headers"), dev));
    }

    @Test
    void refusesUseAfterClose() throws Exception {
        fetcher.close();
        assertThatThrownBy(() -> fetcher.fetch(url("/doc"), dev)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cimd35_refusesSlowDripBodyAtTotalTimeout() {
        FetchPolicy policy = dev.toBuilder().maxBytes(5120).totalTimeout(Duration.ofMillis(500)).build();
        FetchException e = expect(Reason.TIMEOUT, () -> fetcher.fetch(url("/drip"), policy));

        // The total deadline fired (not the 10 s per-read timeout): the drip never ends on its own.
        assertThat(e).hasMessageContaining("took longer than 500 ms");
    }

    @Test
    void slowNameResolutionCountsAgainstTheTotalDeadline() throws Exception {
        // A resolver that answers only when the test lets it: the fetch must give up at its deadline
        // and not wait for the answer (a lookup blocked in the resolver cannot be aborted).
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean answered = new AtomicBoolean();
        SafeFetcher.Resolver slow = host -> {
            try {
                release.await(60, TimeUnit.SECONDS); // bounded only so a regression ends the test
            } catch (InterruptedException e) {
                throw new UnknownHostException(host + ": lookup abandoned");
            }
            answered.set(true);
            return resolve(host);
        };
        FetchPolicy policy = dev.toBuilder().totalTimeout(Duration.ofMillis(300)).build();
        try (SafeFetcher slowDns = new SafeFetcher(pki.clientContext(), slow, sockets)) {
            FetchException e = expect(Reason.TIMEOUT, () -> slowDns.fetch(url("/doc"), policy));

            assertThat(e).hasMessageContaining("took longer than 300 ms");
            assertThat(answered).as("the fetch ended before the resolver answered").isFalse();
            assertThat(sockets.connects).as("nothing was connected to").hasValue(0);
        } finally {
            release.countDown();
        }
    }

    @Test
    void refusesPlainHttpAndOtherSchemes() {
        expect(Reason.BAD_URL, () -> fetcher.fetch(URI.create("http://" + HOST + ":" + port + "/doc"), dev));
        expect(Reason.BAD_URL, () -> fetcher.fetch(URI.create("ftp://" + HOST + "/doc"), dev));
        expect(Reason.BAD_URL, () -> fetcher.fetch(URI.create("file:///etc/passwd"), dev));
        expect(Reason.BAD_URL, () -> fetcher.fetch(URI.create("/relative"), dev));
        assertThat(resolutions).hasValue(0);
    }

    @Test
    void refusesUserInfoWithoutEchoingIt() {
        FetchException e = expect(Reason.BAD_URL,
                () -> fetcher.fetch(URI.create("https://alice:s3cret@" + HOST + ":" + port + "/doc"), dev));
        assertThat(e.getMessage()).doesNotContain("s3cret");
        assertThat(resolutions).hasValue(0);
    }

    @Test
    void refusesPortOutsideAllowedPorts() {
        FetchPolicy policy = dev.toBuilder().allowedPorts(Set.of(443)).build();
        expect(Reason.BAD_URL, () -> fetcher.fetch(url("/doc"), policy));
    }

    @Test
    void cimd36_refusesLoopbackUnlessAllowed() {
        FetchException e = expect(Reason.BLOCKED_ADDRESS, () -> fetcher.fetch(url("/doc"), strict()));
        assertThat(e).hasMessage("host docs.fixture.test resolves to a special-use address "
                + "(loopback 127.0.0.0/8); refusing to connect");
    }

    @Test
    void cimd36_refusesPrivateAddressWithoutConnecting() throws Exception {
        dns.put("intranet.fixture.test", new InetAddress[] {ip("10.0.0.1")});
        FetchException e = expect(Reason.BLOCKED_ADDRESS,
                () -> fetcher.fetch(URI.create("https://intranet.fixture.test/"), dev));
        assertThat(e.getMessage()).contains("intranet.fixture.test", "private-use 10.0.0.0/8").doesNotContain("10.0.0.1");
    }

    @Test
    void cimd36_publicMessageDoesNotTellARefusedAddressFromAnUnknownName() throws Exception {
        dns.put("intranet.fixture.test", new InetAddress[] {ip("10.0.0.1")});
        FetchException blocked = expect(Reason.BLOCKED_ADDRESS,
                () -> fetcher.fetch(URI.create("https://intranet.fixture.test/"), dev));
        assertThat(blocked.publicMessage()).isEqualTo("host intranet.fixture.test could not be resolved to a permitted public address")
                .doesNotContain("10.0.0", "private-use", "special-use");
        dns.remove("intranet.fixture.test");
        FetchException gone = expect(Reason.DNS_FAILURE, () -> fetcher.fetch(URI.create("https://intranet.fixture.test/"), dev));
        assertThat(gone.publicMessage()).isEqualTo(blocked.publicMessage());
        assertThat(gone.getMessage()).isEqualTo("host intranet.fixture.test could not be resolved");
    }

    @Test
    void cimd36_refusesLinkLocalMetadataAddress() throws Exception {
        dns.put("metadata.fixture.test", new InetAddress[] {ip("169.254.169.254")});
        FetchException e = expect(Reason.BLOCKED_ADDRESS,
                () -> fetcher.fetch(URI.create("https://metadata.fixture.test/latest/meta-data/"), dev));
        assertThat(e.getMessage()).contains("link-local 169.254.0.0/16");
    }

    @Test
    void cimd36_refusesMetadataAddressLiterals() throws Exception {
        try (SafeFetcher systemResolver = new SafeFetcher(pki.clientContext(), InetAddress::getAllByName, sockets)) {
            // Literals: InetAddress parses them, no lookup happens.
            expect(Reason.BLOCKED_ADDRESS, () -> systemResolver.fetch(URI.create("https://169.254.169.254/"), dev));
            expect(Reason.BLOCKED_ADDRESS, () -> systemResolver.fetch(URI.create("https://[fd00:ec2::254]/"), dev));
            expect(Reason.BLOCKED_ADDRESS,
                    () -> systemResolver.fetch(URI.create("https://[::ffff:169.254.169.254]/"), dev));
        }
    }

    @Test
    void cimd36_refusesMixedPublicAndPrivateAnswers() throws Exception {
        dns.put("rebind.fixture.test", new InetAddress[] {ip("93.184.215.14"), ip("10.0.0.1")});
        expect(Reason.BLOCKED_ADDRESS, () -> fetcher.fetch(URI.create("https://rebind.fixture.test/"), strict()));
    }

    @Test
    void cimd36_loopbackAllowanceDoesNotExtendToOtherSpecialRanges() throws Exception {
        dns.put("mixed.fixture.test", new InetAddress[] {LOOPBACK, ip("192.168.1.1")});
        FetchException e = expect(Reason.BLOCKED_ADDRESS,
                () -> fetcher.fetch(URI.create("https://mixed.fixture.test:" + port + "/doc"), dev));
        assertThat(e.getMessage()).contains("private-use 192.168.0.0/16");
    }

    @Test
    void refusesCertificateForAnotherName() throws Exception {
        dns.put("other.fixture.test", new InetAddress[] {LOOPBACK});
        FetchException e = expect(Reason.TLS_FAILURE,
                () -> fetcher.fetch(URI.create("https://other.fixture.test:" + port + "/doc"), dev));
        assertThat(e).hasMessage("the TLS certificate of host other.fixture.test is not valid for that name");
        assertThat(hits).isEmpty();
    }

    @Test
    void refusesCertificateFromUntrustedIssuer() throws Exception {
        try (SafeFetcher otherTrust = new SafeFetcher(new TestPki().clientContext(), this::resolve, sockets)) {
            FetchException e = expect(Reason.TLS_FAILURE, () -> otherTrust.fetch(url("/doc"), dev));
            assertThat(e).hasMessageContaining("TLS handshake with host docs.fixture.test failed");
        }
        assertThat(hits).isEmpty();
    }

    @Test
    void cimd36_defaultPolicyRefusesEveryPortBut443BeforeAnyLookup() {
        FetchPolicy defaults = FetchPolicy.builder().allowLoopback(true).build();
        FetchException e = expect(Reason.BAD_URL, () -> fetcher.fetch(url("/doc"), defaults));
        assertThat(e).hasMessage("port " + port + " of host " + HOST + " is not allowed");
        assertThat(resolutions).hasValue(0);
        assertThat(sockets.connects).hasValue(0);
        assertThat(hits).isEmpty();
    }

    @Test
    void cimd36_oneDescriptionForEveryNetworkFailureTheDetailForTheLog() throws Exception {
        Map<Reason, FetchException> failures = new java.util.EnumMap<>(Reason.class);
        dns.put("other.fixture.test", new InetAddress[] {LOOPBACK});
        failures.put(Reason.TLS_FAILURE, expect(Reason.TLS_FAILURE,
                () -> fetcher.fetch(URI.create("https://other.fixture.test:" + port + "/doc"), dev)));
        dns.put("other.fixture.test", new InetAddress[] {ip("10.0.0.1")});
        failures.put(Reason.BLOCKED_ADDRESS, expect(Reason.BLOCKED_ADDRESS,
                () -> fetcher.fetch(URI.create("https://other.fixture.test:" + port + "/doc"), dev)));
        dns.remove("other.fixture.test");
        failures.put(Reason.DNS_FAILURE, expect(Reason.DNS_FAILURE,
                () -> fetcher.fetch(URI.create("https://other.fixture.test:" + port + "/doc"), dev)));
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            closedPort = socket.getLocalPort();
        }
        dns.put("other.fixture.test", new InetAddress[] {LOOPBACK});
        failures.put(Reason.CONNECT_FAILURE, expect(Reason.CONNECT_FAILURE,
                () -> fetcher.fetch(URI.create("https://other.fixture.test:" + closedPort + "/doc"), dev)));
        FetchPolicy impatient = dev.toBuilder().maxBytes(5120).totalTimeout(Duration.ofMillis(500)).build();
        dns.put(HOST, new InetAddress[] {LOOPBACK});
        FetchException timeout = expect(Reason.TIMEOUT, () -> fetcher.fetch(url("/drip"), impatient));
        failures.put(Reason.TIMEOUT, timeout);

        // What a caller may see: one text (the host name is the caller's own input).
        assertThat(failures.values()).extracting(e -> e.publicMessage().replace(HOST, "other.fixture.test"))
                .containsOnly("host other.fixture.test could not be resolved to a permitted public address");
        // What the event and the log keep: what actually went wrong.
        assertThat(failures.values()).extracting(Throwable::getMessage).doesNotHaveDuplicates();
        assertThat(timeout.getMessage()).contains("took longer than 500 ms");
    }

    @Test
    void reportsUnresolvableHost() {
        expect(Reason.DNS_FAILURE, () -> fetcher.fetch(URI.create("https://nowhere.fixture.test/"), dev));
    }

    @Test
    void reportsRefusedConnection() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        expect(Reason.CONNECT_FAILURE,
                () -> fetcher.fetch(URI.create("https://" + HOST + ":" + closedPort + "/"), dev));
    }

    @Test
    void warnsOncePerFetcherWhenLoopbackIsAllowed() throws Exception {
        Logger logger = FETCHER_LOG;
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.WARNING) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        try {
            fetcher.fetch(url("/doc"), dev);
            fetcher.fetch(url("/doc"), dev);
        } finally {
            logger.removeHandler(handler);
        }
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getMessage()).contains("allowLoopback", "never enable it in production");
    }

    // --- helpers ---

    private FetchPolicy strict() {
        return dev.toBuilder().allowLoopback(false).build();
    }

    private InetAddress[] resolve(String host) throws UnknownHostException {
        resolutions.incrementAndGet();
        InetAddress[] answer = dns.get(host);
        if (answer == null) {
            throw new UnknownHostException(host);
        }
        return answer;
    }

    private FetchException expect(Reason reason, Executable fetch) {
        int connectsBefore = sockets.connects.get();
        Throwable thrown = org.junit.jupiter.api.Assertions.assertThrows(FetchException.class, fetch);
        FetchException e = (FetchException) thrown;
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        if (reason == Reason.BAD_URL || reason == Reason.BLOCKED_ADDRESS) {
            assertThat(sockets.connects).as("refused before any connection attempt").hasValue(connectsBefore);
        }
        return e;
    }

    private static URI url(String path) {
        return URI.create("https://" + HOST + ":" + port + path);
    }

    private static void handle(String path, HttpHandler handler) {
        server.createContext(path, ex -> {
            try {
                if (!ex.getRequestURI().getPath().equals(path)) {
                    send(ex, 404, new byte[0]);
                    return;
                }
                hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                requests.add(ex.getRequestHeaders());
                handler.handle(ex);
            } catch (IOException clientWentAway) {
                // expected when the fetcher aborts
            } finally {
                ex.close();
            }
        });
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Plain sockets that refuse, and record, any connection to a non-loopback address. */
    static final class LoopbackOnlySockets extends SocketFactory {
        final AtomicInteger connects = new AtomicInteger();
        final List<SocketAddress> nonLoopbackAttempts = new CopyOnWriteArrayList<>();

        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public void connect(SocketAddress endpoint, int timeout) throws IOException {
                    InetAddress target = ((InetSocketAddress) endpoint).getAddress();
                    if (target == null || !target.isLoopbackAddress()) {
                        nonLoopbackAttempts.add(endpoint);
                        throw new ConnectException("test guard: no connections to " + endpoint);
                    }
                    connects.incrementAndGet();
                    super.connect(endpoint, timeout);
                }
            };
        }

        @Override
        public Socket createSocket(String host, int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
            throw new UnsupportedOperationException();
        }
    }
}
