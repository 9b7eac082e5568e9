package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.Listing;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Stat results and listings of one source. A stat result is served for the TTL and then asked
 * again; "no such file" is remembered for a shorter TTL. A listing is kept past its TTL (bounded by
 * entries, least recently used first) with the source's validator, so that after the TTL one
 * conditional request revalidates it (an HTTP 304 costs no body), and so that while the source
 * cannot be reached it is served stale, up to {@code --stale-if-error} after the source last
 * confirmed it. With a disk tier every listing the source confirms is also persisted
 * ({@link PersistedMetadata}), so a restarted mirror answers {@code ls} and {@code stat} from disk
 * at once and revalidates after the TTL counted from the original confirmation.
 *
 * <p>A listing fills the stat entries of its children when it carries their attributes, so
 * {@code ls -l} or {@code find} costs one upstream listing per directory; while a listing is fresh,
 * a name it does not hold is answered "no such file" without asking upstream; and once a listing
 * of the parent is known, a stat revalidates that listing rather than asking for the one path.
 *
 * <p>Bounded by entry count: the entries live in {@link SharedMetadata}, one store for every
 * source, where stat entries and listed entries are each at most
 * {@link CacheConfig#maxMetadataEntries} all sources together. Thread-safe; concurrent lookups of one path share one
 * upstream call.
 */
final class MetadataCache {

    private final SingleFlight<SharedMetadata.Key, StatEntry> stats;
    private final SingleFlight<SharedMetadata.Key, Held> listings;
    private final String sourceId;
    private final Ticker ticker;
    private final InstantSource wallClock;
    private final long ttlNanos;
    private final Duration staleIfError;
    private final UpstreamLister upstream;
    private final PersistedMetadata persisted;
    private final SourceHealth health;
    private final LongAdder hits;
    private final LongAdder misses;

    /**
     * Serves source {@code sourceId} from {@code shared}, the one bounded metadata store of all
     * sources; loads in progress are this source's own.
     */
    MetadataCache(SharedMetadata shared, String sourceId, CacheConfig config, Ticker ticker, InstantSource wallClock, LongAdder hits,
                  LongAdder misses, UpstreamLister upstream, PersistedMetadata persisted, SourceHealth health) {
        this.stats = new SingleFlight<>(shared.stats());
        this.listings = new SingleFlight<>(shared.listings());
        this.sourceId = sourceId;
        this.ticker = ticker;
        this.wallClock = wallClock;
        this.ttlNanos = config.metadataTtl().toNanos();
        this.staleIfError = config.staleIfError();
        this.upstream = upstream;
        this.persisted = persisted;
        this.health = health;
        this.hits = hits;
        this.misses = misses;
    }

    private SharedMetadata.Key key(VfsPath path) {
        return new SharedMetadata.Key(sourceId, path);
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
     * A listing in memory: what the source last confirmed, and when this process last checked
     * it (ticker time: a listing loaded from disk is dated back by its age, and one served stale
     * counts as checked, so a dead source is asked once per TTL per directory, not per access).
     */
    record Held(KnownListing known, long checkedNanos) {
    }

    /**
     * Returns the attributes of {@code path}, from memory when fresh (listing-derived ones
     * included), else from the parent's listing when one is known, else from {@code upstream}.
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
        Optional<StatEntry> cached = Optional.ofNullable(stats.cache().getIfPresent(key(path)));
        if (cached.isEmpty() && !direct) {
            cached = fromParentListing(path);
        } else if (cached.isEmpty()) {
            cached = fromFreshParentListing(path);
        }
        if (cached.isPresent() && (!direct || !cached.get().fromListing() || cached.get().attrs().isEmpty())) {
            hits.increment();
            return cached.get().attrs().orElseThrow(() -> new NoSuchFileException(path.toString()));
        }
        if (cached.isPresent()) {
            stats.cache().asMap().remove(key(path), cached.get()); // a listing's entry: replace it by a direct stat
        }
        SingleFlight.Loaded<StatEntry> loaded = stats.load(key(path), () -> {
            try {
                StatEntry e = new StatEntry(Optional.of(upstream.get()), false);
                health.answered();
                return e;
            } catch (NoSuchFileException e) {
                health.answered();
                return new StatEntry(Optional.empty(), false);
            } catch (IOException e) {
                if (Failures.isUnavailable(e)) {
                    health.failed(e);
                }
                throw e;
            }
        });
        (loaded.loadedHere() ? misses : hits).increment();
        return loaded.value().attrs().orElseThrow(() -> new NoSuchFileException(path.toString()));
    }

    /**
     * Returns the entries of {@code dir}: from memory when fresh; else from disk when the
     * persisted listing is fresh; else revalidated upstream (conditionally, when a listing with a
     * validator is known); when the source cannot be reached, the last known listing if the source
     * confirmed it within {@code --stale-if-error}.
     */
    List<DirEntry> list(VfsPath dir) throws IOException {
        return listed(dir).entries();
    }

    private KnownListing listed(VfsPath dir) throws IOException {
        Held held = listings.cache().getIfPresent(key(dir));
        if (held != null && fresh(held)) {
            hits.increment();
            return held.known();
        }
        SingleFlight.Loaded<Held> loaded = listings.loadUnless(key(dir), this::fresh, () -> refresh(dir));
        if (!loaded.loadedHere()) {
            hits.increment();
            return loaded.value().known();
        }
        misses.increment();
        for (DirEntry e : loaded.value().known().entries()) {
            if (e.attrs().isPresent()) {
                stats.cache().put(key(dir.resolve(e.name())), new StatEntry(e.attrs(), true));
            }
        }
        return loaded.value().known();
    }

    private Held refresh(VfsPath dir) throws IOException {
        Held inMemory = listings.cache().getIfPresent(key(dir));
        Optional<KnownListing> known = inMemory != null ? Optional.of(inMemory.known()) : persisted.listing(dir);
        if (inMemory == null && known.isPresent()) {
            Held fromDisk = new Held(known.get(), ticker.read() - age(known.get()).toNanos());
            if (fresh(fromDisk)) {
                return fromDisk;
            }
        }
        if (known.isPresent() && servableStale(known.get()) && !health.shouldAsk()) {
            health.servedStale(known.get().confirmedAt());
            return new Held(known.get(), ticker.read());
        }
        try {
            Optional<Listing> answer = upstream.listIfChanged(dir, known.map(KnownListing::validator).orElse(""));
            health.answered();
            KnownListing confirmed = confirmed(dir, known, answer);
            persisted.saveListing(dir, confirmed);
            return new Held(confirmed, ticker.read());
        } catch (IOException e) {
            if (Failures.isDefinite(e)) {
                health.answered();
                persisted.forgetListing(dir);
                listings.cache().invalidate(key(dir));
                throw e;
            }
            if (!Failures.isUnavailable(e)) {
                throw e;
            }
            health.failed(e);
            if (known.isPresent() && servableStale(known.get())) {
                health.servedStale(known.get().confirmedAt());
                return new Held(known.get(), ticker.read());
            }
            throw e;
        }
    }

    private KnownListing confirmed(VfsPath dir, Optional<KnownListing> known, Optional<Listing> answer) throws IOException {
        Instant now = wallClock.instant();
        if (answer.isPresent()) {
            return new KnownListing(answer.get().entries(), answer.get().validator(), now);
        }
        if (known.isEmpty()) {
            throw new IOException("the source answered 'unchanged' to an unconditional listing of " + dir);
        }
        return known.get().confirmed(now);
    }

    private boolean fresh(Held h) {
        return ticker.read() - h.checkedNanos() < ttlNanos;
    }

    private Duration age(KnownListing k) {
        Duration age = Duration.between(k.confirmedAt(), wallClock.instant());
        return age.isNegative() ? Duration.ZERO : age; // a clock set back: count it as new
    }

    private boolean servableStale(KnownListing k) {
        return !staleIfError.isZero() && age(k).compareTo(staleIfError) <= 0;
    }

    /** Returns the fresh listing of {@code dir} if memory holds it, without counting or loading. */
    Optional<List<DirEntry>> peekListing(VfsPath dir) {
        Held h = listings.cache().getIfPresent(key(dir));
        return h != null && fresh(h) ? Optional.of(h.known().entries()) : Optional.empty();
    }

    /** Returns whether a fresh listing of {@code dir} is in memory or being fetched. */
    boolean isListedOrListing(VfsPath dir) {
        return listings.isLoading(key(dir)) || peekListing(dir).isPresent();
    }

    /** Returns the fresh attributes of {@code path} if memory holds them, without counting or loading. */
    Optional<FileAttrs> peek(VfsPath path) {
        return Optional.ofNullable(stats.cache().getIfPresent(key(path))).flatMap(StatEntry::attrs);
    }

    /** Stores {@code attrs} for {@code path} (e.g. recovered from disk) with the normal TTL. */
    void put(VfsPath path, FileAttrs attrs) {
        stats.cache().put(key(path), new StatEntry(Optional.of(attrs), false));
    }

    /**
     * Forgets what is known about {@code path} and marks its parent's listing for a full fetch
     * (no validator: a page whose ETag follows only its directory's mtime would answer "unchanged"
     * although a file in it changed), so the next access asks upstream.
     */
    void invalidate(VfsPath path) {
        stats.cache().invalidate(key(path));
        path.parent().ifPresent(dir -> listings.cache().asMap().computeIfPresent(key(dir), (d, h) ->
                new Held(new KnownListing(h.known().entries(), "", h.known().confirmedAt()), ticker.read() - ttlNanos)));
    }

    /** Answers from the parent's listing: fresh in memory, else revalidated or loaded from disk when one is known. */
    private Optional<StatEntry> fromParentListing(VfsPath path) throws IOException {
        Optional<VfsPath> parent = path.parent();
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        Held h = listings.cache().getIfPresent(key(parent.get()));
        if (h == null && !persisted.hasListing(parent.get())) {
            return Optional.empty(); // nothing known: a direct stat is cheaper than a listing
        }
        try {
            return entryIn(listed(parent.get()), path);
        } catch (java.nio.file.AccessDeniedException e) {
            return Optional.empty(); // a directory without an index page can still hold readable files
        }
    }

    private Optional<StatEntry> fromFreshParentListing(VfsPath path) {
        Optional<VfsPath> parent = path.parent();
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        Held h = listings.cache().getIfPresent(key(parent.get()));
        return h != null && fresh(h) ? entryIn(h.known(), path) : Optional.empty();
    }

    private static Optional<StatEntry> entryIn(KnownListing listing, VfsPath path) {
        for (DirEntry e : listing.entries()) {
            if (e.name().equals(path.name())) {
                // Listed without attributes: a stat must fill them in.
                return e.attrs().isPresent() ? Optional.of(new StatEntry(e.attrs(), true)) : Optional.empty();
            }
        }
        return Optional.of(new StatEntry(Optional.empty(), true));
    }
}
