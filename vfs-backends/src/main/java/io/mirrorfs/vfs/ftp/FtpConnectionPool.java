package io.mirrorfs.vfs.ftp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded pool of control connections to one FTP server, plus the transfers parked between
 * sequential reads.
 *
 * <p>Never more than {@code max} connections exist at once (idle, lent, parked or being opened).
 * A borrower takes an idle connection, else opens one while under the bound, else takes over the
 * longest-parked transfer (stopping it cleanly), else waits. A {@code 421} on connect lowers the
 * bound to the connections already open (the server's real per-client limit) for a while, and
 * with none open retries with exponential backoff until the deadline. Idle connections get a
 * {@code NOOP} every keep-alive interval; transfers parked longer than that are stopped. Open
 * happens lazily: creating the pool does no I/O. Thread-safe.
 */
final class FtpConnectionPool implements Closeable {

    /** Opens one logged-in connection. */
    interface Connector {
        /** Returns a new connection, or throws {@link TooManyConnectionsException} on {@code 421}. */
        FtpConnection connect() throws IOException;
    }

    private static final System.Logger LOG = System.getLogger(FtpConnectionPool.class.getName());
    /** How long a bound lowered by a {@code 421} stays lowered before the full bound is tried again. */
    private static final long CAP_RESET_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Transfers a single handle may keep parked (e.g. the cache's demand read plus its read-ahead). */
    static final int PARKED_PER_OWNER = 2;

    private final Connector connector;
    private final String display;
    private final int max;
    private final Duration waitLimit;
    private final Duration keepAlive;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<FtpConnection> idle = new ArrayDeque<>();
    /** Parked transfers in parking order (oldest first), with their owners. */
    private final LinkedHashMap<Transfer, Object> parked = new LinkedHashMap<>();
    private int live;
    private int cap;
    private long capLoweredAt;
    private boolean closed;
    private ScheduledExecutorService keepAliveTimer;

    /**
     * Creates an empty pool.
     *
     * @param max       the most connections at once
     * @param waitLimit how long {@link #borrow} waits for a connection before failing
     * @param keepAlive how long a connection may stay idle before a {@code NOOP}
     */
    FtpConnectionPool(Connector connector, String display, int max, Duration waitLimit, Duration keepAlive) {
        if (max < 1) {
            throw new IllegalArgumentException("max connections must be >= 1, got " + max);
        }
        this.connector = connector;
        this.display = display;
        this.max = max;
        this.cap = max;
        this.waitLimit = waitLimit;
        this.keepAlive = keepAlive;
    }

    /**
     * Returns a connection with no transfer running, for the caller's exclusive use until it
     * calls {@link #release} or {@link #discard}.
     *
     * @throws IOException if none became free within the wait limit, or connecting failed
     */
    FtpConnection borrow() throws IOException {
        long deadline = System.nanoTime() + waitLimit.toNanos();
        long backoffMillis = 50;
        while (true) {
            Transfer victim = null;
            boolean open = false;
            lock.lock();
            try {
                if (closed) {
                    throw new IOException(display + ": source closed");
                }
                if (cap < max && System.nanoTime() - capLoweredAt > CAP_RESET_NANOS) {
                    cap = max;
                }
                if (!idle.isEmpty()) {
                    return idle.pollLast();
                }
                if (live < cap) {
                    live++;
                    open = true;
                } else if (!parked.isEmpty()) {
                    Iterator<Transfer> oldest = parked.keySet().iterator();
                    victim = oldest.next();
                    oldest.remove();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IOException(display + ": no FTP connection became free within " + waitLimit.toMillis()
                                + " ms (" + live + " open, at most " + cap + ")");
                    }
                    changed.awaitNanos(left);
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(display + ": interrupted waiting for a connection");
            } finally {
                lock.unlock();
            }
            if (victim != null) {
                FtpConnection c = stop(victim);
                if (c != null) {
                    return c;
                }
                continue;
            }
            try {
                FtpConnection c = connector.connect();
                startKeepAlive();
                return c;
            } catch (TooManyConnectionsException e) {
                int others = lowerCap();
                if (others == 0) {
                    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis) > deadline) {
                        throw new IOException(display + ": server refuses connections: " + e.getMessage(), e);
                    }
                    LOG.log(Level.DEBUG, () -> display + ": 421 with no connection open; retrying");
                    sleep(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, 1000);
                }
            } catch (IOException | RuntimeException e) {
                forget();
                throw e;
            }
        }
    }

    /** Returns a healthy connection with no transfer running to the pool. */
    void release(FtpConnection c) {
        lock.lock();
        try {
            if (!closed) {
                idle.addLast(c);
                changed.signal();
                return;
            }
            live--;
        } finally {
            lock.unlock();
        }
        c.close();
    }

    /** Closes a connection in an unknown state and frees its place. */
    void discard(FtpConnection c) {
        c.abandon();
        forget();
    }

    /**
     * Parks {@code t} for {@code owner}'s next sequential read. If the owner already has
     * {@link #PARKED_PER_OWNER} transfers parked, its oldest is stopped.
     */
    void park(Object owner, Transfer t) {
        Transfer evicted = null;
        lock.lock();
        try {
            if (closed) {
                evicted = t;
            } else {
                t.markParked(System.nanoTime());
                int mine = 0;
                Transfer oldestMine = null;
                for (Map.Entry<Transfer, Object> e : parked.entrySet()) {
                    if (e.getValue() == owner) {
                        mine++;
                        oldestMine = oldestMine == null ? e.getKey() : oldestMine;
                    }
                }
                if (mine >= PARKED_PER_OWNER) {
                    parked.remove(oldestMine);
                    evicted = oldestMine;
                }
                parked.put(t, owner);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
        if (evicted != null) {
            FtpConnection c = stop(evicted);
            if (c != null) {
                release(c);
            }
        }
    }

    /**
     * Takes back {@code owner}'s parked transfer that is closest to {@code offset} without being
     * past it, at most {@code maxGap} bytes before it; null if there is none (any more).
     */
    Transfer reclaim(Object owner, long offset, long maxGap) {
        lock.lock();
        try {
            Transfer best = null;
            for (Map.Entry<Transfer, Object> e : parked.entrySet()) {
                long p = e.getKey().position();
                if (e.getValue() == owner && p <= offset && offset - p <= maxGap
                        && (best == null || p > best.position())) {
                    best = e.getKey();
                }
            }
            if (best != null) {
                parked.remove(best);
            }
            return best;
        } finally {
            lock.unlock();
        }
    }

    /** Stops every transfer {@code owner} has parked (its handle is closing). */
    void releaseOwner(Object owner) {
        List<Transfer> mine = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Map.Entry<Transfer, Object>> it = parked.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Transfer, Object> e = it.next();
                if (e.getValue() == owner) {
                    mine.add(e.getKey());
                    it.remove();
                }
            }
        } finally {
            lock.unlock();
        }
        for (Transfer t : mine) {
            FtpConnection c = stop(t);
            if (c != null) {
                release(c);
            }
        }
    }

    /** Returns the number of transfers parked between reads (for tests). */
    int parkedTransfers() {
        lock.lock();
        try {
            return parked.size();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the number of connections open or being opened (for tests and logs). */
    int liveConnections() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }

    /** Closes every idle connection and parked transfer; lent connections close when returned. */
    @Override
    public void close() {
        List<FtpConnection> toClose = new ArrayList<>();
        List<Transfer> toStop;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            toClose.addAll(idle);
            live -= idle.size();
            idle.clear();
            toStop = new ArrayList<>(parked.keySet());
            live -= parked.size();
            parked.clear();
            changed.signalAll();
            if (keepAliveTimer != null) {
                keepAliveTimer.shutdownNow();
            }
        } finally {
            lock.unlock();
        }
        for (Transfer t : toStop) {
            t.connection().abandon();
        }
        for (FtpConnection c : toClose) {
            c.close();
        }
    }

    /** Sends NOOP on connections idle longer than the keep-alive interval; stops stale parked transfers. */
    void keepAlive() {
        long now = System.nanoTime();
        long limit = keepAlive.toNanos();
        List<FtpConnection> due = new ArrayList<>();
        List<Transfer> stale = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<FtpConnection> it = idle.iterator(); it.hasNext(); ) {
                FtpConnection c = it.next();
                if (now - c.lastUsedNanos() >= limit) {
                    it.remove();
                    due.add(c);
                }
            }
            for (Iterator<Transfer> it = parked.keySet().iterator(); it.hasNext(); ) {
                Transfer t = it.next();
                if (now - t.parkedAtNanos() >= limit) {
                    it.remove();
                    stale.add(t);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Transfer t : stale) {
            FtpConnection c = stop(t);
            if (c != null) {
                release(c);
            }
        }
        for (FtpConnection c : due) {
            try {
                c.noop();
                release(c);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, () -> display + ": idle connection lost (" + e.getMessage() + "); it will be replaced");
                discard(c);
            }
        }
    }

    /** Stops a transfer; returns its connection if still usable, else discards it and returns null. */
    private FtpConnection stop(Transfer t) {
        try {
            t.finish();
            return t.connection();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> display + ": stopping a transfer broke its connection: " + e.getMessage());
            discard(t.connection());
            return null;
        }
    }

    private void forget() {
        lock.lock();
        try {
            live--;
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Gives up the place reserved for a refused connection; returns how many others are open. */
    private int lowerCap() {
        lock.lock();
        try {
            live--;
            if (live > 0 && live < cap) {
                cap = live;
                capLoweredAt = System.nanoTime();
                int now = cap;
                LOG.log(Level.INFO, () -> display + ": server allows fewer connections; using at most " + now);
            }
            changed.signal();
            return live;
        } finally {
            lock.unlock();
        }
    }

    private void startKeepAlive() {
        lock.lock();
        try {
            if (keepAliveTimer != null || closed) {
                return;
            }
            keepAliveTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mirrorfs-ftp-keepalive " + display);
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(1, keepAlive.toMillis() / 2);
            keepAliveTimer.scheduleWithFixedDelay(this::keepAliveQuietly, period, period, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void keepAliveQuietly() {
        try {
            keepAlive();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, display + ": keep-alive failed", e);
        }
    }

    private static void sleep(long millis) throws InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }
}
