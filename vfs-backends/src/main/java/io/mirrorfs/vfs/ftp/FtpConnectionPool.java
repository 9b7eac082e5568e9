package io.mirrorfs.vfs.ftp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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
 * A borrower takes an idle connection, else opens one while under the bound, else takes over a
 * parked transfer that is not protected (stopping it cleanly), else waits in line. A {@code 421}
 * on connect lowers the bound to the connections already open (the server's real per-client
 * limit) for a while, and with none open retries with exponential backoff until the deadline.
 * Idle connections get a {@code NOOP} every keep-alive interval; transfers parked longer than
 * that are stopped. Open happens lazily: creating the pool does no I/O. Thread-safe.
 *
 * <p>Sharing with more streams than connections: a reader parks its transfer between blocks and
 * is back for the next one within milliseconds, and restarting a transfer costs a {@code REST} +
 * {@code RETR} round trip, a new data connection and the bytes the server had already pushed into
 * the socket buffers. Taking over the longest-parked transfer whenever a borrower found no idle
 * connection stopped every stream before its owner came back once readers outnumbered
 * connections: eight readers of a mount over four connections cost about one {@code RETR} per
 * 1 MiB block. So a connection is leased: from a transfer's {@code RETR} until it has delivered
 * {@link #LEASE_BYTES} or {@link #LEASE_NANOS} have passed. While the lease runs, the parked
 * transfer is protected for {@link #QUANTUM_NANOS} after each park (its owner's next read is on
 * its way; an owner that does not come back in time loses it). A transfer whose lease ran out is
 * stopped when it is parked while someone waits, and its connection goes to the first in line;
 * while no one waits it keeps streaming.
 *
 * <p>Borrowers that must wait are served in arrival order: only the first in line takes an idle
 * connection, opens one or takes over an unprotected transfer (its owner's own first, then one of
 * an owner with more than one parked, then the longest-parked), so an owner whose transfer was
 * just stopped queues behind those already waiting. A borrower anywhere in line may replace a
 * transfer of its own owner whose lease still runs (the cache's demand read and read-ahead of one
 * handle at different offsets), and the replacement continues that lease: an owner cannot keep a
 * connection from the others by renewing it. So the first in line gets a connection within about
 * one lease plus one read, however continuously the others stream, and the line moves on by a
 * connection per lease or sooner: for any sensible number of readers, well within the read
 * timeout. The wait limit bounds every wait all the same.
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
    /** Bytes after which a transfer's lease runs out (see the class comment): 32 blocks of the cache. */
    static final long LEASE_BYTES = 32L << 20;
    /** Time after its {@code RETR} after which a transfer's lease runs out, whatever it delivered. */
    static final long LEASE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** How long a parked transfer whose lease runs is protected from other borrowers after each park. */
    static final long QUANTUM_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

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
    /** Borrowers waiting for a connection, first come first served (one ticket each). */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    /** Lent connections whose next transfer continues the lease of the one its owner replaced. */
    private final Map<FtpConnection, Transfer> leaseOf = new HashMap<>();
    private int live;
    private int cap;
    private long capLoweredAt;
    private boolean closed;
    private ScheduledExecutorService keepAliveTimer;
    /** Borrowers that had to queue for a connection (counted once per borrow). */
    private final java.util.concurrent.atomic.LongAdder waits = new java.util.concurrent.atomic.LongAdder();

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
        return borrow(null);
    }

    /**
     * As {@link #borrow()} for {@code owner} (a handle that parks transfers, or null): the owner's
     * own parked transfers may be replaced without waiting in line (see the class comment).
     */
    FtpConnection borrow(Object owner) throws IOException {
        long deadline = System.nanoTime() + waitLimit.toNanos();
        long backoffMillis = 50;
        Object ticket = new Object();
        boolean queued = false;
        try {
            while (true) {
                Transfer victim = null;
                boolean open = false;
                boolean replacingOwn = false;
                lock.lock();
                try {
                    if (closed) {
                        throw new IOException(display + ": source closed");
                    }
                    long now = System.nanoTime();
                    if (cap < max && now - capLoweredAt > CAP_RESET_NANOS) {
                        cap = max;
                    }
                    // Only the first in line may take what is free: a borrower arriving later
                    // (such as an owner whose transfer was just stopped for the first) queues.
                    // Anyone may replace a transfer of its own owner: that takes nothing from others.
                    if (waiting.isEmpty() || waiting.peekFirst() == ticket) {
                        if (!idle.isEmpty()) {
                            leave(ticket);
                            queued = false;
                            return idle.pollLast();
                        }
                        if (live < cap) {
                            live++;
                            open = true;
                        } else {
                            victim = victim(owner, now);
                        }
                    } else {
                        victim = own(owner, now);
                        replacingOwn = victim != null;
                    }
                    if (victim != null) {
                        parked.remove(victim);
                    }
                    if (open || victim != null) {
                        leave(ticket);
                        queued = false;
                    } else {
                        if (!queued) {
                            waiting.addLast(ticket);
                            queued = true;
                            waits.increment();
                        }
                        long left = deadline - now;
                        if (left <= 0) {
                            throw new IOException(display + ": no FTP connection became free within " + waitLimit.toMillis()
                                    + " ms (" + live + " open, at most " + cap + ", " + parked.size() + " parked transfers, "
                                    + waiting.size() + " waiting)");
                        }
                        changed.awaitNanos(Math.min(left, untilUnprotected(now)));
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
                        if (replacingOwn) {
                            continueLease(c, victim);
                        }
                        return c;
                    }
                    // Its connection broke and was discarded, which frees a place: back to where
                    // the borrower was in line (first, unless it had replaced its own).
                    queued = requeue(ticket, !replacingOwn);
                    continue;
                }
                try {
                    FtpConnection c = connector.connect();
                    startKeepAlive();
                    return c;
                } catch (TooManyConnectionsException e) {
                    int others = lowerCap();
                    queued = requeue(ticket, true);
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
        } finally {
            if (queued) {
                lock.lock();
                try {
                    leave(ticket);
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Returns the parked transfer a borrower for {@code owner} may take over, or null: one not
     * protected, the owner's own first, then one of an owner with more than one parked, then the
     * longest-parked; failing those, the older transfer of an owner with more than one parked
     * (one stream per owner is protected, not two, while others wait); failing that, the owner's
     * own (it protects a transfer from others, not from its owner, who needs a new one now, which
     * is cheaper than waiting for another owner's lease). The caller holds the lock.
     */
    private Transfer victim(Object owner, long now) {
        Map<Object, Integer> perOwner = new HashMap<>();
        for (Object o : parked.values()) {
            perOwner.merge(o, 1, Integer::sum);
        }
        Transfer best = null;
        int bestRank = Integer.MAX_VALUE;
        Map<Object, Integer> seen = new HashMap<>();
        for (Map.Entry<Transfer, Object> e : parked.entrySet()) {
            Transfer t = e.getKey();
            Object o = e.getValue();
            int count = perOwner.get(o);
            boolean newestOfOwner = seen.merge(o, 1, Integer::sum) == count;
            boolean own = owner != null && o == owner;
            int rank;
            if (!isProtected(t, now)) {
                rank = own ? 0 : count > 1 ? 1 : 2;
            } else if (!newestOfOwner) {
                rank = 3;
            } else if (own) {
                rank = 4;
            } else {
                continue;
            }
            if (rank < bestRank) {
                best = t;
                bestRank = rank;
            }
        }
        return best;
    }

    /**
     * Returns {@code owner}'s parked transfer that a borrower behind others in line may replace
     * (an unprotected one first), or null. Only while its lease runs: a lease that ran out goes
     * to the first in line, and the replacement continues the lease (see {@link #continueLease}),
     * so an owner cannot keep a connection from others by replacing its own transfers. The caller
     * holds the lock.
     */
    private Transfer own(Object owner, long now) {
        if (owner == null) {
            return null;
        }
        Transfer best = null;
        for (Map.Entry<Transfer, Object> e : parked.entrySet()) {
            Transfer t = e.getKey();
            if (e.getValue() == owner && !leaseOver(t, now) && (best == null || isProtected(best, now) && !isProtected(t, now))) {
                best = t;
            }
        }
        return best;
    }

    /** Makes the next transfer on {@code c} continue the lease of {@code replaced}, which ran on it. */
    private void continueLease(FtpConnection c, Transfer replaced) {
        lock.lock();
        try {
            leaseOf.put(c, replaced);
        } finally {
            lock.unlock();
        }
    }

    /** Returns whether other borrowers must leave parked {@code t} to its owner for now. */
    private static boolean isProtected(Transfer t, long now) {
        return protectedUntil(t) - now > 0;
    }

    /** Returns until when ({@link System#nanoTime()}) parked {@code t} is protected; in the past if not. */
    private static long protectedUntil(Transfer t) {
        if (t.leaseBytes() >= LEASE_BYTES) {
            return t.parkedAtNanos() - 1;
        }
        long quantumEnd = t.parkedAtNanos() + QUANTUM_NANOS;
        long leaseEnd = t.leaseStartedAtNanos() + LEASE_NANOS;
        return quantumEnd - leaseEnd < 0 ? quantumEnd : leaseEnd;
    }

    /** Returns whether {@code t}'s lease ran out: its next park while someone waits stops it. */
    private static boolean leaseOver(Transfer t, long now) {
        return t.leaseBytes() >= LEASE_BYTES || now - t.leaseStartedAtNanos() >= LEASE_NANOS;
    }

    /** Returns how long until the next parked transfer loses its protection (a waiter then looks again). */
    private long untilUnprotected(long now) {
        long wait = Long.MAX_VALUE;
        for (Transfer t : parked.keySet()) {
            long left = protectedUntil(t) - now;
            if (left > 0) {
                wait = Math.min(wait, left + TimeUnit.MICROSECONDS.toNanos(200));
            }
        }
        return wait;
    }

    /** Takes {@code ticket} out of the line (if in it) and lets the next in line look. The caller holds the lock. */
    private void leave(Object ticket) {
        if (waiting.remove(ticket)) {
            changed.signalAll();
        }
    }

    /** Puts {@code ticket} back in line, first or last (its borrower lost what it had taken); returns true. */
    private boolean requeue(Object ticket, boolean first) {
        lock.lock();
        try {
            waiting.remove(ticket);
            if (first) {
                waiting.addFirst(ticket);
            } else {
                waiting.addLast(ticket);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Returns a healthy connection with no transfer running to the pool. */
    void release(FtpConnection c) {
        lock.lock();
        try {
            leaseOf.remove(c);
            if (!closed) {
                idle.addLast(c);
                changed.signalAll();
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
        lock.lock();
        try {
            leaseOf.remove(c);
        } finally {
            lock.unlock();
        }
        forget();
    }

    /**
     * Parks {@code t} for {@code owner}'s next sequential read. If the owner already has
     * {@link #PARKED_PER_OWNER} transfers parked, its oldest is stopped. If {@code t}'s lease ran
     * out and a borrower is waiting, {@code t} is stopped instead and its connection goes to the
     * first in line.
     */
    void park(Object owner, Transfer t) {
        Transfer evicted = null;
        Transfer handedOver = null;
        lock.lock();
        try {
            long now = System.nanoTime();
            Transfer replaced = leaseOf.remove(t.connection());
            if (replaced != null) {
                t.continueLease(replaced);
            }
            if (closed) {
                evicted = t;
            } else if (!waiting.isEmpty() && leaseOver(t, now)) {
                handedOver = t;
            } else {
                t.markParked(now);
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
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        for (Transfer s : new Transfer[] {evicted, handedOver}) {
            if (s != null) {
                FtpConnection c = stop(s);
                if (c != null) {
                    release(c);
                }
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

    /**
     * Returns whether {@code owner} parked a transfer less than {@code graceNanos} ago that stands
     * before {@code offset}, at most {@code window} before it (another read of the owner is likely
     * to carry it on towards {@code offset}), while a new transfer would have to wait or take one
     * over: no connection idle and none to open.
     */
    boolean parkedRecentlyBefore(Object owner, long offset, long window, long graceNanos) {
        lock.lock();
        try {
            if (!idle.isEmpty() || live < cap) {
                return false;
            }
            long now = System.nanoTime();
            for (Map.Entry<Transfer, Object> e : parked.entrySet()) {
                long p = e.getKey().position();
                if (e.getValue() == owner && p < offset && offset - p <= window && now - e.getKey().parkedAtNanos() < graceNanos) {
                    return true;
                }
            }
            return false;
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

    /** Returns how many borrowers had to queue for a connection since the pool was created. */
    long waits() {
        return waits.sum();
    }

    /** Returns the number of connections open or being opened (for tests, logs and metrics). */
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
            changed.signalAll();
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
            changed.signalAll();
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
