package dev.workloadid.keycloak.common.net;

import dev.workloadid.keycloak.common.net.FetchException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.http.Header;
import org.apache.http.HttpClientConnection;
import org.apache.http.HttpEntity;
import org.apache.http.HttpException;
import org.apache.http.HttpHost;
import org.apache.http.HttpInetConnection;
import org.apache.http.HttpRequest;
import org.apache.http.HttpResponse;
import org.apache.http.MessageConstraintException;
import org.apache.http.client.ClientProtocolException;
import org.apache.http.client.config.CookieSpecs;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.ConnectionConfig;
import org.apache.http.config.Lookup;
import org.apache.http.config.MessageConstraints;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.config.SocketConfig;
import org.apache.http.conn.ConnectTimeoutException;
import org.apache.http.conn.ConnectionPoolTimeoutException;
import org.apache.http.conn.HttpClientConnectionOperator;
import org.apache.http.conn.ManagedHttpClientConnection;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.DefaultHttpClientConnectionOperator;
import org.apache.http.impl.conn.DefaultRoutePlanner;
import org.apache.http.impl.conn.DefaultSchemePortResolver;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.protocol.HttpContext;
import org.apache.http.protocol.HttpRequestExecutor;

/**
 * Fetches a document from a URL an untrusted party chose, without letting that party reach anything
 * but a public HTTPS server. See {@link #fetch(URI, FetchPolicy, ConditionalHeaders)} for the
 * rules. Thread-safe; create one per provider and reuse it (it owns a connection pool and a timer
 * thread), then {@link #close()} it.
 */
public final class SafeFetcher implements Closeable {

    /** Name resolution seam: tests map names to fixed addresses instead of asking the system. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final Logger LOG = Logger.getLogger(SafeFetcher.class.getName());
    private static final String POLICY = SafeFetcher.class.getName() + ".policy";
    private static final String REMOTE_ADDRESS = SafeFetcher.class.getName() + ".remoteAddress";
    /** System.nanoTime() by which the whole fetch must be done. */
    private static final String DEADLINE = SafeFetcher.class.getName() + ".deadline";
    private static final int DEFAULT_PORT = 443;
    /** Pooled connections are re-resolved and re-checked at least this often. */
    private static final long CONNECTION_TTL_SECONDS = 60;
    private static final int MAX_HEADER_COUNT = 100;
    private static final int MAX_HEADER_LINE = 8192;
    /**
     * Name resolutions run on their own threads, so a slow resolver can be waited for no longer than
     * the fetch's deadline (a blocked lookup cannot be interrupted). A few threads cover concurrent
     * cold lookups; beyond the queue a fetch fails rather than piling up threads.
     */
    private static final int RESOLVER_THREADS = 4;
    private static final int RESOLVER_QUEUE = 64;

    private final Resolver resolver;
    private final CloseableHttpClient client;
    private final ScheduledThreadPoolExecutor deadlines;
    private final ThreadPoolExecutor resolutions;
    private final AtomicBoolean loopbackWarned = new AtomicBoolean();

    /** Uses the system resolver. */
    public SafeFetcher(SSLContext sslContext) {
        this(sslContext, InetAddress::getAllByName);
    }

    public SafeFetcher(SSLContext sslContext, Resolver resolver) {
        this(sslContext, resolver, SocketFactory.getDefault());
    }

    /** Tests pass a socket factory that can only connect to loopback. */
    SafeFetcher(SSLContext sslContext, Resolver resolver, SocketFactory plainSockets) {
        Objects.requireNonNull(sslContext, "sslContext");
        Objects.requireNonNull(plainSockets, "plainSockets");
        this.resolver = Objects.requireNonNull(resolver, "resolver");

        // Host name verification against the URL host; the JDK sends SNI for that name.
        SSLConnectionSocketFactory tls =
                new SSLConnectionSocketFactory(sslContext, new DefaultHostnameVerifier()) {
                    @Override
                    public Socket createSocket(HttpContext context) throws IOException {
                        return plainSockets.createSocket();
                    }
                };
        // Only "https" is registered, so nothing else can be spoken even by mistake.
        Lookup<ConnectionSocketFactory> registry =
                RegistryBuilder.<ConnectionSocketFactory>create().register("https", tls).build();
        PoolingHttpClientConnectionManager pool = new PoolingHttpClientConnectionManager(
                new CheckingConnectionOperator(registry), null, CONNECTION_TTL_SECONDS, TimeUnit.SECONDS);
        pool.setMaxTotal(50);
        pool.setDefaultMaxPerRoute(5);
        // HttpClient accepts unlimited headers by default; the body cap would mean little without this.
        pool.setDefaultConnectionConfig(ConnectionConfig.custom()
                .setMessageConstraints(MessageConstraints.custom()
                        .setMaxHeaderCount(MAX_HEADER_COUNT)
                        .setMaxLineLength(MAX_HEADER_LINE)
                        .build())
                .build());

        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                // Never a proxy, whatever the system properties say.
                .setRoutePlanner(new DefaultRoutePlanner(DefaultSchemePortResolver.INSTANCE))
                .setRequestExecutor(new RecordingRequestExecutor())
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableAutomaticRetries()
                // Identity encoding only: the size cap then counts the bytes that arrive, and there is
                // no decompression bomb to worry about.
                .disableContentCompression()
                .build();

        this.deadlines = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "safe-fetcher-deadline");
            t.setDaemon(true);
            return t;
        });
        this.deadlines.setRemoveOnCancelPolicy(true);
        this.resolutions = new ThreadPoolExecutor(RESOLVER_THREADS, RESOLVER_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(RESOLVER_QUEUE), runnable -> {
                    Thread t = new Thread(runnable, "safe-fetcher-resolver");
                    t.setDaemon(true);
                    return t;
                });
        this.resolutions.allowCoreThreadTimeOut(true);
    }

    public FetchResult fetch(URI uri, FetchPolicy policy) throws FetchException {
        return fetch(uri, policy, ConditionalHeaders.NONE);
    }

    /**
     * GETs {@code uri} and returns the response whatever its status (a 3xx is returned, never
     * followed). Rules: https only, no user info, port allowed by the policy; the host is resolved
     * once and refused if any address is special-use (loopback only if the policy allows it), and
     * only those checked addresses are connected to; TLS with host name verification; the body is
     * capped at maxBytes while streaming; connect, per-read and total deadlines apply.
     *
     * @throws FetchException when no response could be obtained within the policy
     */
    public FetchResult fetch(URI uri, FetchPolicy policy, ConditionalHeaders conditional)
            throws FetchException {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(conditional, "conditional");
        if (deadlines.isShutdown()) {
            throw new IllegalStateException("this SafeFetcher is closed");
        }
        String host = checkUrl(uri, policy);
        if (policy.allowLoopback() && loopbackWarned.compareAndSet(false, true)) {
            LOG.warning("SafeFetcher: allowLoopback is ON - outgoing fetches may reach this host via "
                    + "127.0.0.0/8 and ::1. This is for development only; never enable it in production.");
        }

        HttpGet get = new HttpGet(uri);
        get.setConfig(RequestConfig.custom()
                .setConnectTimeout(millis(policy.connectTimeout()))
                .setSocketTimeout(millis(policy.readTimeout()))
                .setConnectionRequestTimeout(millis(policy.totalTimeout()))
                .setRedirectsEnabled(false)
                .setAuthenticationEnabled(false)
                .setCookieSpec(CookieSpecs.IGNORE_COOKIES)
                .build());
        get.setHeader("Accept", policy.acceptHeader());
        if (conditional.ifNoneMatch() != null) {
            get.setHeader("If-None-Match", conditional.ifNoneMatch());
        }
        if (conditional.ifModifiedSince() != null) {
            get.setHeader("If-Modified-Since", conditional.ifModifiedSince());
        }

        HttpClientContext context = HttpClientContext.create();
        context.setAttribute(POLICY, policy);
        context.setAttribute(DEADLINE, System.nanoTime() + policy.totalTimeout().toNanos());
        // The pool hands a connection only to a request with the same token, so a connection opened
        // under allowLoopback is never reused by a fetch that does not allow it.
        context.setUserToken(policy.allowLoopback() ? "loopback-allowed" : "public-only");

        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            timedOut.set(true);
            get.abort();
        }, policy.totalTimeout().toMillis(), TimeUnit.MILLISECONDS);

        CloseableHttpResponse response = null;
        boolean complete = false;
        try {
            response = client.execute(get, context);
            byte[] body = readCapped(response.getEntity(), policy.maxBytes(), host);
            FetchResult result = new FetchResult(response.getStatusLine().getStatusCode(),
                    keptHeaders(response), body, (InetAddress) context.getAttribute(REMOTE_ADDRESS));
            complete = true;
            return result;
        } catch (BlockedAddressException e) {
            throw new FetchException(Reason.BLOCKED_ADDRESS, e.getMessage(), FetchException.unreachable(host), null);
        } catch (IOException e) {
            if (timedOut.get() || e instanceof ResolutionTimeoutException) {
                throw network(Reason.TIMEOUT, "fetching from host " + host + " took longer than "
                        + policy.totalTimeout().toMillis() + " ms", host, e);
            }
            throw translate(e, host, policy);
        } finally {
            deadline.cancel(false);
            if (!complete) {
                // Abort before closing: closing would otherwise drain the rest of the body.
                get.abort();
            }
            if (response != null) {
                try {
                    response.close();
                } catch (IOException ignored) {
                    // the connection is discarded either way
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        deadlines.shutdownNow();
        resolutions.shutdownNow();
        client.close();
    }

    private static String checkUrl(URI uri, FetchPolicy policy) throws FetchException {
        if (uri == null || !uri.isAbsolute() || uri.isOpaque()) {
            throw new FetchException(Reason.BAD_URL, "the URL must be an absolute https URL");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            throw new FetchException(Reason.BAD_URL, "the URL must use https, not " + uri.getScheme());
        }
        if (uri.getRawUserInfo() != null) {
            throw new FetchException(Reason.BAD_URL, "the URL must not contain user info");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new FetchException(Reason.BAD_URL, "the URL has no valid host name");
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (!policy.permitsPort(port)) {
            throw new FetchException(Reason.BAD_URL, "port " + port + " of host " + host + " is not allowed");
        }
        return host;
    }

    /** Resolves once and refuses the whole answer if any address in it is not permitted. */
    private InetAddress[] resolveChecked(String host, FetchPolicy policy, long deadlineNanos) throws UnknownHostException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses = resolveBefore(name, deadlineNanos);
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(name);
        }
        for (InetAddress address : addresses) {
            AddressClassifier.Classification c = AddressClassifier.classify(address);
            if (!c.permitted(policy.allowLoopback())) {
                throw new BlockedAddressException("host " + name + " resolves to a special-use address ("
                        + c.range() + "); refusing to connect");
            }
        }
        return addresses.clone();
    }

    /** Cancels a lookup no one waits for and drops it from the queue, so dead tasks cannot fill it. */
    private void abandon(Future<InetAddress[]> answer) {
        answer.cancel(true);
        resolutions.purge();
    }

    /**
     * The resolver's answer, waited for until the fetch's deadline at most: the total deadline's
     * abort cannot stop a lookup blocked in the resolver, so a slow one would otherwise stretch the
     * fetch past it.
     */
    private InetAddress[] resolveBefore(String name, long deadlineNanos) throws UnknownHostException {
        Future<InetAddress[]> answer;
        try {
            answer = resolutions.submit(() -> resolver.resolve(name));
        } catch (RejectedExecutionException e) {
            throw withCause(new UnknownHostException(name + " (too many name resolutions pending)"), e);
        }
        try {
            return answer.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(answer);
            throw withCause(new ResolutionTimeoutException(name), e);
        } catch (InterruptedException e) {
            abandon(answer);
            Thread.currentThread().interrupt();
            throw withCause(new UnknownHostException(name), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownHostException unknown) {
                throw unknown;
            }
            throw withCause(new UnknownHostException(name), e.getCause());
        }
    }

    private static UnknownHostException withCause(UnknownHostException e, Throwable cause) {
        e.initCause(cause);
        return e;
    }

    private static byte[] readCapped(HttpEntity entity, int maxBytes, String host)
            throws IOException, FetchException {
        if (entity == null) {
            return new byte[0];
        }
        if (entity.getContentLength() > maxBytes) {
            throw tooLarge(host, maxBytes);
        }
        // Not closed on failure: the caller aborts the request instead of draining it.
        InputStream in = entity.getContent();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        // Ask for at most one byte beyond the cap, to tell "exactly maxBytes" from "too large".
        while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, maxBytes + 1L - total))) != -1) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge(host, maxBytes);
            }
            out.write(buffer, 0, n);
        }
        in.close();
        return out.toByteArray();
    }

    private static FetchException tooLarge(String host, int maxBytes) {
        return new FetchException(Reason.TOO_LARGE,
                "the response from host " + host + " is larger than " + maxBytes + " bytes");
    }

    private static Map<String, String> keptHeaders(HttpResponse response) {
        Map<String, String> kept = new HashMap<>();
        for (String name : FetchResult.KEPT_HEADERS) {
            Header[] values = response.getHeaders(name);
            if (values.length == 0) {
                continue;
            }
            if (name.equals("Cache-Control")) {
                // A list header: several field lines mean one comma-separated list.
                StringBuilder joined = new StringBuilder();
                for (Header h : values) {
                    joined.append(joined.length() == 0 ? "" : ", ").append(h.getValue());
                }
                kept.put(name, joined.toString());
            } else {
                kept.put(name, values[0].getValue());
            }
        }
        return kept;
    }

    private static FetchException translate(IOException e, String host, FetchPolicy policy) {
        if (e instanceof ConnectTimeoutException) {
            return network(Reason.TIMEOUT, "connecting to host " + host + " timed out after "
                    + policy.connectTimeout().toMillis() + " ms", host, e);
        }
        if (e instanceof SocketTimeoutException) {
            return network(Reason.TIMEOUT, "host " + host + " sent nothing for "
                    + policy.readTimeout().toMillis() + " ms", host, e);
        }
        if (e instanceof ConnectionPoolTimeoutException) {
            return network(Reason.TIMEOUT, "no connection to host " + host + " became available", host, e);
        }
        if (e instanceof SSLPeerUnverifiedException) {
            return network(Reason.TLS_FAILURE, "the TLS certificate of host " + host + " is not valid for that name", host, e);
        }
        if (e instanceof SSLException) {
            return network(Reason.TLS_FAILURE, "the TLS handshake with host " + host
                    + " failed (untrusted certificate or no common protocol)", host, e);
        }
        if (e instanceof UnknownHostException) {
            return network(Reason.DNS_FAILURE, "host " + host + " could not be resolved", host, e);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return network(Reason.CONNECT_FAILURE, "could not connect to host " + host, host, e);
        }
        if (e instanceof MessageConstraintException) {
            return new FetchException(Reason.TOO_LARGE, "the response headers from host " + host
                    + " exceed " + MAX_HEADER_COUNT + " fields or " + MAX_HEADER_LINE + " bytes per line", e);
        }
        if (e instanceof ClientProtocolException) {
            return network(Reason.IO, "host " + host + " sent an invalid HTTP response", host, e);
        }
        return network(Reason.IO, "I/O error while fetching from host " + host, host, e);
    }

    /**
     * A failure to reach the host: one public message whatever went wrong (name, address, connection,
     * TLS, time), so a caller cannot map the network behind Keycloak through the answers; the message
     * keeps the detail for events and logs.
     */
    private static FetchException network(Reason reason, String message, String host, Throwable cause) {
        return new FetchException(reason, message, FetchException.unreachable(host), cause);
    }

    private static int millis(Duration d) {
        return (int) d.toMillis(); // FetchPolicy keeps it within int range
    }

    /**
     * Thrown from name resolution, inside HttpClient, and unwrapped in fetch(). An
     * UnknownHostException because that is what a DnsResolver may throw.
     */
    private static final class BlockedAddressException extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        BlockedAddressException(String message) {
            super(message);
        }
    }

    /** Name resolution did not finish before the fetch's total deadline. */
    private static final class ResolutionTimeoutException extends UnknownHostException {
        private static final long serialVersionUID = 1L;

        ResolutionTimeoutException(String host) {
            super(host + " (name resolution did not finish before the deadline)");
        }
    }

    /**
     * Connects through a DnsResolver bound to the request's policy (HttpClient's resolver interface
     * sees only the host name, the operator sees the request context). Connection attempts go only
     * to the addresses that resolver checked.
     */
    private final class CheckingConnectionOperator implements HttpClientConnectionOperator {
        private final Lookup<ConnectionSocketFactory> registry;

        CheckingConnectionOperator(Lookup<ConnectionSocketFactory> registry) {
            this.registry = registry;
        }

        @Override
        public void connect(ManagedHttpClientConnection conn, HttpHost host, InetSocketAddress localAddress,
                int connectTimeout, SocketConfig socketConfig, HttpContext context) throws IOException {
            FetchPolicy policy = (FetchPolicy) Objects.requireNonNull(
                    context.getAttribute(POLICY), "no fetch policy in the request context");
            long deadline = (Long) Objects.requireNonNull(context.getAttribute(DEADLINE), "no deadline in the request context");
            new DefaultHttpClientConnectionOperator(registry, DefaultSchemePortResolver.INSTANCE,
                    name -> resolveChecked(name, policy, deadline))
                    .connect(conn, host, localAddress, connectTimeout, socketConfig, context);
        }

        @Override
        public void upgrade(ManagedHttpClientConnection conn, HttpHost host, HttpContext context) {
            // Only used to layer TLS over a proxy tunnel; this client never uses a proxy.
            throw new UnsupportedOperationException("proxies are not supported");
        }
    }

    /** Notes the peer address while the connection is certainly attached to the request. */
    private static final class RecordingRequestExecutor extends HttpRequestExecutor {
        @Override
        public HttpResponse execute(HttpRequest request, HttpClientConnection conn, HttpContext context)
                throws IOException, HttpException {
            if (conn instanceof HttpInetConnection) {
                context.setAttribute(REMOTE_ADDRESS, ((HttpInetConnection) conn).getRemoteAddress());
            }
            return super.execute(request, conn, context);
        }
    }
}
