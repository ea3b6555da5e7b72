package dev.workloadid.keycloak.it.cimd;

import dev.workloadid.keycloak.it.fixtures.LoopbackHttpsServer;
import dev.workloadid.keycloak.it.fixtures.TestCa;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Serves Client ID Metadata Documents over HTTPS on 127.0.0.1 under the {@code *.docs.test}
 * fixture names: good documents with cache headers and ETags, redirects, 5xx, oversized and
 * slow-drip bodies, and documents a test changes while Keycloak holds them. Counts requests per
 * path, and 304 answers separately.
 */
public final class DocumentHost implements AutoCloseable {

    public static final String HOST = "mcp-client.docs.test";

    private final LoopbackHttpsServer server;
    private final Map<String, AtomicInteger> notModified = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> conditional = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> conditionalAnswered = new ConcurrentHashMap<>();

    public DocumentHost(TestCa ca) {
        server = new LoopbackHttpsServer(ca);
    }

    public String url(String path) {
        return url(HOST, path);
    }

    public String url(String host, String path) {
        return server.url(host, path).toString();
    }

    public int hits(String path) {
        return server.hits(path);
    }

    /** Requests for paths no fixture serves (see {@link LoopbackHttpsServer#unmatched()}). */
    public int unmatched() {
        return server.unmatched();
    }

    public int notModified(String path) {
        AtomicInteger n = notModified.get(path);
        return n == null ? 0 : n.get();
    }

    /** Conditional requests (with If-None-Match) of a versioned path, counted as they arrive. */
    public int conditional(String path) {
        return count(conditional, path);
    }

    /** Conditional requests of a versioned path that have been answered (after any {@link Versioned#hold}). */
    public int conditionalAnswered(String path) {
        return count(conditionalAnswered, path);
    }

    private static int count(Map<String, AtomicInteger> counts, String path) {
        AtomicInteger n = counts.get(path);
        return n == null ? 0 : n.get();
    }

    /** A document whose body, ETag and Cache-Control the test may change at any time. */
    static final class Versioned {
        volatile String body;
        volatile String etag;
        volatile String cacheControl;
        /** When set, a conditional request waits (up to a minute) for this latch before it is answered. */
        volatile CountDownLatch hold;

        Versioned(String body, String etag, String cacheControl) {
            this.body = body;
            this.etag = etag;
            this.cacheControl = cacheControl;
        }
    }

    /** Serves {@code doc}; honours If-None-Match with 304 when the ETag matches. */
    public DocumentHost versioned(String path, Versioned doc) {
        notModified.put(path, new AtomicInteger());
        conditional.put(path, new AtomicInteger());
        conditionalAnswered.put(path, new AtomicInteger());
        server.handle(path, exchange -> {
            String inm = exchange.getRequestHeaders().getFirst("If-None-Match");
            if (inm != null) {
                conditional.get(path).incrementAndGet();
                awaitHold(doc.hold);
                conditionalAnswered.get(path).incrementAndGet();
            }
            if (doc.cacheControl != null) {
                exchange.getResponseHeaders().set("Cache-Control", doc.cacheControl);
            }
            if (doc.etag != null) {
                exchange.getResponseHeaders().set("ETag", doc.etag);
            }
            if (doc.etag != null && doc.etag.equals(inm)) {
                notModified.get(path).incrementAndGet();
                exchange.sendResponseHeaders(304, -1);
                return;
            }
            LoopbackHttpsServer.respond(exchange, 200, "application/json", doc.body);
        });
        return this;
    }

    private static void awaitHold(CountDownLatch hold) {
        if (hold == null) {
            return;
        }
        try {
            hold.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public DocumentHost json(String path, String body) {
        return status(path, 200, "application/json", body);
    }

    public DocumentHost status(String path, int status, String contentType, String body) {
        server.handle(path, exchange -> LoopbackHttpsServer.respond(exchange, status, contentType, body));
        return this;
    }

    public DocumentHost redirect(String path, String location) {
        server.handle(path, exchange -> {
            exchange.getResponseHeaders().set("Location", location);
            exchange.sendResponseHeaders(302, -1);
        });
        return this;
    }

    /** Answers {@code responses[i]} to the i-th request (the last one repeats). */
    public DocumentHost sequence(String path, Function<Integer, Object[]> responses) {
        AtomicInteger n = new AtomicInteger();
        server.handle(path, exchange -> {
            Object[] r = responses.apply(n.getAndIncrement());
            LoopbackHttpsServer.respond(exchange, (Integer) r[0], "application/json", (String) r[1]);
        });
        return this;
    }

    /** Sends a valid-looking JSON prefix one byte at a time, far slower than any total timeout. */
    public DocumentHost slowDrip(String path) {
        server.handle(path, exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (int i = 0; i < 60; i++) {
                    out.write(' ');
                    out.flush();
                    Thread.sleep(500);
                }
            } catch (InterruptedException | IOException e) {
                // Keycloak gave up: the point of the test
            }
        });
        return this;
    }

    /** Delays a good document (cacheable for an hour, so the refresh task leaves it alone), so concurrent first uses overlap. */
    public DocumentHost slowJson(String path, String body, long delayMillis) {
        server.handle(path, exchange -> {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().set("Cache-Control", "max-age=3600");
            LoopbackHttpsServer.respond(exchange, 200, "application/json", body);
        });
        return this;
    }

    /**
     * Serves {@code body} at once, never cacheable, to the first request (the first use); every
     * later request (the refresh task's revalidation) signals {@code held} and waits up to a minute
     * for {@code release} before it is answered, so a test can change things while a refresh is in flight.
     */
    public DocumentHost heldAfterFirst(String path, String body, CountDownLatch held, CountDownLatch release) {
        AtomicInteger n = new AtomicInteger();
        server.handle(path, exchange -> {
            if (n.getAndIncrement() > 0) {
                held.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            LoopbackHttpsServer.respond(exchange, 200, "application/json", body);
        });
        return this;
    }

    public static String bytes(int n) {
        return "{\"pad\":\"" + "x".repeat(Math.max(0, n - 10)) + "\"}";
    }

    @Override
    public void close() {
        server.close();
    }
}
