package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mirrorfs.vfs.archive.DecodedStore;
import java.io.Closeable;
import java.io.IOException;
import java.time.InstantSource;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one block store of a mirror, shared by every {@link CachingVfs}: a Caffeine cache weighted
 * in bytes, the budget for blocks pinned by open handles, the read-ahead executor, the optional
 * disk tier and the counters. The archive layer's checkpoints are counted in the same budget:
 * {@link #checkpointBytes} shrinks the Caffeine cache by what they hold.
 *
 * <p>Concurrent readers of one block share one fetch (see {@link SingleFlight}); the fetch runs on
 * the first reader's thread, so a miss costs no thread hop. Eviction runs on the thread that
 * inserted, so the weight bound holds whenever an insertion has returned. A block fetched from
 * upstream is written to the disk tier behind the reader; a block found on disk is validated
 * (checksum, key, length) before it is served.
 *
 * <p>Thread-safe. {@link #close} stops the executors it created and waits for pending disk writes.
 */
public final class BlockCache implements Closeable {

    private static final System.Logger LOG = System.getLogger(BlockCache.class.getName());

    private final CacheConfig config;
    private final Ticker ticker;
    private final InstantSource wallClock;
    private final SingleFlight<BlockKey, Block> blocks;
    private final BlockPool pool;
    private final Semaphore pinPermitsKiB;
    private final Executor readAheadExecutor;
    private final Optional<ThreadPoolExecutor> ownedReadAhead;
    private final Optional<DiskStore> disk;
    private final Optional<ThreadPoolExecutor> diskWriter;
    /** Decoded copies without a disk tier; creates its directory only on the first copy. */
    private final TemporaryDecodedStore temporaryDecoded;
    private final Map<String, SourceCounters> sources = new ConcurrentHashMap<>();
    /** Stat results and listings of every source: one bounded store. */
    private final SharedMetadata sharedMetadata;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder readAheads = new LongAdder();
    private final LongAdder diskHits = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder readAheadUsed = new LongAdder();
    private final LongAdder readAheadWasted = new LongAdder();
    private final SourceLatency sourceLatency = new SourceLatency();
    final LongAdder metadataHits = new LongAdder();
    final LongAdder metadataMisses = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object checkpointLock = new Object();
    private volatile long checkpointBytes;

    private BlockCache(CacheConfig config, Optional<Executor> readAhead, Ticker ticker, InstantSource wallClock) throws IOException {
        this.config = config;
        this.ticker = ticker;
        this.wallClock = wallClock;
        this.sharedMetadata = new SharedMetadata(config, ticker);
        this.blocks = new SingleFlight<>(Caffeine.newBuilder()
                .maximumWeight(config.sharedBytes())
                .weigher((BlockKey k, Block b) -> b.weight())
                .executor(Runnable::run)
                .ticker(ticker)
                .evictionListener((BlockKey k, Block b, com.github.benmanes.caffeine.cache.RemovalCause cause) -> evictions.increment())
                .removalListener((BlockKey k, Block b, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (b != null) {
                        if (b.unreadReadAhead()) {
                            readAheadWasted.increment();
                        }
                        b.release(); // the cache's own reference
                    }
                })
                .build());
        // Free arrays kept for reuse are outside the cache budget: bounded, not growing with the threads.
        this.pool = new BlockPool(config.blockSize(), config.randomFetchSize(), 16 + 2 * Math.min(4, config.readAheadThreads()));
        this.pinPermitsKiB = new Semaphore((int) (config.pinnedBytes() >> 10));
        if (readAhead.isPresent()) {
            this.readAheadExecutor = readAhead.get();
            this.ownedReadAhead = Optional.empty();
        } else {
            ThreadPoolExecutor pool = daemonPool("mirrorfs-read-ahead", config.readAheadThreads(), 64,
                    new ThreadPoolExecutor.AbortPolicy(), false);
            this.readAheadExecutor = pool;
            this.ownedReadAhead = Optional.of(pool);
        }
        this.temporaryDecoded = new TemporaryDecodedStore(config.diskMaxBytes());
        if (config.diskDir().isPresent()) {
            this.disk = Optional.of(DiskStore.open(config.diskDir().get(), config.diskMaxBytes()));
            // Caller-runs: when the disk lags, readers write their blocks themselves rather
            // than the tier silently missing data a later offline remount would need.
            // At the lowest priority: see BackgroundPriority.
            this.diskWriter = Optional.of(daemonPool("mirrorfs-disk-writer", 1, 16, new ThreadPoolExecutor.CallerRunsPolicy(), true));
        } else {
            this.disk = Optional.empty();
            this.diskWriter = Optional.empty();
        }
    }

    /**
     * Returns a cache with its own read-ahead threads and the system clock.
     *
     * @throws IOException if the disk tier's directory cannot be created or read
     */
    public static BlockCache create(CacheConfig config) throws IOException {
        return new BlockCache(config, Optional.empty(), Ticker.systemTicker(), InstantSource.system());
    }

    /**
     * Returns a cache whose read-ahead runs on {@code readAhead} and whose metadata TTLs are
     * measured by {@code ticker}: tests pass a fake ticker and a manual executor.
     *
     * @throws IOException if the disk tier's directory cannot be created or read
     */
    public static BlockCache create(CacheConfig config, Executor readAhead, Ticker ticker) throws IOException {
        return new BlockCache(config, Optional.of(readAhead), ticker, InstantSource.system());
    }

    /**
     * As {@link #create(CacheConfig, Executor, Ticker)}, with the wall clock that dates persisted
     * metadata (compared across restarts, so it cannot be the ticker): tests pass a fake one.
     *
     * @throws IOException if the disk tier's directory cannot be created or read
     */
    public static BlockCache create(CacheConfig config, Executor readAhead, Ticker ticker, InstantSource wallClock) throws IOException {
        return new BlockCache(config, Optional.of(readAhead), ticker, wallClock);
    }

    /** Returns the configuration. */
    public CacheConfig config() {
        return config;
    }

    /** Returns a snapshot of the counters. */
    public CacheStats stats() {
        Map<String, CacheStats.SourceStats> perSource = new TreeMap<>();
        sources.forEach((id, c) -> perSource.put(id, c.snapshot()));
        long held = blocks.cache().policy().eviction().flatMap(e -> {
            java.util.OptionalLong w = e.weightedSize();
            return w.isPresent() ? Optional.of(w.getAsLong()) : Optional.empty();
        }).orElse(0L);
        long pinned = config.pinnedBytes() - ((long) pinPermitsKiB.availablePermits() << 10);
        return new CacheStats(hits.sum(), misses.sum(), readAheads.sum(), readAheadUsed.sum(), readAheadWasted.sum(),
                blocks.waits(), diskHits.sum(), disk.map(DiskStore::corruptCount).orElse(0L), evictions.sum(), held, pinned,
                checkpointBytes, config.maxBytes(), inFlight.get(), disk.map(DiskStore::bytes).orElse(0L),
                disk.map(DiskStore::files).orElse(0), metadataHits.sum(), metadataMisses.sum(), perSource);
    }

    /**
     * Returns the storage for the archive layer's decoded copies: the disk tier, whose bound
     * ({@link CacheConfig#diskMaxBytes}) and least-recently-used eviction they then share with the
     * cached blocks; without one, a private temporary directory with the same bound, removed by
     * {@link #close} (see {@link TemporaryDecodedStore}). Never empty.
     */
    public Optional<DecodedStore> decodedStore() {
        return Optional.of(disk.isPresent() ? disk.get() : temporaryDecoded);
    }

    /**
     * Counts {@code bytes} of archive checkpoints in this cache's budget: the shared block cache
     * is bounded by {@link CacheConfig#sharedBytes} minus them from now on, evicting at once what
     * no longer fits, so blocks and checkpoints together stay within {@link CacheConfig#maxBytes}.
     * Called with the new total after every change (the archive layer's listener); at most
     * {@link CacheConfig#maxCheckpointBytes} is expected.
     */
    public void checkpointBytes(long bytes) {
        synchronized (checkpointLock) {
            checkpointBytes = bytes;
            long bound = Math.max(0, config.sharedBytes() - bytes);
            blocks.cache().policy().eviction().ifPresent(e -> e.setMaximum(bound));
        }
    }

    /** Stops the executors this cache created and waits up to 10 s for pending disk writes. */
    @Override
    public void close() {
        ownedReadAhead.ifPresent(ThreadPoolExecutor::shutdownNow);
        diskWriter.ifPresent(w -> {
            w.shutdown();
            // The writes still queued run here, at this thread's priority: the writer's nice 19
            // must not let a busy machine starve the last writes of an unmount.
            List<Runnable> queued = new ArrayList<>();
            w.getQueue().drainTo(queued);
            queued.forEach(Runnable::run);
            try {
                if (!w.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.log(Level.WARNING, "disk cache: writes still pending after 10 s; they are lost");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        disk.ifPresent(DiskStore::close); // releases the directory for the next daemon
        temporaryDecoded.close();
    }

    Ticker ticker() {
        return ticker;
    }

    /** Returns the one metadata store of all sources. */
    SharedMetadata sharedMetadata() {
        return sharedMetadata;
    }

    /** Returns the wall clock that dates persisted metadata and source states. */
    InstantSource wallClock() {
        return wallClock;
    }

    /**
     * Returns the counters of source {@code sourceId}, creating them on first use; they are also
     * where the source reports its upstream requests ({@link io.mirrorfs.vfs.SourceMetrics}).
     */
    SourceCounters countersFor(String sourceId) {
        return sources.computeIfAbsent(sourceId, id -> new SourceCounters(id, sourceLatency));
    }

    /** Returns the request latency histogram of all sources (labels: source, kind), for {@link CacheMetrics}. */
    SourceLatency sourceLatency() {
        return sourceLatency;
    }

    /** Returns the state of every source, by source id. */
    public Map<String, SourceStatus> sourceStatus() {
        Map<String, SourceStatus> out = new TreeMap<>();
        sources.forEach((id, c) -> out.put(id, c.status()));
        return out;
    }

    /**
     * Makes {@code provider} the state of source {@code sourceId} from now on. Each
     * {@link CachingVfs} installs its {@link SourceHealth} (online, offline since T, serving
     * stale within {@code --stale-if-error}) when it is built; a source without one shows online.
     */
    public void useStatusProvider(String sourceId, SourceStatus.Provider provider) {
        countersFor(sourceId).useStatusProvider(provider);
    }

    /** Records that a reader used a block read-ahead had fetched. */
    void countReadAheadUsed() {
        readAheadUsed.increment();
    }

    /** Fills {@code dst[0..length)} with a block's bytes from upstream. */
    @FunctionalInterface
    interface BlockFiller {
        /** Fills exactly {@code length} bytes or fails. */
        void fill(byte[] dst, int length) throws IOException;
    }

    /**
     * Returns the block for {@code key}, retained for the caller (who must {@link Block#release}
     * it): from memory, else from disk (when it holds exactly {@code expectedLength} valid bytes),
     * else from {@code fetch}, which runs on this thread unless another thread is already loading
     * the same key.
     */
    Block load(BlockKey key, int expectedLength, BlockFiller fetch, boolean readAhead) throws IOException {
        while (true) {
            SingleFlight.Loaded<Block> loaded = blocks.load(key, () -> loadMissing(key, expectedLength, fetch, readAhead));
            if (loaded.loadedHere()) {
                return loaded.value(); // carries the loader's extra reference
            }
            if (loaded.value().retain()) {
                if (!readAhead) {
                    hits.increment();
                }
                return loaded.value();
            }
            // Evicted and recycled between the lookup and the retain: look again.
        }
    }

    /** Returns the block for {@code key}, retained, if memory holds it; counts a hit when it does. */
    Optional<Block> peek(BlockKey key) {
        Block b = blocks.cache().getIfPresent(key);
        if (b == null || !b.retain()) {
            return Optional.empty();
        }
        hits.increment();
        return Optional.of(b);
    }

    /** Returns whether memory holds {@code key} or a fetch of it is running. */
    boolean isPresentOrLoading(BlockKey key) {
        return blocks.isPresentOrLoading(key);
    }

    /** Records a read served from a block the handle had pinned. */
    void countPinnedHit() {
        hits.increment();
    }

    /** Reserves {@code bytes} of the pinned budget; returns false (reserving nothing) when it is spent. */
    boolean tryPin(int bytes) {
        return pinPermitsKiB.tryAcquire(toKiB(bytes));
    }

    /** Returns {@code bytes} to the pinned budget. */
    void unpin(int bytes) {
        pinPermitsKiB.release(toKiB(bytes));
    }

    /** Runs {@code task} on the read-ahead executor; returns false if it is saturated or stopped. */
    boolean submitReadAhead(Runnable task) {
        try {
            readAheadExecutor.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Returns the persisted payload for {@code key}, if the disk tier holds a valid one. */
    Optional<byte[]> readDisk(String key) {
        return disk.flatMap(d -> d.read(key));
    }

    /** Persists {@code payload} under {@code key} now, if there is a disk tier. */
    void writeDisk(String key, byte[] payload) {
        disk.ifPresent(d -> {
            try {
                d.write(key, payload);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "disk cache: cannot write: " + e);
            }
        });
    }

    /** Returns whether the disk tier holds an entry for {@code key}. */
    boolean diskContains(String key) {
        return disk.isPresent() && disk.get().contains(key);
    }

    /** Removes the persisted payload for {@code key}, if any. */
    void removeDisk(String key) {
        disk.ifPresent(d -> d.remove(key));
    }

    /** Returns whether a disk tier is configured. */
    boolean hasDisk() {
        return disk.isPresent();
    }

    /** Returns a new block holding two references: the cache's and the loading caller's. */
    private Block loadMissing(BlockKey key, int expectedLength, BlockFiller fetch, boolean readAhead) throws IOException {
        inFlight.incrementAndGet();
        byte[] array = pool.take(key.length());
        try {
            (readAhead ? readAheads : misses).increment();
            // Only a disk tier needs the key's text; building it per block costs a string of the whole path.
            String diskKey = disk.isPresent() ? "block\0" + key.externalForm() : null;
            OptionalInt fromDisk = disk.isPresent() ? disk.get().readInto(diskKey, array) : OptionalInt.empty();
            Block block;
            if (fromDisk.isPresent() && fromDisk.getAsInt() == expectedLength) {
                diskHits.increment();
                block = new Block(key.offset(), array, expectedLength, pool);
            } else {
                fetch.fill(array, expectedLength);
                block = new Block(key.offset(), array, expectedLength, pool);
                writeBehind(diskKey, block);
            }
            if (readAhead) {
                block.markReadAhead();
            }
            block.retain();
            return block;
        } catch (IOException | RuntimeException | Error e) {
            pool.recycle(array);
            throw e;
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void writeBehind(String diskKey, Block block) {
        if (diskWriter.isEmpty() || !block.retain()) {
            return;
        }
        try {
            diskWriter.get().execute(() -> {
                try {
                    disk.get().write(diskKey, block.data(), block.length());
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "disk cache: cannot write: " + e);
                } finally {
                    block.release();
                }
            });
        } catch (RejectedExecutionException e) {
            block.release(); // shutting down: the block stays in memory only
        }
    }

    private static int toKiB(int bytes) {
        return (bytes + 1023) >> 10;
    }

    private static ThreadPoolExecutor daemonPool(String name, int threads, int queue, java.util.concurrent.RejectedExecutionHandler onFull,
            boolean background) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Runnable body = background ? () -> {
                BackgroundPriority.lowerCurrentThread();
                r.run();
            } : r;
            Thread t = new Thread(body, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, onFull);
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
