package io.mirrorfs.cache;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * An open file of a {@link CachingVfs}: reads are served from cached ranges of the version
 * pinned at open; the upstream file is opened only on the first miss, so data already in memory
 * or on disk is readable while the source is down.
 *
 * <p>Fetch size follows the access pattern. Sequential handles fetch whole blocks and, after two
 * near reads in a row, the next {@link CacheConfig#readAheadBlocks} blocks on the read-ahead
 * executor. Random handles fetch {@link CacheConfig#randomFetchSize} ranges (64 KiB by default),
 * unless a whole block is already cached: a random 4 KiB read then costs a 64 KiB upstream
 * transfer (16x) instead of a 1 MiB one (256x), at a latency close to the 4 KiB one.
 *
 * <p>A read that names its reader's end ({@link #readWithin}: the archive layer reading one
 * member out of an archive file) is fetched ahead only up to the block holding that end, and the
 * end is passed on with the upstream fetches it causes (rounded up to the block fetched), so an
 * HTTP source does not grow its request past it either. Reads without one (FUSE reading a plain
 * file) fetch ahead as above.
 *
 * <p>Over a long link one upstream stream cannot keep up (one connection carries a TCP window
 * per round trip); when {@link LaneController} says so, read-ahead is spread over several lanes,
 * each an upstream handle of its own that fetches a stripe of consecutive blocks in one request
 * (advised with {@link VfsFile#adviseSequential}, bounded by the stripe's end), with two stripes
 * per lane queued ahead. With one lane (always on loopback) read-ahead is the single in-order
 * stream described above.
 *
 * <p>Thread-safe: FUSE reads arrive in parallel and out of order.
 */
final class CachedFile implements VfsFile, ZeroCopyReadable {

    /** The reader's end of reads that name none. */
    private static final long NO_END = Long.MAX_VALUE;

    private final CachingVfs owner;
    private final VfsPath path;
    private final FileAttrs attrs;
    private final BlockCache cache;
    private final int blockSize;
    private final int smallSize;
    private final int readAhead;
    private final AccessPattern pattern;
    private final PinnedBlocks pins;
    private final Object upstreamLock = new Object();
    private VfsFile upstream; // guarded by upstreamLock
    /** The upstream handles of lanes 1.. (lane 0 is {@link #upstream}); guarded by upstreamLock. */
    private final VfsFile[] laneFiles;
    private long readAheadIssuedTo = -1; // block index; guarded by this
    private final LaneController control;
    /** Nanoseconds, from the cache's ticker (fake in tests). */
    private final java.util.function.LongSupplier clock;
    /** Per lane: read-ahead blocks waiting for that lane's one task; guarded by this. */
    private final List<ArrayDeque<ReadAheadJob>> readAheadQueues = new ArrayList<>();
    /** Per lane: whether its task runs; guarded by this. */
    private final boolean[] readAheadRunning;
    /** Per lane: a job of it is being fetched now (by {@link #drainQueue}); guarded by this. */
    private final boolean[] laneFetching;
    /** Per lane: the offset after its last fetch, where its open request continues; guarded by this. */
    private final long[] laneNext;

    /**
     * One block to fetch ahead, the pinned future its reader may be waiting on, that reader's end,
     * the lane fetching it and the end to pass upstream (the stripe's end with several lanes).
     */
    private record ReadAheadJob(BlockKey key, CompletableFuture<Block> future, long readerEnd, int lane, long fetchEnd) {
    }
    private volatile boolean closed;

    CachedFile(CachingVfs owner, VfsPath path, FileAttrs attrs) {
        this.owner = owner;
        this.path = path;
        this.attrs = attrs;
        this.cache = owner.cache();
        CacheConfig config = cache.config();
        this.blockSize = config.blockSize();
        this.smallSize = config.randomFetchSize();
        this.readAhead = config.readAheadBlocks();
        this.pattern = new AccessPattern(2L * blockSize);
        // Several lanes may hold up to half the pinned budget ahead of one reader (other handles
        // keep the rest); the budget itself still bounds every pin.
        int maxDepth = (int) Math.max(readAhead, config.pinnedBytes() / blockSize / 2);
        int maxLanes = readAhead > 0 ? owner.connections() : 1;
        this.clock = cache.ticker()::read;
        this.control = new LaneController(maxLanes, maxDepth, clock);
        this.pins = new PinnedBlocks(cache, readAhead + 2); // grows with the lanes, see scheduleReadAhead
        this.laneFiles = new VfsFile[maxLanes];
        this.readAheadRunning = new boolean[maxLanes];
        this.laneFetching = new boolean[maxLanes];
        this.laneNext = new long[maxLanes];
        for (int i = 0; i < maxLanes; i++) {
            readAheadQueues.add(new ArrayDeque<>());
        }
    }

    @Override
    public FileAttrs attrs() {
        return attrs;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return readWithin(offset, dst, NO_END);
    }

    @Override
    public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        int start = dst.position();
        return read(offset, dst.remaining(), (dstOffset, src, srcOffset, length) -> dst.put(start + dstOffset, src, srcOffset, length)
                .position(start + dstOffset + length), readerEnd);
    }

    @Override
    public int read(long offset, int length, ByteSink sink) throws IOException {
        return read(offset, length, sink, NO_END);
    }

    private int read(long offset, int length, ByteSink sink, long readerEnd) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative offset or length: " + offset + ", " + length);
        }
        long size = attrs.size();
        if (offset >= size) {
            return -1;
        }
        int want = (int) Math.min(length, size - offset);
        int streak = pattern.record(offset, want);
        int done = 0;
        while (done < want) {
            long pos = offset + done;
            Block b = blockAt(pos, streak > 0, readerEnd);
            if (b.firstUse()) {
                cache.countReadAheadUsed();
            }
            int n;
            try {
                int from = (int) (pos - b.offset());
                n = Math.min(want - done, b.length() - from);
                if (n > 0) {
                    sink.put(done, b.data(), from, n);
                }
            } finally {
                b.release();
            }
            if (n <= 0) {
                break;
            }
            done += n;
        }
        if (streak >= 2 && readAhead > 0) {
            scheduleReadAhead(offset + done, readerEnd);
        }
        return done == 0 && want > 0 ? -1 : done;
    }

    @Override
    public void adviseSequential(long offset) {
        pattern.expect(offset);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        owner.lanes().release(this);
        pins.close();
        List<VfsFile> open = new ArrayList<>();
        synchronized (upstreamLock) {
            open.add(upstream);
            upstream = null;
            for (int i = 0; i < laneFiles.length; i++) {
                open.add(laneFiles[i]);
                laneFiles[i] = null;
            }
        }
        IOException failure = null;
        for (VfsFile f : open) {
            try {
                if (f != null) {
                    f.close();
                }
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Returns the number of blocks this handle holds pinned; for tests. */
    int pinnedCount() {
        return pins.size();
    }

    /** Returns the block holding byte {@code pos}, retained for the caller. */
    private Block blockAt(long pos, boolean sequential, long readerEnd) throws IOException {
        BlockKey full = key(pos, blockSize);
        BlockKey small = smallSize < blockSize ? key(pos, smallSize) : full;
        Optional<Block> b = pinned(full);
        if (b.isEmpty() && small != full) {
            b = pinned(small);
        }
        if (b.isPresent()) {
            cache.countPinnedHit();
            return b.get();
        }
        BlockKey k = full;
        b = cache.peek(full);
        if (b.isEmpty() && small != full) {
            k = small;
            b = cache.peek(small);
        }
        if (b.isPresent()) {
            pin(k, b.get());
            return b.get();
        }
        // A reader whose end lies within the small piece (an archive's format detection at offset
        // 0, a zip local header) needs no whole block, even where its read looks sequential.
        boolean endsInPiece = readerEnd != NO_END && readerEnd <= small.offset() + small.length();
        k = sequential && !endsInPiece ? full : small;
        BlockKey chosen = k;
        Block loaded = cache.load(chosen, expectedLength(chosen), (dst, len) -> fetch(chosen, dst, len, readerEnd), false);
        pin(chosen, loaded);
        return loaded;
    }

    /** Pins {@code b} (which the caller holds) with a reference of the pin's own. */
    private void pin(BlockKey k, Block b) {
        if (b.retain() && !pins.pin(k, CompletableFuture.completedFuture(b), k.length())) {
            b.release();
        }
    }

    /** Returns the pinned block for {@code key}, waiting for its read-ahead; empty if none or it failed. */
    private Optional<Block> pinned(BlockKey key) throws IOException {
        Optional<CompletableFuture<Block>> f = pins.get(key);
        if (f.isEmpty()) {
            return Optional.empty();
        }
        boolean waits = !f.get().isDone();
        long waitStart = clock.getAsLong();
        if (waits) {
            stealQueuedReadAhead(key);
        }
        try {
            Block b = SingleFlight.await(f.get());
            if (waits) {
                control.readerWaited(clock.getAsLong() - waitStart); // a stolen fetch is waiting too
            }
            if (b.retain()) {
                return Optional.of(b);
            }
            pins.unpin(key, f.get());
            return Optional.empty();
        } catch (StaleFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            pins.unpin(key, f.get()); // the read-ahead failed: fetch on demand, reporting its own error
            if (closed) {
                throw new ClosedChannelException();
            }
            return Optional.empty();
        }
    }

    /** Fetches ahead of a reader now at {@code position}, up to the block holding its last byte before {@code readerEnd}. */
    private void scheduleReadAhead(long position, long readerEnd) {
        long current = (position - 1) / blockSize;
        long lastBlock = (Math.min(attrs.size(), readerEnd) - 1) / blockSize;
        int lanes = oneStream || !onALink() ? 1 : owner.lanes().grant(this, control.lanes());
        int stripe = control.stripeBlocks();
        // One lane streams ahead by --read-ahead blocks. Several lanes keep two stripes each ahead:
        // the one in flight and the next, queued, so a lane that finishes its stripe starts the
        // next request at once instead of idling until the reader reaches what it fetched (with one
        // stripe each, measured at 80 ms: 8 lanes delivered 39 MiB/s, most of them idle).
        int depth = lanes == 1 ? readAhead : Math.max(readAhead, 2 * lanes * stripe);
        // Pins beyond the window hold blocks already read until newer pins push them out. Sized
        // for the most lanes whatever the lanes in use, 8 handles of one reader each kept 34 MiB
        // pinned, spent the pinned budget between them, and their read-ahead stopped: the kernel's
        // 128 KiB reads then fetched many 1 MiB blocks several times over (up to 7).
        pins.capacity(depth + 2);
        long first;
        long last;
        synchronized (this) {
            first = Math.max(current + 1, readAheadIssuedTo + 1);
            last = Math.min(current + depth, lastBlock);
            if (first > last) {
                return;
            }
            readAheadIssuedTo = last;
        }
        for (long i = first; i <= last; i++) {
            BlockKey k = new BlockKey(owner.sourceId(), path, attrs.version(), i * blockSize, blockSize);
            if (pins.get(k).isPresent()) {
                continue;
            }
            CompletableFuture<Block> f = new CompletableFuture<>();
            if (!pins.pin(k, f, blockSize)) {
                rewindReadAhead(i - 1, last);
                return;
            }
            int lane = lanes == 1 ? 0 : (int) ((i / stripe) % lanes);
            long fetchEnd = readerEnd;
            if (lanes > 1) {
                // The lane's request covers its stripe, so the stripe costs one round trip.
                fetchEnd = Math.min(readerEnd, Math.min(attrs.size(), (i / stripe + 1) * stripe * blockSize));
            }
            boolean start;
            synchronized (this) {
                readAheadQueues.get(lane).add(new ReadAheadJob(k, f, readerEnd, lane, fetchEnd));
                start = !readAheadRunning[lane];
                readAheadRunning[lane] |= start;
            }
            if (start && !cache.submitReadAhead(() -> drainReadAhead(lane))) {
                abandonReadAhead(lane, new IOException("read-ahead executor saturated"));
                rewindReadAhead(i - 1, last);
                return;
            }
        }
    }

    /**
     * Fetches one lane's queued read-ahead blocks one after another, in file order, on one
     * executor thread. Why not one task per block: sources stream sequential reads (HTTP grows
     * its request window and keeps the body open, FTP keeps one RETR running); parallel,
     * out-of-order fetches on one handle would break that stream into many requests and waste
     * the bytes already in flight. Different handles, and the lanes of one handle (each on an
     * upstream handle of its own), still fetch in parallel.
     */
    private void drainReadAhead(int lane) {
        if (!owner.tryStartReadAhead()) {
            abandonReadAhead(lane, new IOException("read-ahead skipped: " + owner.describe()
                    + " already uses its share of the read-ahead threads"));
            return;
        }
        try {
            drainQueue(lane);
        } finally {
            owner.endReadAhead();
        }
    }

    private void drainQueue(int lane) {
        while (true) {
            ReadAheadJob job;
            synchronized (this) {
                job = readAheadQueues.get(lane).poll();
                if (job == null) {
                    readAheadRunning[lane] = false;
                    return;
                }
                laneFetching[lane] = true;
            }
            try {
                runReadAhead(job);
            } finally {
                synchronized (this) {
                    laneFetching[lane] = false;
                }
            }
        }
    }

    /**
     * Runs the queued read-ahead of {@code key} on the calling reader's thread, if no executor
     * thread has taken it yet. Why: the executor is shared by every source, and a stalled source's
     * read-aheads hold its threads for up to the read timeout times the retries; a healthy
     * source's reader whose next block waited in the queue behind them stalled just as long.
     */
    private void stealQueuedReadAhead(BlockKey key) {
        ReadAheadJob mine = null;
        synchronized (this) {
            for (int lane = 0; lane < readAheadQueues.size(); lane++) {
                ArrayDeque<ReadAheadJob> queue = readAheadQueues.get(lane);
                for (ReadAheadJob j : queue) {
                    if (j.key().equals(key)) {
                        mine = j;
                        break;
                    }
                }
                if (mine != null && oneStream && laneFetching[lane]) {
                    // The lane's one stream is moving and reaches this block next or soon; taking
                    // it here would start a second transfer of the file at this offset (FTP: a
                    // RETR that runs to the end unless stopped; the tiered FTP fleet saw 1-2
                    // extra transfers of 4-6 MiB per large file).
                    return;
                }
                if (mine != null) {
                    queue.remove(mine);
                    break;
                }
            }
        }
        if (mine != null) {
            runReadAhead(mine);
        }
    }

    /** Fails every queued read-ahead of {@code lane} (the executor refused its task), so waiting readers fetch themselves. */
    private void abandonReadAhead(int lane, IOException cause) {
        List<ReadAheadJob> jobs;
        synchronized (this) {
            ArrayDeque<ReadAheadJob> queue = readAheadQueues.get(lane);
            jobs = new ArrayList<>(queue);
            queue.clear();
            readAheadRunning[lane] = false;
        }
        for (ReadAheadJob j : jobs) {
            pins.unpin(j.key(), j.future());
            j.future().completeExceptionally(cause);
        }
    }

    /** Lets a later read issue blocks after {@code issued} again, if no other read moved the mark since. */
    private synchronized void rewindReadAhead(long issued, long expected) {
        if (readAheadIssuedTo == expected) {
            readAheadIssuedTo = issued;
        }
    }

    private void runReadAhead(ReadAheadJob job) {
        BlockKey k = job.key();
        CompletableFuture<Block> f = job.future();
        if (closed) {
            f.completeExceptionally(new ClosedChannelException());
            return;
        }
        try {
            Block b = cache.load(k, expectedLength(k), (dst, len) -> fetchAhead(job, dst, len), true);
            if (!f.complete(b)) {
                b.release(); // the handle was closed meanwhile
            }
        } catch (Throwable t) {
            f.completeExceptionally(t);
        }
    }

    private BlockKey key(long pos, int length) {
        return BlockKey.containing(owner.sourceId(), path, attrs.version(), pos, length);
    }

    private int expectedLength(BlockKey k) {
        return (int) Math.min(k.length(), attrs.size() - k.offset());
    }

    /**
     * Fetches a read-ahead block on its lane's upstream handle and tells the lane controller how
     * long it took. Several lanes: a block that does not continue the lane's last one opens a
     * request, advised as sequential so that it asks for the whole stripe at once.
     */
    private void fetchAhead(ReadAheadJob job, byte[] data, int len) throws IOException {
        BlockKey k = job.key();
        if (job.lane() == 0 && job.fetchEnd() == job.readerEnd()) {
            long t0 = clock.getAsLong();
            fetch(k, data, len, job.readerEnd(), null);
            control.fetched(len, clock.getAsLong() - t0, LaneController.Fetch.STREAM);
            return;
        }
        VfsFile up = laneFile(job.lane());
        boolean opens;
        synchronized (this) {
            opens = laneNext[job.lane()] != k.offset();
            laneNext[job.lane()] = k.offset() + len;
        }
        if (opens) {
            up.adviseSequential(k.offset());
        }
        long t0 = clock.getAsLong();
        fetch(k, data, len, job.fetchEnd(), up);
        control.fetched(len, clock.getAsLong() - t0, opens ? LaneController.Fetch.STRIPE_START : LaneController.Fetch.STRIPE_REST);
    }

    /** Reads the range of {@code k} from upstream, for a reader ending at {@code readerEnd}, as {@link #fetch(BlockKey, byte[], int, long, VfsFile)}. */
    private void fetch(BlockKey k, byte[] data, int len, long readerEnd) throws IOException {
        fetch(k, data, len, readerEnd, null);
    }

    /**
     * Reads the range of {@code k} from {@code up} (null: the handle's own upstream, opened here so
     * that a source that cannot be reached at open is marked offline too), for a reader ending at
     * {@code readerEnd} (passed on as {@link #upstreamEnd}); runs inside the cache's single-flight load.
     */
    private void fetch(BlockKey k, byte[] data, int len, long readerEnd, VfsFile up) throws IOException {
        try {
            fetchFromSource(k, data, len, readerEnd, up != null ? up : upstream());
            owner.health().answered(); // a source that served data is online (no lock while it already was)
        } catch (IOException e) {
            if (Failures.isUnavailable(e)) {
                owner.health().failed(e); // shown in the stats file; the block itself fails (EIO)
            }
            throw e;
        }
    }

    private void fetchFromSource(BlockKey k, byte[] data, int len, long readerEnd, VfsFile up) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(data, 0, len);
        SourceCounters counters = owner.counters();
        counters.readRequests.increment();
        try {
            while (bb.hasRemaining()) {
                long at = k.offset() + bb.position();
                int n = readerEnd == NO_END ? up.read(at, bb) : up.readWithin(at, bb, upstreamEnd(k, len, readerEnd));
                if (n < 0) {
                    break;
                }
            }
        } catch (StaleFileException e) {
            owner.invalidate(path);
            throw e;
        } finally {
            counters.bytesFetched.add(bb.position());
        }
        if (bb.hasRemaining()) {
            owner.invalidate(path);
            throw new StaleFileException(path.toString(), attrs.version(),
                    "shorter than " + attrs.size() + " bytes (end at " + (k.offset() + bb.position()) + ")");
        }
    }

    /**
     * Returns the reader's end to pass upstream with a fetch of {@code k}: rounded up to a block
     * boundary, since the block holding the reader's last byte is fetched whole too, so that one
     * upstream request can cover it (an HTTP window capped at the exact end would leave the rest
     * of that block to a request of its own).
     */
    private long upstreamEnd(BlockKey k, int len, long readerEnd) {
        long end = Math.min(readerEnd, attrs.size());
        long rounded = end <= 0 ? 0 : Math.min(attrs.size(), ((end - 1) / blockSize + 1) * blockSize);
        return Math.max(rounded, k.offset() + len);
    }

    /** A round trip from which on several lanes can fill more than one connection does. */
    static final long LINK_ROUND_TRIP_NANOS = 2_000_000;

    /**
     * Returns whether the source is far enough for lanes to help: its fastest answer so far took
     * at least {@link #LINK_ROUND_TRIP_NANOS} (unknown counts as far: the controller decides).
     * Why: under 2 ms one connection carries a 4 MiB TCP window per round trip, 2 GB/s, more
     * than FUSE delivers here; and the controller, which sees only slow fetches, cannot tell a
     * long link from a busy CPU. Measured on loopback nginx (2 cores, a fresh daemon reading 1
     * GiB): lanes started and the read cost 506-514 requests plus a HEAD per lane handle,
     * against 33-49 for one stream, at the same throughput.
     */
    private boolean onALink() {
        OptionalLong floor = owner.counters().roundTripFloorNanos();
        return floor.isEmpty() || floor.getAsLong() >= LINK_ROUND_TRIP_NANOS;
    }

    /** Whether the upstream handle cannot end a transfer where asked ({@link VfsFile#rangesHaveEnds}): no lanes then. */
    private volatile boolean oneStream;

    private VfsFile upstream() throws IOException {
        synchronized (upstreamLock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (upstream == null) {
                upstream = openUpstream();
                oneStream = !upstream.rangesHaveEnds();
            }
            return upstream;
        }
    }

    /** Returns lane {@code lane}'s own upstream handle (lane 0: the handle's), opening it on first use. */
    private VfsFile laneFile(int lane) throws IOException {
        if (lane == 0) {
            return upstream();
        }
        synchronized (upstreamLock) {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (laneFiles[lane] == null) {
                // A twin of the first handle costs no request (no HEAD): a lane starts one round trip sooner.
                Optional<VfsFile> twin = upstream().duplicate();
                laneFiles[lane] = twin.isPresent() ? twin.get() : openUpstream();
            }
            return laneFiles[lane];
        }
    }

    /** Opens the file upstream, failing if it is no longer the version this handle pinned. */
    private VfsFile openUpstream() throws IOException {
        VfsFile f = owner.source().open(path);
        if (!f.attrs().version().equals(attrs.version())) {
            f.close();
            owner.invalidate(path);
            throw new StaleFileException(path.toString(), attrs.version(), f.attrs().version());
        }
        return f;
    }
}
