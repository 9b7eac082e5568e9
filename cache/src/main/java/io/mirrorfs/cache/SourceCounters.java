package io.mirrorfs.cache;

import io.mirrorfs.vfs.SourceMetrics;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one source: what the caching layer asked of it (reads, stats, listings and the
 * bytes they brought), and the requests the source itself reported sending upstream (by kind,
 * with latency, errors by class and retries). The stats file and the Prometheus endpoint both
 * read these adders, so they never disagree. Also derives the source's state from the outcome of
 * its last request, unless a better {@link SourceStatus.Provider} was installed.
 *
 * <p>Thread-safe and lock-free: each report is an adder increment and a histogram observation.
 */
final class SourceCounters implements SourceMetrics {

    final LongAdder bytesFetched = new LongAdder();
    final LongAdder readRequests = new LongAdder();
    final LongAdder statRequests = new LongAdder();
    final LongAdder listRequests = new LongAdder();
    private final LongAdder[] requests = adders(RequestKind.values().length);
    private final LongAdder[] errors = adders(ErrorClass.values().length);
    private final LongAdder retries = new LongAdder();
    private final String sourceId;
    /** The request kinds this source's protocol sends: those shown even while zero. */
    private final List<RequestKind> kinds;
    private final SourceLatency latencies;
    private final DistributionDataPoint[] latency;
    private final RecentOutcome recent;
    private volatile SourceStatus.Provider status;
    private volatile PoolView pool = PoolView.NONE;

    /** Counters for the source {@code sourceId} ({@code /PATH=URL}, as {@link SourceSpec#redacted} gives it). */
    SourceCounters(String sourceId, SourceLatency latency, Clock clock) {
        this.sourceId = sourceId;
        int eq = sourceId.indexOf('=');
        int colon = sourceId.indexOf(':', eq + 1);
        this.kinds = eq < 0 || colon < 0 ? List.of() : RequestKind.ofScheme(sourceId.substring(eq + 1, colon));
        this.latencies = latency;
        this.latency = latency.forSource(sourceId, kinds);
        this.recent = new RecentOutcome(clock);
        this.status = recent;
    }

    @Override
    public void answered(RequestKind kind, long nanos) {
        requests[kind.ordinal()].increment();
        latencyOf(kind).observe(nanos / 1e9);
        recent.answered();
    }

    @Override
    public void failed(RequestKind kind, ErrorClass error) {
        errors[error.ordinal()].increment();
        recent.failed(kind, error);
    }

    private DistributionDataPoint latencyOf(RequestKind kind) {
        DistributionDataPoint p = latency[kind.ordinal()];
        if (p == null) { // a kind not of this source's scheme: resolved once (a benign race resolves the same point)
            p = latencies.point(sourceId, kind);
            latency[kind.ordinal()] = p;
        }
        return p;
    }

    @Override
    public void retried(RequestKind kind) {
        retries.increment();
    }

    @Override
    public void pool(PoolView view) {
        pool = java.util.Objects.requireNonNull(view, "view");
    }

    /** Returns the source's state now. */
    SourceStatus status() {
        return status.status();
    }

    /** Replaces the state derived from recent requests by {@code provider}. */
    void useStatusProvider(SourceStatus.Provider provider) {
        status = java.util.Objects.requireNonNull(provider, "provider");
    }

    /** Returns a snapshot. */
    CacheStats.SourceStats snapshot() {
        Map<RequestKind, Long> byKind = new EnumMap<>(RequestKind.class);
        for (RequestKind k : RequestKind.values()) {
            long n = requests[k.ordinal()].sum();
            if (n > 0 || kinds.contains(k)) {
                byKind.put(k, n);
            }
        }
        Map<ErrorClass, Long> byClass = new EnumMap<>(ErrorClass.class);
        for (ErrorClass c : ErrorClass.values()) {
            byClass.put(c, errors[c.ordinal()].sum());
        }
        return new CacheStats.SourceStats(bytesFetched.sum(), readRequests.sum(), statRequests.sum(), listRequests.sum(),
                byKind, byClass, retries.sum(), pool.openConnections().getAsInt(), pool.waits().getAsLong(), status());
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /**
     * Online or offline by the last request: a failure without a usable answer (timeout, refused,
     * 5xx, broken or malformed answer) makes the source offline from then on; the next answer
     * makes it online again (a 5xx answer is followed by its failure, so it ends offline). A 4xx
     * is an answer from a live server and changes nothing.
     */
    private static final class RecentOutcome implements SourceStatus.Provider {
        private final Clock clock;
        private volatile SourceStatus current = SourceStatus.ONLINE;

        RecentOutcome(Clock clock) {
            this.clock = clock;
        }

        void answered() {
            if (current.state() != SourceStatus.State.ONLINE) { // a volatile read: no write per request
                current = new SourceStatus(SourceStatus.State.ONLINE, clock.instant(), "");
            }
        }

        void failed(RequestKind kind, ErrorClass error) {
            if (error == ErrorClass.STATUS_4XX) {
                return;
            }
            if (current.state() != SourceStatus.State.OFFLINE) {
                current = new SourceStatus(SourceStatus.State.OFFLINE, clock.instant(), kind.label() + " failed: " + error.label());
            }
        }

        @Override
        public SourceStatus status() {
            return current;
        }
    }
}
