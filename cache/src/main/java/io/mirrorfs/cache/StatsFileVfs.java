package io.mirrorfs.cache;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.MountTable;
import io.mirrorfs.vfs.archive.ArchiveLayer;
import io.mirrorfs.vfs.archive.ArchiveMetrics;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The top of a cached mirror: adds the read-only file {@code /.mirrorfs/stats} (the cache's
 * counters as {@code name value} lines; see {@link CacheStats#format()}) and owns the shared
 * {@link BlockCache}, logging its summary and closing it at unmount.
 *
 * <p>{@code /.mirrorfs} answers {@code stat} but is not listed in {@code /}, so {@code find} and
 * indexers do not see it; {@code cat MOUNT/.mirrorfs/stats} reads it. Its mtime is the time of
 * the {@code stat}, so the kernel (with {@code auto_cache}) drops old pages on a later open;
 * the text has a fixed length (fixed-width numbers), so the size the kernel was told stays true.
 * A source that has its own {@code /.mirrorfs} is shadowed. Thread-safe.
 */
public final class StatsFileVfs implements Vfs {

    private static final System.Logger LOG = System.getLogger(StatsFileVfs.class.getName());

    /** The directory holding the virtual files. */
    public static final VfsPath DIR = VfsPath.parse("/.mirrorfs");
    /** The statistics file. */
    public static final VfsPath STATS = DIR.resolve("stats");
    /** Where {@link #serveWarmupTree} shows its synthetic tree while it runs. */
    public static final VfsPath WARMUP = DIR.resolve("warmup");
    /** The warm-up tree's own block cache: enough for its read-ahead, gone when the warm-up ends. */
    private static final long WARMUP_CACHE_BYTES = 32L << 20;

    private final Vfs delegate;
    private final BlockCache cache;
    private final Clock clock;
    private final Map<String, String> routes;
    private final ArchiveMetrics archives;
    private volatile Vfs warmup;

    /** Shows {@code delegate} plus the stats of {@code cache}, which this object then owns. */
    public StatsFileVfs(Vfs delegate, BlockCache cache, Clock clock) {
        this(delegate, cache, new ArchiveMetrics(), clock, Map.of());
    }

    /**
     * As above, showing the counters of the archive layer behind {@code delegate} too, and a
     * {@code source ID proxy ROUTE} line per entry of {@code routes} (source id to the proxy it
     * goes through, or {@code direct}), so an operator sees which proxy each source really uses
     * after the environment and the options were combined.
     */
    public StatsFileVfs(Vfs delegate, BlockCache cache, ArchiveMetrics archives, Clock clock, Map<String, String> routes) {
        this.archives = Objects.requireNonNull(archives, "archives");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.routes = new java.util.TreeMap<>(routes);
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        if (path.equals(DIR)) {
            return FileAttrs.directory(clock.instant());
        }
        if (path.equals(STATS)) {
            return statsAttrs(clock.instant(), render().length);
        }
        Vfs tree = warmup;
        if (tree != null && path.startsWith(WARMUP)) {
            return tree.stat(path.relativeTo(WARMUP));
        }
        if (path.startsWith(DIR)) {
            throw new NoSuchFileException(path.toString());
        }
        return delegate.stat(path);
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        if (dir.equals(DIR)) {
            return List.of(DirEntry.of(STATS.name(), statsAttrs(clock.instant(), render().length)));
        }
        if (dir.equals(STATS)) {
            throw new java.nio.file.NotDirectoryException(dir.toString());
        }
        Vfs tree = warmup;
        if (tree != null && dir.startsWith(WARMUP)) {
            return tree.list(dir.relativeTo(WARMUP));
        }
        return delegate.list(dir);
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        Vfs tree = warmup;
        if (tree != null && path.startsWith(WARMUP)) {
            return tree.readlink(path.relativeTo(WARMUP));
        }
        if (path.startsWith(DIR)) {
            throw new NotLinkException(path.toString());
        }
        return delegate.readlink(path);
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        if (path.equals(DIR)) {
            throw new IsDirectoryException(path.toString());
        }
        if (path.equals(STATS)) {
            byte[] text = render();
            return new SnapshotFile(statsAttrs(clock.instant(), text.length), text);
        }
        Vfs tree = warmup;
        if (tree != null && path.startsWith(WARMUP)) {
            return tree.open(path.relativeTo(WARMUP));
        }
        if (path.startsWith(DIR)) {
            throw new NoSuchFileException(path.toString());
        }
        return delegate.open(path);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    /** Returns the archive layer's counters the stats file shows (for {@link CacheMetrics}). */
    public ArchiveMetrics archives() {
        return archives;
    }

    /** Returns the block cache whose counters the stats file shows (for {@link CacheMetrics}). */
    public BlockCache cache() {
        return cache;
    }

    /**
     * Shows a synthetic tree ({@link WarmupTree}: 15,000 small files in 150 directories) at
     * {@link #WARMUP} until the returned handle is closed, behind the
     * same layers as the real sources (archive layer, mount table, caching layer) but with its own
     * small block cache, so the real cache's contents and counters stay untouched.
     *
     * <p>Why: a fresh JVM runs the lookup, listing and read paths interpreted, then spends CPU
     * compiling them (JIT), and on a 2-core machine the compiler threads take a core from the
     * requests. Measured on a fresh daemon over loopback nginx: {@code find} + {@code stat} of
     * 10,000 files took 0.75-0.94 s as the first walk and 0.34-0.40 s as the third. Walking this
     * tree through the kernel before the mount is announced moves most of that cost out of the
     * users' first requests (first walk 0.53-0.59 s), for about 0.7 s more before the mount is
     * announced. Reading a large file of it as well was measured too and did not make a user's
     * first GiB faster: what a fresh daemon compiles there is mostly the source's own transfer
     * code, which only a real source can run.
     */
    public Closeable serveWarmupTree() throws IOException {
        CacheConfig real = cache.config();
        CacheConfig config = CacheConfig.builder()
                .blockSize(real.blockSize())
                .maxBytes(WARMUP_CACHE_BYTES)
                .readAheadBlocks(real.readAheadBlocks())
                .randomFetchSize(real.randomFetchSize())
                .readAheadThreads(Math.min(4, real.readAheadThreads()))
                .dirReadAhead(real.dirReadAhead())
                .build();
        BlockCache warmCache = BlockCache.create(config);
        Vfs tree = new ArchiveLayer(new MountTable(Map.of(VfsPath.ROOT, new CachingVfs(new WarmupTree(), "warm-up", warmCache)),
                clock.instant()), ArchiveOptions.defaults());
        warmup = tree;
        return () -> {
            warmup = null;
            try {
                tree.close();
            } finally {
                warmCache.close();
            }
        };
    }

    /** Logs the cache summary, closes the sources, then the block cache (flushing disk writes). */
    @Override
    public void close() throws IOException {
        LOG.log(Level.INFO, cache.stats().summary());
        try {
            delegate.close();
        } finally {
            cache.close();
        }
    }

    private byte[] render() {
        StringBuilder sb = new StringBuilder(cache.stats().format());
        // Routes never change while mounted, so the file keeps its length.
        routes.forEach((id, route) -> sb.append(String.format("%-24s %20s%n", "source " + id + " proxy", route)));
        sb.append(CacheStats.formatArchives(archives));
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static FileAttrs statsAttrs(Instant now, int size) {
        return new FileAttrs(FileType.FILE, size, now, 0444, "stats@" + now);
    }

    /** An in-memory file holding one snapshot. */
    private record SnapshotFile(FileAttrs attrs, byte[] data) implements VfsFile {
        @Override
        public int read(long offset, ByteBuffer dst) {
            if (offset >= data.length) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), data.length - offset);
            dst.put(data, (int) offset, n);
            return n;
        }

        @Override
        public void close() {
        }
    }
}
