package io.mirrorfs.cache;

import io.mirrorfs.vfs.SourceMetrics.ErrorClass;
import io.mirrorfs.vfs.archive.ArchiveMetrics;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Shows a {@link BlockCache}'s counters as Prometheus metrics. Every value is read from the
 * same {@link CacheStats} snapshot the stats file is rendered from, at scrape time, so
 * {@code /.mirrorfs/stats} and the metrics endpoint never disagree and nothing is counted twice.
 * Labels are source ids, request kinds, error classes and states: never paths.
 */
public final class CacheMetrics {

    private CacheMetrics() {
    }

    /** Registers the block cache, disk tier and per-source metrics of {@code cache} in {@code registry}. */
    public static void register(BlockCache cache, PrometheusRegistry registry) {
        counter(registry, cache, "mirrorfs_cache_hits", "Block reads served from memory", CacheStats::blockHits);
        counter(registry, cache, "mirrorfs_cache_misses", "Blocks a reader had to fetch (from disk or upstream)", CacheStats::blockMisses);
        counter(registry, cache, "mirrorfs_cache_read_ahead_fetched_blocks", "Blocks fetched ahead of a sequential reader",
                CacheStats::readAheadFetches);
        counter(registry, cache, "mirrorfs_cache_read_ahead_used_blocks", "Read-ahead blocks a reader then read", CacheStats::readAheadUsed);
        counter(registry, cache, "mirrorfs_cache_read_ahead_wasted_blocks", "Read-ahead blocks that left the cache unread",
                CacheStats::readAheadWasted);
        counter(registry, cache, "mirrorfs_cache_evictions", "Blocks evicted from memory by the size bound", CacheStats::evictions);
        counter(registry, cache, "mirrorfs_cache_single_flight_waits", "Block loads that waited for another reader's fetch of the same block",
                CacheStats::singleFlightWaits);
        counter(registry, cache, "mirrorfs_cache_metadata_hits", "stat and list calls answered from memory", CacheStats::metadataHits);
        counter(registry, cache, "mirrorfs_cache_metadata_misses", "stat and list calls that went to the source", CacheStats::metadataMisses);
        gauge(registry, cache, "mirrorfs_cache_held_bytes", "Bytes the shared block cache holds", CacheStats::bytesHeld);
        gauge(registry, cache, "mirrorfs_cache_pinned_bytes", "Bytes open handles hold pinned (current blocks and read-ahead)",
                CacheStats::bytesPinned);
        gauge(registry, cache, "mirrorfs_cache_checkpoint_bytes", "Bytes of archive decompression checkpoints, inside the same budget",
                CacheStats::checkpointBytes);
        gauge(registry, cache, "mirrorfs_cache_max_bytes", "The memory budget of blocks, pins and checkpoints together", CacheStats::maxBytes);
        gauge(registry, cache, "mirrorfs_cache_fetches_in_flight", "Block fetches (from disk or upstream) running now", CacheStats::inFlightFetches);
        counter(registry, cache, "mirrorfs_disk_hits", "Blocks loaded from the disk tier instead of upstream", CacheStats::diskHits);
        counter(registry, cache, "mirrorfs_disk_corrupt_blocks", "Disk entries rejected by checksum, key or length, then refetched",
                CacheStats::diskCorrupt);
        gauge(registry, cache, "mirrorfs_disk_bytes", "Bytes in the disk tier", CacheStats::diskBytes);
        gauge(registry, cache, "mirrorfs_disk_files", "Entries in the disk tier (records in its segment files; the name is older)", CacheStats::diskFiles);
        registerSources(cache, registry);
    }

    /** Registers the archive layer's counters of {@code archives} in {@code registry}. */
    public static void registerArchives(ArchiveMetrics archives, PrometheusRegistry registry) {
        CounterWithCallback.builder().name("mirrorfs_archive_indexes_built").help("Archive indexes built by a pass over the archive")
                .callback(cb -> cb.call(archives.indexesBuilt())).register(registry);
        CounterWithCallback.builder().name("mirrorfs_archive_indexes_loaded").help("Archive indexes loaded from the index directory")
                .callback(cb -> cb.call(archives.indexesLoaded())).register(registry);
        CounterWithCallback.builder().name("mirrorfs_archive_decoded_bytes").help("Bytes decompressed by indexing passes and member reads")
                .callback(cb -> cb.call(archives.bytesDecoded())).register(registry);
        CounterWithCallback.builder().name("mirrorfs_archive_member_decoders_started").help("Member decoders started (one per sequential reader of a compressed member)")
                .callback(cb -> cb.call(archives.memberDecoders().decoderStarts())).register(registry);
        CounterWithCallback.builder().name("mirrorfs_archive_member_decoded_bytes").help("Bytes decompressed by member decoders, read-ahead included")
                .callback(cb -> cb.call(archives.memberDecoders().decodedBytes())).register(registry);
        CounterWithCallback.builder().name("mirrorfs_archive_member_decoded_ahead_bytes").help("Bytes member decoders decompressed ahead of their readers")
                .callback(cb -> cb.call(archives.memberDecoders().aheadBytes())).register(registry);
        GaugeWithCallback.builder().name("mirrorfs_archive_indexing_passes").help("Indexing passes running now")
                .callback(cb -> cb.call(archives.indexingInProgress())).register(registry);
        GaugeWithCallback.builder().name("mirrorfs_archive_indexing_progress_ratio")
                .help("How far the running indexing passes are together (compressed bytes read / to read), 0 when none runs")
                .callback(cb -> cb.call(archives.indexingProgressRatio())).register(registry);
    }

    private static void registerSources(BlockCache cache, PrometheusRegistry registry) {
        CounterWithCallback.builder().name("mirrorfs_source_requests").help("Requests sent upstream, by kind")
                .labelNames("source", "kind")
                .callback(cb -> sources(cache).forEach((id, s) -> {
                    s.upstreamRequests().forEach((k, n) -> cb.call(n, id, k.label()));
                }))
                .register(registry);
        CounterWithCallback.builder().name("mirrorfs_source_errors").help("Failed upstream requests, by class")
                .labelNames("source", "class")
                .callback(cb -> sources(cache).forEach((id, s) -> {
                    for (ErrorClass c : ErrorClass.values()) {
                        cb.call(s.errors().get(c), id, c.label());
                    }
                }))
                .register(registry);
        CounterWithCallback.builder().name("mirrorfs_source_retries").help("Upstream requests sent again after a failure")
                .labelNames("source")
                .callback(cb -> sources(cache).forEach((id, s) -> cb.call(s.retries(), id)))
                .register(registry);
        GaugeWithCallback.builder().name("mirrorfs_source_open_connections").help("Connections to the source open now")
                .labelNames("source")
                .callback(cb -> sources(cache).forEach((id, s) -> cb.call(s.openConnections(), id)))
                .register(registry);
        CounterWithCallback.builder().name("mirrorfs_source_pool_waits").help("Requests that had to wait for a free connection")
                .labelNames("source")
                .callback(cb -> sources(cache).forEach((id, s) -> cb.call(s.poolWaits(), id)))
                .register(registry);
        CounterWithCallback.builder().name("mirrorfs_source_upstream_bytes").help("File bytes read from the source into the cache")
                .labelNames("source")
                .callback(cb -> sources(cache).forEach((id, s) -> cb.call(s.bytesFetched(), id)))
                .register(registry);
        GaugeWithCallback.builder().name("mirrorfs_source_state").help("1 for the state the source is in now (online, offline, stale)")
                .labelNames("source", "state")
                .callback(cb -> sources(cache).forEach((id, s) -> {
                    for (SourceStatus.State st : SourceStatus.State.values()) {
                        cb.call(s.status().state() == st ? 1 : 0, id, st.label());
                    }
                }))
                .register(registry);
        GaugeWithCallback.builder().name("mirrorfs_source_state_since_seconds").help("Unix time the source entered its state (0: always)")
                .labelNames("source")
                .callback(cb -> sources(cache).forEach((id, s) -> cb.call(s.status().since().getEpochSecond(), id)))
                .register(registry);
        registry.register(cache.sourceLatency().histogram());
    }

    private static Map<String, CacheStats.SourceStats> sources(BlockCache cache) {
        return cache.stats().sources();
    }

    private static void counter(PrometheusRegistry registry, BlockCache cache, String name, String help, ToDoubleFunction<CacheStats> value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(cache.stats()))).register(registry);
    }

    private static void gauge(PrometheusRegistry registry, BlockCache cache, String name, String help, ToDoubleFunction<CacheStats> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.applyAsDouble(cache.stats()))).register(registry);
    }
}
