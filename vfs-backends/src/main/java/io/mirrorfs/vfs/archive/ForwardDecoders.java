package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live {@link DecodeWindow}s of one archive layer: at most {@code maxLive} at once over every
 * archive and handle (each holds a decoder's dictionary and up to {@link DecodeWindow#CAPACITY}
 * decoded bytes), the least recently used closed first; the threads that decode ahead of
 * sequential readers; and the counters of {@link DecoderStats}. Thread-safe.
 */
final class ForwardDecoders implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ForwardDecoders.class.getName());
    /** Live windows over the whole layer: 8 x (a dictionary + 6.25 MiB), as the idle decoders were bounded before. */
    static final int MAX_LIVE = 8;

    private final int maxLive;
    private final LinkedHashSet<DecodeWindow> live = new LinkedHashSet<>(); // guarded by itself, least recently used first
    private final ExecutorService ahead;
    final LongAdder starts = new LongAdder();
    final LongAdder decoded = new LongAdder();
    final LongAdder decodedAhead = new LongAdder();

    /** Creates a pool of at most {@code maxLive} windows decoding ahead on {@code threads} daemon threads. */
    ForwardDecoders(int maxLive, int threads) {
        this.maxLive = maxLive;
        AtomicInteger n = new AtomicInteger();
        this.ahead = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mirrorfs-decode-ahead-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates the layer's pool: {@link #MAX_LIVE} windows, two read-ahead threads. */
    static ForwardDecoders standard() {
        return new ForwardDecoders(MAX_LIVE, 2);
    }

    /** Opens a window over a new decoder from {@code factory} for a read at {@code target} of data ending at {@code limit}. */
    DecodeWindow open(DecodedCursor.Factory factory, long target, long limit) throws IOException {
        DecodeWindow w = new DecodeWindow(factory.open(target), limit, this);
        starts.increment();
        DecodeWindow evicted = null;
        synchronized (live) {
            live.add(w);
            if (live.size() > maxLive) {
                Iterator<DecodeWindow> oldest = live.iterator();
                evicted = oldest.next();
                oldest.remove();
            }
        }
        if (evicted != null) {
            evicted.close(); // its readers find it closed and open another
        }
        return w;
    }

    /** Marks {@code w} as just used. */
    void touch(DecodeWindow w) {
        synchronized (live) {
            if (live.remove(w)) {
                live.add(w);
            }
        }
    }

    /** Forgets {@code w}, which its owner closed. */
    void closed(DecodeWindow w) {
        synchronized (live) {
            live.remove(w);
        }
    }

    /** Returns the windows open now; for tests. */
    int liveCount() {
        synchronized (live) {
            return live.size();
        }
    }

    /** Runs {@code task} on a read-ahead thread; false if the pool is shut down. */
    boolean submit(Runnable task) {
        try {
            ahead.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Returns the counters. */
    DecoderStats stats() {
        return new DecoderStats(starts.sum(), decoded.sum(), decodedAhead.sum());
    }

    /** Stops the read-ahead threads and closes every window. */
    @Override
    public void close() {
        ahead.shutdownNow();
        DecodeWindow[] all;
        synchronized (live) {
            all = live.toArray(new DecodeWindow[0]);
            live.clear();
        }
        for (DecodeWindow w : all) {
            try {
                w.close();
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "closing a decoder: " + e);
            }
        }
    }
}
