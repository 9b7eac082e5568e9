package io.mirrorfs.cache;

import java.util.concurrent.atomic.LongAdder;

/** Upstream traffic counters of one source. Thread-safe (lock-free adders). */
final class SourceCounters {

    final LongAdder bytesFetched = new LongAdder();
    final LongAdder readRequests = new LongAdder();
    final LongAdder statRequests = new LongAdder();
    final LongAdder listRequests = new LongAdder();

    /** Returns a snapshot, with the source's {@code state} (see {@link SourceHealth.State#describe}). */
    CacheStats.SourceStats snapshot(String state) {
        return new CacheStats.SourceStats(bytesFetched.sum(), readRequests.sum(), statRequests.sum(), listRequests.sum(), state);
    }
}
