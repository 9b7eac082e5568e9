package io.mirrorfs.cache;

import java.util.concurrent.atomic.LongAdder;

/** Upstream traffic counters of one source. Thread-safe (lock-free adders). */
final class SourceCounters {

    final LongAdder bytesFetched = new LongAdder();
    final LongAdder readRequests = new LongAdder();
    final LongAdder statRequests = new LongAdder();
    final LongAdder listRequests = new LongAdder();

    /** Returns a snapshot. */
    CacheStats.SourceStats snapshot() {
        return new CacheStats.SourceStats(bytesFetched.sum(), readRequests.sum(), statRequests.sum(), listRequests.sum());
    }
}
