package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.SourceOptions;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client of one source (Apache HttpClient 5, classic API) and the permits that cap its
 * transfers at {@code maxConnections}.
 *
 * <p>The client pools keep-alive connections per route, frames bodies, verifies TLS (default
 * trust store unless given another context, RFC 2818 host names), tries every address of a host
 * and routes through the proxies of the options. The permits stay ours: a read handle may keep a
 * response open between reads to continue a ranged body ({@link Parked}), and when every permit
 * is taken the oldest parked body is abandoned so that one idle file cannot starve the others;
 * the client's own pool would only make the next request wait. A permit is held from
 * {@link #lease} to {@link #release}; the client's pool has the same size, so it never waits.
 * Thread-safe.
 */
final class ConnectionPool implements Closeable {

    /** A lease kept between reads; {@link #evict} gives its permit back if still parked. */
    interface Parked {
        /** Closes the parked body and releases its lease; returns false if someone took it meanwhile. */
        boolean evict();
    }

    private final int maxConnections;
    private final long leaseWaitMs;
    private final Semaphore permits;
    private final Deque<Parked> parked = new ConcurrentLinkedDeque<>();
    /** Leases that found no free permit and had to wait (or evict a parked body), for the metrics. */
    private final LongAdder waits = new LongAdder();
    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient client;
    private volatile boolean closed;

    /**
     * Builds the client for {@code options} (timeouts, connection cap, proxies) with TLS from
     * {@code tls}, {@code proxyCredentials} for proxies that ask (407), and host names resolved
     * by {@code resolver}: a connection tries each address it returns in turn until one answers
     * (the client's connection operator), each within the connect timeout.
     */
    ConnectionPool(SourceOptions options, SSLContext tls, Map<HttpHost, BasicCredentials> proxyCredentials, DnsResolver resolver) {
        this.maxConnections = options.maxConnections();
        this.leaseWaitMs = options.connectTimeout().toMillis() + options.readTimeout().toMillis();
        this.permits = new Semaphore(maxConnections, true);
        Timeout connect = Timeout.ofMilliseconds(options.connectTimeout().toMillis());
        Timeout read = Timeout.ofMilliseconds(options.readTimeout().toMillis());
        this.connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setConnectionFactory(HeadGuardedConnection.factory(options.readTimeout()))
                .setDnsResolver(resolver)
                // LAX: no global pool lock per lease and release (measurably cheaper per request);
                // its looser total bound does not matter, our permits are the cap.
                .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .setTlsSocketStrategy(new DefaultClientTlsStrategy(tls))
                .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(connect).build())
                .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).setSoKeepAlive(true).setSoTimeout(read).build())
                // The socket timeout bounds silence; LowSpeedLimit (in Requester) bounds a trickle.
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(connect).setSocketTimeout(read).build())
                .build();
        BasicCredentialsProvider proxyAuth = new BasicCredentialsProvider();
        proxyCredentials.forEach((proxy, c) -> proxyAuth.setCredentials(new AuthScope(proxy),
                new UsernamePasswordCredentials(c.user(), c.password().toCharArray())));
        this.client = HttpClients.custom()
                .setConnectionManager(connections)
                .setRoutePlanner(new ProxyRoutePlanner(options.proxies()))
                .setRetryStrategy(new StaleConnectionRetry())
                // Only proxies get credentials from the client; the source's own Authorization is
                // added by Requester for its origin alone (see there).
                .setDefaultCredentialsProvider(proxyAuth)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.ofMilliseconds(leaseWaitMs))
                        .setRedirectsEnabled(false)
                        // Without proxy credentials there is nothing to authenticate with: skip
                        // the per-request challenge handling (a 401 or 407 is the caller's error).
                        .setAuthenticationEnabled(!proxyCredentials.isEmpty())
                        .build())
                .disableRedirectHandling()
                .disableContentCompression() // ranges are of the stored bytes, never of a gzip stream
                .disableCookieManagement()
                .disableConnectionState() // no per-user connections: every lease may reuse any socket
                .setUserAgent("mirrorfs/0.1")
                .setDefaultHeaders(List.of(new BasicHeader("Accept-Encoding", "identity")))
                .build();
    }

    /** Returns the client; requests through it must hold a lease. */
    CloseableHttpClient client() {
        return client;
    }

    /**
     * Takes one permit, evicting the oldest parked body when none is free.
     *
     * @throws IOException if no permit frees up within the connect plus read timeout
     */
    void lease(String what) throws IOException {
        if (closed) {
            throw new IOException("source closed");
        }
        if (permits.tryAcquire()) {
            return;
        }
        waits.increment();
        evictParked();
        try {
            if (!permits.tryAcquire(leaseWaitMs, TimeUnit.MILLISECONDS)) {
                throw new IOException("no connection to " + what + " became free within " + leaseWaitMs + " ms (all "
                        + maxConnections + " are busy)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a connection to " + what);
        }
    }

    /** Returns the connections the client holds now, leased or idle in its pool (for the metrics; not per request). */
    int openConnections() {
        try {
            org.apache.hc.core5.pool.PoolStats total = connections.getTotalStats();
            return total.getLeased() + total.getAvailable();
        } catch (RuntimeException e) {
            return 0; // a scrape racing close: the pool is gone
        }
    }

    /** Returns how many leases had to wait for a permit since the start. */
    long waits() {
        return waits.sum();
    }

    /** Gives a permit back. */
    void release() {
        permits.release();
    }

    /** Registers a lease kept between reads, which may be evicted when permits run out. */
    void park(Parked p) {
        parked.add(p);
    }

    /** Forgets a parked lease that its owner took back or closed. */
    void unpark(Parked p) {
        parked.remove(p);
    }

    private void evictParked() {
        Parked p;
        while ((p = parked.poll()) != null) {
            if (p.evict()) {
                return;
            }
        }
    }

    /** Closes parked bodies and idle connections; responses still out fail. */
    @Override
    public void close() {
        closed = true;
        Parked p;
        while ((p = parked.poll()) != null) {
            p.evict();
        }
        client.close(CloseMode.IMMEDIATE);
    }
}
