package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Stat results and listings of one source, each served for a TTL and then revalidated by the
 * next access (a fresh upstream call; the block cache keeps its data when the version it
 * returns is unchanged). "No such file" is remembered for a shorter TTL. A listing fills the stat
 * entries of its children when it carries their attributes, so {@code ls -l} or {@code find}
 * costs one upstream listing per directory; and while a listing is fresh, a name it does not
 * hold is answered "no such file" without asking upstream.
 *
 * <p>Bounded by entry count: stat entries and listed entries each at most
 * {@link CacheConfig#maxMetadataEntries}. Thread-safe; concurrent lookups of one path share one
 * upstream call.
 */
final class MetadataCache {

    private final SingleFlight<VfsPath, StatEntry> stats;
    private final SingleFlight<VfsPath, List<DirEntry>> listings;
    private final LongAdder hits;
    private final LongAdder misses;

    MetadataCache(CacheConfig config, Ticker ticker, LongAdder hits, LongAdder misses) {
        long ttl = config.metadataTtl().toNanos();
        long negativeTtl = config.negativeTtl().toNanos();
        this.stats = new SingleFlight<>(Caffeine.newBuilder()
                .maximumSize(config.maxMetadataEntries())
                .expireAfter(new TtlExpiry<VfsPath, StatEntry>(v -> v.attrs().isPresent() ? ttl : negativeTtl))
                .executor(Runnable::run)
                .ticker(ticker)
                .build());
        this.listings = new SingleFlight<>(Caffeine.newBuilder()
                .maximumWeight(config.maxMetadataEntries())
                .weigher((VfsPath k, List<DirEntry> v) -> 1 + v.size())
                .expireAfter(new TtlExpiry<VfsPath, List<DirEntry>>(v -> ttl))
                .executor(Runnable::run)
                .ticker(ticker)
                .build());
        this.hits = hits;
        this.misses = misses;
    }

    /**
     * What is known about one path: its attributes, or empty for "no such file"; and whether they
     * came from the parent's listing. Listings may carry a weaker version than a direct stat (an
     * HTTP index gives size and minute-precision mtime, a HEAD gives the ETag), so a handle pins
     * only directly obtained attributes: those match what the source's own open reports.
     */
    record StatEntry(Optional<FileAttrs> attrs, boolean fromListing) {
    }

    /**
     * Returns the attributes of {@code path}, from memory when fresh (listing-derived ones
     * included), else from {@code upstream}.
     *
     * @throws NoSuchFileException when the path is known not to exist
     */
    FileAttrs stat(VfsPath path, IoSupplier<FileAttrs> upstream) throws IOException {
        return lookup(path, upstream, false);
    }

    /**
     * Returns attributes of {@code path} suitable for pinning by an open handle: from a direct
     * stat (fresh in memory, or asked now), never from a listing.
     *
     * @throws NoSuchFileException when the path is known not to exist
     */
    FileAttrs statForOpen(VfsPath path, IoSupplier<FileAttrs> upstream) throws IOException {
        return lookup(path, upstream, true);
    }

    private FileAttrs lookup(VfsPath path, IoSupplier<FileAttrs> upstream, boolean direct) throws IOException {
        Optional<StatEntry> cached = Optional.ofNullable(stats.cache().getIfPresent(path));
        if (cached.isEmpty()) {
            cached = fromParentListing(path);
        }
        if (cached.isPresent() && (!direct || !cached.get().fromListing() || cached.get().attrs().isEmpty())) {
            hits.increment();
            return cached.get().attrs().orElseThrow(() -> new NoSuchFileException(path.toString()));
        }
        if (cached.isPresent()) {
            stats.cache().asMap().remove(path, cached.get()); // a listing's entry: replace it by a direct stat
        }
        SingleFlight.Loaded<StatEntry> loaded = stats.load(path, () -> {
            try {
                return new StatEntry(Optional.of(upstream.get()), false);
            } catch (NoSuchFileException e) {
                return new StatEntry(Optional.empty(), false);
            }
        });
        (loaded.loadedHere() ? misses : hits).increment();
        return loaded.value().attrs().orElseThrow(() -> new NoSuchFileException(path.toString()));
    }

    /** Returns the entries of {@code dir}, from memory when fresh, else from {@code upstream}. */
    List<DirEntry> list(VfsPath dir, IoSupplier<List<DirEntry>> upstream) throws IOException {
        SingleFlight.Loaded<List<DirEntry>> loaded = listings.load(dir, () -> List.copyOf(upstream.get()));
        if (!loaded.loadedHere()) {
            hits.increment();
            return loaded.value();
        }
        misses.increment();
        for (DirEntry e : loaded.value()) {
            if (e.attrs().isPresent()) {
                stats.cache().put(dir.resolve(e.name()), new StatEntry(e.attrs(), true));
            }
        }
        return loaded.value();
    }

    /** Returns the fresh listing of {@code dir} if memory holds it, without counting or loading. */
    Optional<List<DirEntry>> peekListing(VfsPath dir) {
        return Optional.ofNullable(listings.cache().getIfPresent(dir));
    }

    /** Returns whether a fresh listing of {@code dir} is in memory or being fetched. */
    boolean isListedOrListing(VfsPath dir) {
        return listings.isPresentOrLoading(dir);
    }

    /** Returns the fresh attributes of {@code path} if memory holds them, without counting or loading. */
    Optional<FileAttrs> peek(VfsPath path) {
        return Optional.ofNullable(stats.cache().getIfPresent(path)).flatMap(StatEntry::attrs);
    }

    /** Stores {@code attrs} for {@code path} (e.g. recovered from disk) with the normal TTL. */
    void put(VfsPath path, FileAttrs attrs) {
        stats.cache().put(path, new StatEntry(Optional.of(attrs), false));
    }

    /** Forgets what is known about {@code path} and its parent's listing, so the next access asks upstream. */
    void invalidate(VfsPath path) {
        stats.cache().invalidate(path);
        path.parent().ifPresent(listings.cache()::invalidate);
    }

    private Optional<StatEntry> fromParentListing(VfsPath path) {
        Optional<VfsPath> parent = path.parent();
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        Optional<List<DirEntry>> listing = Optional.ofNullable(listings.cache().getIfPresent(parent.get()));
        if (listing.isEmpty()) {
            return Optional.empty();
        }
        for (DirEntry e : listing.get()) {
            if (e.name().equals(path.name())) {
                // Listed without attributes: a stat must fill them in.
                return e.attrs().isPresent() ? Optional.of(new StatEntry(e.attrs(), true)) : Optional.empty();
            }
        }
        return Optional.of(new StatEntry(Optional.empty(), true));
    }

    /** Expires an entry a fixed time after it was written; reads do not extend it. */
    private record TtlExpiry<K, V>(java.util.function.ToLongFunction<V> ttlNanos) implements Expiry<K, V> {
        @Override
        public long expireAfterCreate(K key, V value, long currentTime) {
            return ttlNanos.applyAsLong(value);
        }

        @Override
        public long expireAfterUpdate(K key, V value, long currentTime, long currentDuration) {
            return ttlNanos.applyAsLong(value);
        }

        @Override
        public long expireAfterRead(K key, V value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
