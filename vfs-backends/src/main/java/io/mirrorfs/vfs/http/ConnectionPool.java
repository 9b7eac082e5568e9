package io.mirrorfs.vfs.http;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;

/**
 * Keep-alive connections of one source, at most {@code maxConnections} leased at a time.
 *
 * <p>A lease holds a permit from {@link #lease} until {@link #giveBack}; idle connections wait in
 * a per-origin stack (most recently used first, so the warmest socket is reused). A read handle
 * may keep a lease between reads to continue a ranged body ({@link Parked}); when every permit
 * is taken, the oldest parked body is abandoned so that one idle file cannot starve the others.
 * Thread-safe.
 */
final class ConnectionPool implements Closeable {

    /** A leased connection kept between reads; {@link #evict} gives its permit back if still parked. */
    interface Parked {
        /** Closes the parked body and releases its lease; returns false if someone took it meanwhile. */
        boolean evict();
    }

    private final int maxIdle;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final SSLSocketFactory tls;
    private final Semaphore permits;
    private final Map<Origin, Deque<HttpConnection>> idle = new ConcurrentHashMap<>();
    private final Deque<Parked> parked = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    ConnectionPool(int maxConnections, Duration connectTimeout, Duration readTimeout, SSLSocketFactory tls) {
        this.maxIdle = maxConnections;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.tls = tls;
        this.permits = new Semaphore(maxConnections, true);
    }

    /**
     * Returns a connection to {@code origin} (an idle one when possible), holding one permit.
     *
     * @throws IOException if no permit frees up within the connect plus read timeout, or the
     *                     connection cannot be opened
     */
    HttpConnection lease(Origin origin) throws IOException {
        acquirePermit(origin);
        try {
            HttpConnection c = takeIdle(origin);
            return c != null ? c : open(origin);
        } catch (IOException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Returns a new connection to {@code origin} for a lease already held (after a stale keep-alive). */
    HttpConnection open(Origin origin) throws IOException {
        if (closed) {
            throw new IOException("source closed");
        }
        return HttpConnection.open(origin, tls, connectTimeout, readTimeout);
    }

    /** Ends a lease: keeps {@code c} for reuse when {@code reusable}, else closes it. */
    void giveBack(HttpConnection c, boolean reusable) {
        try {
            if (reusable && !closed && c.reusable()) {
                Deque<HttpConnection> d = idle.computeIfAbsent(c.origin(), o -> new ConcurrentLinkedDeque<>());
                d.push(c);
                while (d.size() > maxIdle) {
                    HttpConnection old = d.pollLast();
                    if (old != null) {
                        old.close();
                    }
                }
            } else {
                c.close();
            }
        } finally {
            permits.release();
        }
    }

    /** Registers a lease kept between reads, which may be evicted when permits run out. */
    void park(Parked p) {
        parked.add(p);
    }

    /** Forgets a parked lease that its owner took back or closed. */
    void unpark(Parked p) {
        parked.remove(p);
    }

    private void acquirePermit(Origin origin) throws IOException {
        if (permits.tryAcquire()) {
            return;
        }
        evictParked();
        try {
            long waitMs = connectTimeout.toMillis() + readTimeout.toMillis();
            if (!permits.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                throw new IOException("no connection to " + origin + " became free within " + waitMs + " ms (all "
                        + maxIdle + " are busy)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for a connection to " + origin);
        }
    }

    private void evictParked() {
        Parked p;
        while ((p = parked.poll()) != null) {
            if (p.evict()) {
                return;
            }
        }
    }

    private HttpConnection takeIdle(Origin origin) {
        Deque<HttpConnection> d = idle.get(origin);
        if (d == null) {
            return null;
        }
        HttpConnection c;
        while ((c = d.poll()) != null) {
            if (c.reusable()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    /** Closes idle and parked connections; leases still out are closed when given back. */
    @Override
    public void close() {
        closed = true;
        evictAllParked();
        for (Deque<HttpConnection> d : idle.values()) {
            HttpConnection c;
            while ((c = d.poll()) != null) {
                c.close();
            }
        }
    }

    private void evictAllParked() {
        Parked p;
        while ((p = parked.poll()) != null) {
            p.evict();
        }
    }
}
