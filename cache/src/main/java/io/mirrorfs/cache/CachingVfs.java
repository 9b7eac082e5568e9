package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A caching decorator over any {@link Vfs}: file data from the shared {@link BlockCache},
 * stat results and listings from a TTL-bound metadata cache (see {@link MetadataCache}).
 *
 * <p>An open handle pins the version its {@code stat} returned; its blocks are keyed by that
 * version, so it never mixes old and new bytes, and a change is seen by the next open after the
 * metadata TTL. With a disk tier, opening a file also persists its attributes and those of its
 * parent directories, so after a restart a file read before can be looked up, opened and read
 * from disk while its source is unreachable; listings are persisted too (see {@link MetadataCache}).
 *
 * <p>Thread-safe. {@link #close} closes the source, not the shared block cache.
 */
public final class CachingVfs implements Vfs {

    private static final System.Logger LOG = System.getLogger(CachingVfs.class.getName());

    private final Vfs source;
    private final String sourceId;
    private final BlockCache cache;
    private final MetadataCache metadata;
    private final SourceCounters counters;
    private final SourceHealth health;
    private final DirectoryReadAhead dirReadAhead;
    /** The most connections of the source used at once for work ahead of readers. */
    private final int connections;
    /** This source's handles draining read-aheads on the shared executor now; see {@link #tryStartReadAhead}. */
    private final AtomicInteger readAheadsRunning = new AtomicInteger();
    /** The connections its readers' read-ahead lanes share. */
    private final LaneBudget lanes;
    /** Paths whose attributes (by version) are already on disk, so repeated opens do not rewrite them. */
    private final Cache<VfsPath, String> persisted = Caffeine.newBuilder().maximumSize(10_000).build();

    /**
     * Wraps {@code source}, whose blocks are stored in {@code cache} under {@code sourceId}.
     *
     * @param sourceId identifies the source across restarts (the disk tier is keyed by it) and
     *                 in statistics; e.g. its mount path and redacted URL. Unique per mirror.
     */
    public CachingVfs(Vfs source, String sourceId, BlockCache cache) {
        this(source, sourceId, cache, 2);
    }

    /**
     * Wraps {@code source} as {@link #CachingVfs(Vfs, String, BlockCache)} does, using up to
     * {@code connections} of it at once for work ahead of readers (directory listings ahead of a
     * walker, ranged reads ahead of a sequential reader): its {@code --max-connections}.
     */
    public CachingVfs(Vfs source, String sourceId, BlockCache cache, int connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be >= 1, got " + connections);
        }
        this.connections = connections;
        this.lanes = new LaneBudget(connections);
        this.source = Objects.requireNonNull(source, "source");
        this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.counters = cache.countersFor(sourceId);
        this.health = new SourceHealth(source.describe(), cache.wallClock(), cache.config().staleIfError());
        this.metadata = new MetadataCache(cache.sharedMetadata(), sourceId, cache.config(), cache.ticker(), cache.wallClock(),
                cache.metadataHits, cache.metadataMisses,
                (dir, validator) -> {
                    counters.listRequests.increment();
                    return source.listIfChanged(dir, validator);
                }, new PersistedMetadata(cache, sourceId), health);
        counters.useStatusProvider(health); // the one state of the source: stats file, metrics and /healthz
        // As many listings at once as the source has connections: over a link with round trip R a
        // walk then costs about R per (directories / connections), not R per directory.
        this.dirReadAhead = new DirectoryReadAhead(this, metadata, cache.config().dirReadAhead(), connections);
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        return stat(path, false);
    }

    /** Returns the attributes of {@code path}; {@code forOpen}: from a direct stat, never a listing. */
    private FileAttrs stat(VfsPath path, boolean forOpen) throws IOException {
        IoSupplier<FileAttrs> upstream = () -> {
            counters.statRequests.increment();
            return source.stat(path);
        };
        try {
            return forOpen ? metadata.statForOpen(path, upstream) : metadata.stat(path, upstream);
        } catch (IOException e) {
            if (Failures.isUnavailable(e)) {
                health.failed(e); // whether or not anything is served in its place
            }
            if (Failures.isDefinite(e) || cache.config().staleIfError().isZero()) {
                throw e; // --stale-if-error 0: nothing is served in place of an answer
            }
            Optional<FileAttrs> offline = persistedAttrs(path);
            if (offline.isEmpty()) {
                throw e;
            }
            LOG.log(Level.DEBUG, () -> source.describe() + path + ": using attributes saved on disk, the source failed: " + e);
            health.servedStale();
            metadata.put(path, offline.get());
            return offline.get();
        }
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        List<DirEntry> entries = listForReadAhead(dir);
        dirReadAhead.listed(dir);
        return entries;
    }

    /** Lists {@code dir} through the metadata cache without starting directory read-ahead. */
    List<DirEntry> listForReadAhead(VfsPath dir) throws IOException {
        return metadata.list(dir);
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        try {
            String target = source.readlink(path);
            health.answered();
            if (cache.hasDisk() && !("link:" + target).equals(persisted.getIfPresent(path))) {
                cache.writeDisk(linkKey(path), target.getBytes(StandardCharsets.UTF_8));
                persisted.put(path, "link:" + target);
            }
            return target;
        } catch (IOException e) {
            if (!Failures.isUnavailable(e)) {
                throw e;
            }
            health.failed(e);
            if (cache.config().staleIfError().isZero()) {
                throw e;
            }
            Optional<byte[]> saved = cache.readDisk(linkKey(path));
            if (saved.isEmpty()) {
                throw e;
            }
            health.servedStale(); // a link target read before, as ls -l of a persisted listing needs it
            return new String(saved.get(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        FileAttrs attrs = stat(path, true);
        if (attrs.isDirectory()) {
            throw new IsDirectoryException(path.toString());
        }
        if (!attrs.isFile()) {
            return source.open(path); // reports the source's own error for links and the like
        }
        if (cache.hasDisk()) {
            persistForOffline(path, attrs);
        }
        return new CachedFile(this, path, attrs);
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    Vfs source() {
        return source;
    }

    String sourceId() {
        return sourceId;
    }

    BlockCache cache() {
        return cache;
    }

    SourceHealth health() {
        return health;
    }

    SourceCounters counters() {
        return counters;
    }

    /**
     * Takes one of this source's places on the shared read-ahead executor: all its threads but
     * one (at least one), so one stalled source never holds every thread and the others keep
     * their read-ahead. Returns false when this source already has its share running; otherwise
     * {@link #endReadAhead} must follow.
     */
    boolean tryStartReadAhead() {
        int share = Math.max(1, cache.config().readAheadThreads() - 1);
        if (readAheadsRunning.incrementAndGet() > share) {
            readAheadsRunning.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Returns the most connections of the source used at once for work ahead of readers. */
    int connections() {
        return connections;
    }

    /** Returns the lanes its readers' read-ahead may share. */
    LaneBudget lanes() {
        return lanes;
    }

    /** Gives back a place taken by {@link #tryStartReadAhead}. */
    void endReadAhead() {
        readAheadsRunning.decrementAndGet();
    }

    /** Forgets the metadata of {@code path}, after its content was found changed. */
    void invalidate(VfsPath path) {
        metadata.invalidate(path);
    }

    private void persistForOffline(VfsPath path, FileAttrs attrs) {
        if (attrs.version().equals(persisted.getIfPresent(path))) {
            return;
        }
        cache.writeDisk(attrsKey(path), encode(attrs));
        persisted.put(path, attrs.version());
        for (Optional<VfsPath> p = path.parent(); p.isPresent() && !p.get().isRoot(); p = p.get().parent()) {
            VfsPath dir = p.get();
            if (persisted.getIfPresent(dir) == null) {
                FileAttrs d = metadata.peek(dir).orElse(FileAttrs.directory(Instant.EPOCH));
                cache.writeDisk(attrsKey(dir), encode(d));
                persisted.put(dir, d.version());
            }
        }
    }

    private Optional<FileAttrs> persistedAttrs(VfsPath path) {
        return cache.readDisk(attrsKey(path)).flatMap(CachingVfs::decode);
    }

    private String linkKey(VfsPath path) {
        return "link\0" + sourceId + '\0' + path;
    }

    private String attrsKey(VfsPath path) {
        return "attrs\0" + sourceId + '\0' + path;
    }

    static byte[] encode(FileAttrs a) {
        return String.join("\n", a.type().name(), Long.toString(a.size()), Long.toString(a.mtime().getEpochSecond()),
                Integer.toString(a.mtime().getNano()), Integer.toString(a.permissions()), a.version()).getBytes(StandardCharsets.UTF_8);
    }

    static Optional<FileAttrs> decode(byte[] bytes) {
        String[] f = new String(bytes, StandardCharsets.UTF_8).split("\n", 6);
        try {
            return Optional.of(new FileAttrs(FileType.valueOf(f[0]), Long.parseLong(f[1]),
                    Instant.ofEpochSecond(Long.parseLong(f[2]), Integer.parseInt(f[3])), Integer.parseInt(f[4]), f.length > 5 ? f[5] : ""));
        } catch (RuntimeException e) {
            return Optional.empty(); // checksummed, so only a format change lands here
        }
    }
}
