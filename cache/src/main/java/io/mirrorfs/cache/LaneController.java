package io.mirrorfs.cache;

import java.util.function.LongSupplier;

/**
 * Decides how many connections ("lanes") a sequential reader's read-ahead uses at once, and how
 * many blocks each lane asks for in one request (its stripe), from what the reader's fetches
 * show: their durations and the time the reader spent waiting for them.
 *
 * <p>Why: over a link with round trip R, one connection carries at most its window per R (a
 * 4 MiB TCP window over 80 ms is 50 MiB/s), so one stream cannot fill a faster link; and each
 * request costs R before its first byte. So a reader that keeps waiting for blocks that are slow
 * to come (a block fetch slower than {@link #SLOW_FETCH_NANOS}: a link, not loopback, where one
 * connection already outruns the kernel's reader) gets {@link #GROWTH} times the lanes, up to the source's
 * connections, unless the last doubling lowered the fetched throughput below {@link #LOSS} of
 * what it was: that doubling is taken back and the count is kept from then on (a server that
 * refuses or slows extra connections). Why not "keep a doubling only if it gains": measured
 * through the WAN emulator, throughput over an epoch of a few blocks varies by 2-5x (stripes
 * complete in bursts), and requiring a gain of 15% stopped at 4 lanes where 8 filled the link;
 * a lane that brings nothing costs a connection and its stripe of memory, both bounded. On
 * loopback the reader is never both starved and slow, so it keeps one lane: the single stream
 * it always had.
 *
 * <p>A stripe is long enough that the round trip before each request costs at most a fifth of
 * the lane's time: {@code 4 x R x C} bytes for a lane running at C, R estimated as the first
 * block of a stripe's fetch time less the other blocks' (which come from the open body), within
 * {@link #MIN_STRIPE} to {@link #MAX_STRIPE} blocks and the memory bound given.
 *
 * <p>Time comes from the injected clock. Thread-safe: guarded by this object.
 */
final class LaneController {

    /** A block fetch slower than this is a link's: 1 MiB in 4 ms is 250 MiB/s on one connection. */
    static final long SLOW_FETCH_NANOS = 4_000_000;
    /** A doubling of the lanes that leaves less than this share of the throughput is taken back. */
    static final double LOSS = 0.7;
    static final int MIN_STRIPE = 4;
    static final int MAX_STRIPE = 32;
    /**
     * The stripe before a round trip is measured: 16 blocks. Why not the minimum: the first
     * doubling is judged with it, and over 80 ms at 50 MiB/s a 4-block stripe spends as long on
     * its round trip as on its bytes, so two lanes would bring no more than one stream and the
     * doubling would be taken back for good.
     */
    static final int DEFAULT_STRIPE = 16;
    /** Blocks fetched at least per judgement, so that a new lane's first round trip is in it. */
    static final int MIN_EPOCH_BLOCKS = 4;
    /**
     * How much the lanes grow per judgement. Why not doubling: each step waits for a judgement
     * and a new lane's first stripe (a connection, a request: 2-3 round trips), and through the
     * WAN emulator at 80 ms the ramp 1, 2, 4, 8 took the first 64 MiB of a read at 12-16 MiB/s.
     */
    static final int GROWTH = 4;

    private final int maxLanes;
    private final int maxDepthBlocks;
    private final LongSupplier clock;
    private int lanes = 1;
    private int stripe = DEFAULT_STRIPE;
    private int baseLanes = 1;
    private double baseRate;
    private boolean settled;
    private long epochStart;
    private long epochBytes;
    private int epochBlocks;
    private long epochNanos;
    private long epochWait;
    private long firstNanos;
    private int firstCount;
    private long restNanos;
    private int restCount;

    /**
     * @param maxLanes       the most lanes (the source's connections)
     * @param maxDepthBlocks the most blocks all lanes together may hold ahead (memory)
     * @param clock          nanoseconds, {@link System#nanoTime} in production
     */
    LaneController(int maxLanes, int maxDepthBlocks, LongSupplier clock) {
        this.maxLanes = Math.max(1, maxLanes);
        this.maxDepthBlocks = Math.max(MIN_STRIPE, maxDepthBlocks);
        this.clock = clock;
        this.epochStart = clock.getAsLong();
    }

    /** Returns how many lanes to use now: 1 until a slow link starves the reader. */
    synchronized int lanes() {
        return lanes;
    }

    /** Returns the blocks one lane asks for in one request. */
    synchronized int stripeBlocks() {
        return stripe;
    }

    /** Notes that the reader waited {@code nanos} for a block being fetched ahead. */
    synchronized void readerWaited(long nanos) {
        epochWait += nanos;
    }

    /** The kinds of block fetch, for the round-trip estimate. */
    enum Fetch {
        /** Fetched by the single lane's stream (no stripes): counts for throughput only. */
        STREAM,
        /** The first block of a stripe: its time includes the request's round trip. */
        STRIPE_START,
        /** A later block of a stripe, from the open body. */
        STRIPE_REST
    }

    /** Notes a block of {@code bytes} fetched ahead in {@code nanos}. */
    synchronized void fetched(int bytes, long nanos, Fetch kind) {
        epochBytes += bytes;
        epochBlocks++;
        epochNanos += nanos;
        if (kind == Fetch.STRIPE_START) {
            firstNanos += nanos;
            firstCount++;
        } else if (kind == Fetch.STRIPE_REST) {
            restNanos += nanos;
            restCount++;
        }
        if (epochBlocks >= Math.max(MIN_EPOCH_BLOCKS, 2 * lanes)) {
            judge(clock.getAsLong());
        }
    }

    private void judge(long now) {
        long span = Math.max(1, now - epochStart);
        double rate = epochBytes / (double) span;
        boolean starved = epochWait * 5 > span;
        boolean slow = epochNanos / epochBlocks > SLOW_FETCH_NANOS;
        stripe = stripeFor(lanes);
        if (lanes != baseLanes && rate < baseRate * LOSS) {
            lanes = baseLanes; // more connections brought fewer bytes: the server is past its limit
            settled = true;
        } else {
            baseLanes = lanes;
            baseRate = rate;
            if (!settled && starved && slow && lanes < maxLanes) {
                lanes = Math.min(maxLanes, lanes * GROWTH);
                stripe = stripeFor(lanes);
            }
        }
        epochStart = now;
        epochBytes = 0;
        epochBlocks = 0;
        epochWait = 0;
        epochNanos = 0;
    }

    /** The stripe for {@code n} lanes: 4 round trips' worth of a lane's bytes, within bounds and memory (two stripes a lane). */
    private int stripeFor(int n) {
        int byRoundTrip = DEFAULT_STRIPE;
        if (firstCount > 0 && restCount > 0) {
            double first = firstNanos / (double) firstCount;
            double rest = Math.max(1, restNanos / (double) restCount);
            // R / (time per block) blocks arrive during one round trip; four of those per request.
            byRoundTrip = (int) Math.ceil(4 * Math.max(0, first - rest) / rest);
        }
        int byMemory = Math.max(1, maxDepthBlocks / (2 * n)); // two stripes per lane: see CachedFile
        return Math.max(1, Math.min(byMemory, Math.max(MIN_STRIPE, Math.min(MAX_STRIPE, byRoundTrip))));
    }
}
