package io.mirrorfs.cache;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

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

    private final Vfs delegate;
    private final BlockCache cache;
    private final Clock clock;

    /** Shows {@code delegate} plus the stats of {@code cache}, which this object then owns. */
    public StatsFileVfs(Vfs delegate, BlockCache cache, Clock clock) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        if (path.equals(DIR)) {
            return FileAttrs.directory(clock.instant());
        }
        if (path.equals(STATS)) {
            return statsAttrs(clock.instant(), render().length);
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
        return delegate.list(dir);
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
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
        if (path.startsWith(DIR)) {
            throw new NoSuchFileException(path.toString());
        }
        return delegate.open(path);
    }

    @Override
    public String describe() {
        return delegate.describe();
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
        return cache.stats().format().getBytes(StandardCharsets.US_ASCII);
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
