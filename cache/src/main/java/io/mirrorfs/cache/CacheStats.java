package io.mirrorfs.cache;

import io.mirrorfs.vfs.SourceMetrics.ErrorClass;
import io.mirrorfs.vfs.archive.ArchiveMetrics;
import io.mirrorfs.vfs.SourceMetrics.RequestKind;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A snapshot of the cache's counters, as shown in {@code /.mirrorfs/stats} and logged at unmount.
 * Immutable; counters are read one by one, so a snapshot taken during traffic is not atomic.
 *
 * @param blockHits        reads served from a block already in memory (including waits on a
 *                         fetch another reader had started)
 * @param blockMisses      blocks a reader had to fetch itself (from disk or upstream)
 * @param readAheadFetches blocks fetched ahead of a sequential reader
 * @param readAheadUsed    read-ahead blocks a reader then read
 * @param readAheadWasted  read-ahead blocks that left the cache unread
 * @param singleFlightWaits block loads that waited for the same block's fetch by another reader
 * @param diskHits         blocks loaded from the disk tier instead of upstream
 * @param diskCorrupt      disk blocks rejected by their checksum, key or length, then refetched
 * @param evictions        blocks evicted from memory by the size bound
 * @param bytesHeld        bytes held by the shared block cache now
 * @param bytesPinned      bytes held by open handles (current blocks and read-ahead) now
 * @param checkpointBytes  bytes the archive layer's decompression checkpoints hold now (the
 *                         shared block cache is smaller by as much)
 * @param maxBytes         the memory budget of the three together
 * @param inFlightFetches  fetches (from disk or upstream) running now
 * @param diskBytes        bytes in the disk tier now (0 without one)
 * @param diskFiles        entries in the disk tier now (records in its segment files; 0 without one)
 * @param metadataHits     stat and list calls answered from memory
 * @param metadataMisses   stat and list calls that went upstream
 * @param sources          per-source upstream counters, by source id
 */
public record CacheStats(
        long blockHits,
        long blockMisses,
        long readAheadFetches,
        long readAheadUsed,
        long readAheadWasted,
        long singleFlightWaits,
        long diskHits,
        long diskCorrupt,
        long evictions,
        long bytesHeld,
        long bytesPinned,
        long checkpointBytes,
        long maxBytes,
        long inFlightFetches,
        long diskBytes,
        long diskFiles,
        long metadataHits,
        long metadataMisses,
        Map<String, SourceStats> sources) {

    /** Copies the per-source map, sorted by source id. */
    public CacheStats {
        sources = Map.copyOf(Objects.requireNonNull(sources, "sources"));
    }

    /**
     * Upstream traffic of one source.
     *
     * @param bytesFetched  bytes read from the source (not from memory or disk)
     * @param readRequests  ranged reads sent to the source
     * @param statRequests  stat calls sent to the source
     * @param listRequests  listings requested from the source
     * @param upstreamRequests requests the source sent upstream, by kind (what the server's log shows): the
     *                      kinds of its protocol, and any other it used
     * @param errors        failed upstream requests, by class
     * @param retries       upstream requests sent again after a failure
     * @param openConnections connections to the source open now (0 for sources without a pool)
     * @param poolWaits     requests that had to wait for a free connection
     * @param status        the source's state now, as the metrics and {@code /healthz} show it
     */
    public record SourceStats(long bytesFetched, long readRequests, long statRequests, long listRequests,
                              Map<RequestKind, Long> upstreamRequests, Map<ErrorClass, Long> errors, long retries,
                              long openConnections, long poolWaits, SourceStatus status) {
        /** Copies the maps. */
        public SourceStats {
            upstreamRequests = Map.copyOf(upstreamRequests);
            errors = Map.copyOf(errors);
            Objects.requireNonNull(status, "status");
        }

        /** Returns the state as the stats file shows it: "online", "offline since T" or "offline since T, serving stale". */
        public String state() {
            return status.describe();
        }
    }

    /** Returns the total upstream requests (reads, stats and listings) over all sources. */
    public long upstreamRequests() {
        return sources.values().stream().mapToLong(s -> s.readRequests + s.statRequests + s.listRequests).sum();
    }

    /** Returns the total bytes fetched from all sources. */
    public long upstreamBytes() {
        return sources.values().stream().mapToLong(SourceStats::bytesFetched).sum();
    }

    /**
     * Returns the snapshot as {@code name value} lines. Values are padded to a fixed width, so the
     * text's length depends only on the set of sources: the stats file keeps one size while
     * mounted, which lets the kernel read it whole (it trusts the size it was told).
     */
    public String format() {
        StringBuilder sb = new StringBuilder();
        line(sb, "block_hits", blockHits);
        line(sb, "block_misses", blockMisses);
        line(sb, "read_ahead_fetches", readAheadFetches);
        line(sb, "read_ahead_used", readAheadUsed);
        line(sb, "read_ahead_wasted", readAheadWasted);
        line(sb, "single_flight_waits", singleFlightWaits);
        line(sb, "disk_hits", diskHits);
        line(sb, "disk_corrupt", diskCorrupt);
        line(sb, "evictions", evictions);
        line(sb, "bytes_held", bytesHeld);
        line(sb, "bytes_pinned", bytesPinned);
        line(sb, "bytes_checkpoints", checkpointBytes);
        line(sb, "max_bytes", maxBytes);
        line(sb, "in_flight_fetches", inFlightFetches);
        line(sb, "disk_bytes", diskBytes);
        line(sb, "disk_files", diskFiles);
        line(sb, "metadata_hits", metadataHits);
        line(sb, "metadata_misses", metadataMisses);
        for (Map.Entry<String, SourceStats> e : new TreeMap<>(sources).entrySet()) {
            String p = "source " + e.getKey() + " ";
            SourceStats s = e.getValue();
            line(sb, p + "bytes_fetched", s.bytesFetched);
            line(sb, p + "read_requests", s.readRequests);
            line(sb, p + "stat_requests", s.statRequests);
            line(sb, p + "list_requests", s.listRequests);
            for (Map.Entry<RequestKind, Long> k : new java.util.TreeMap<>(s.upstreamRequests).entrySet()) {
                line(sb, p + "upstream_" + k.getKey().label(), k.getValue());
            }
            for (ErrorClass c : ErrorClass.values()) {
                line(sb, p + "errors_" + c.label(), s.errors.get(c));
            }
            line(sb, p + "retries", s.retries);
            line(sb, p + "open_connections", s.openConnections);
            line(sb, p + "pool_waits", s.poolWaits);
            // The one state, twice: in words with its time for people (padded like the numbers: the
            // longest state, with its time in whole seconds, fits), and as 0/1 lines, like the
            // mirrorfs_source_state gauge, for parsers that read integers only.
            sb.append(String.format("%-24s %-50s%n", p + "state", s.state()));
            for (SourceStatus.State st : SourceStatus.State.values()) {
                line(sb, p + "state_" + st.label(), s.status.state() == st ? 1 : 0);
            }
        }
        return sb.toString();
    }

    /**
     * Returns the archive layer's counters as lines like {@link #format}'s (fixed-width integers;
     * the progress ratio in thousandths), for the stats file.
     */
    public static String formatArchives(ArchiveMetrics a) {
        StringBuilder sb = new StringBuilder();
        line(sb, "archive_indexes_built", a.indexesBuilt());
        line(sb, "archive_indexes_loaded", a.indexesLoaded());
        line(sb, "archive_bytes_decoded", a.bytesDecoded());
        line(sb, "archive_decoder_starts", a.memberDecoders().decoderStarts());
        line(sb, "archive_member_decoded", a.memberDecoders().decodedBytes());
        line(sb, "archive_decoded_ahead", a.memberDecoders().aheadBytes());
        line(sb, "archive_indexing", a.indexingInProgress());
        line(sb, "archive_indexing_permille", Math.round(a.indexingProgressRatio() * 1000)); // integers only, as every line
        return sb.toString();
    }

    /** Returns a one-line summary for the log. */
    public String summary() {
        return String.format("cache: %d hits, %d misses, %d read-ahead, %d from disk, %d evictions, %d corrupt;"
                        + " %d upstream requests, %d bytes fetched",
                blockHits, blockMisses, readAheadFetches, diskHits, evictions, diskCorrupt, upstreamRequests(), upstreamBytes());
    }

    private static void line(StringBuilder sb, String name, long value) {
        sb.append(String.format("%-24s %20d%n", name, value));
    }
}
