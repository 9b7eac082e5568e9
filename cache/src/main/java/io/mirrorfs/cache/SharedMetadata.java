package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mirrorfs.vfs.VfsPath;
import java.util.Objects;

/**
 * The one metadata store of a mirror: stat results and listings of every source, keyed by source
 * and path, bounded by entry count all sources together ({@link CacheConfig#maxMetadataEntries}
 * stat entries, and as many listed entries), least recently used first. Stat results expire
 * after the metadata TTL ("no such file" after the negative TTL); listings stay until evicted, as
 * {@link MetadataCache} judges their freshness and keeps old ones for their validators and for
 * stale-if-error. Each source's {@link MetadataCache} serves its own keys from here. Thread-safe.
 */
final class SharedMetadata {

    /** A path of one source. */
    record Key(String sourceId, VfsPath path) {
        Key {
            Objects.requireNonNull(sourceId, "sourceId");
            Objects.requireNonNull(path, "path");
        }
    }

    private final Cache<Key, MetadataCache.StatEntry> stats;
    private final Cache<Key, MetadataCache.Held> listings;

    SharedMetadata(CacheConfig config, Ticker ticker) {
        long ttl = config.metadataTtl().toNanos();
        long negativeTtl = config.negativeTtl().toNanos();
        this.stats = Caffeine.newBuilder()
                .maximumSize(config.maxMetadataEntries())
                .expireAfter(new TtlExpiry<Key, MetadataCache.StatEntry>(v -> v.attrs().isPresent() ? ttl : negativeTtl))
                .executor(Runnable::run)
                .ticker(ticker)
                .build();
        this.listings = Caffeine.newBuilder()
                .maximumWeight(config.maxMetadataEntries())
                .weigher((Key k, MetadataCache.Held v) -> 1 + v.known().entries().size())
                .executor(Runnable::run)
                .build();
    }

    /** Returns the stat entries of all sources. */
    Cache<Key, MetadataCache.StatEntry> stats() {
        return stats;
    }

    /** Returns the listings of all sources. */
    Cache<Key, MetadataCache.Held> listings() {
        return listings;
    }

    /** Returns how many stat entries and listed entries are held, all sources together. */
    long entries() {
        stats.cleanUp();
        listings.cleanUp();
        return stats.estimatedSize() + listings.policy().eviction().orElseThrow().weightedSize().orElse(0);
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
