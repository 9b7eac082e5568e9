package io.mirrorfs.cache;

import io.mirrorfs.vfs.SourceMetrics;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one source: what the caching layer asked of it (reads, stats, listings and the
 * bytes they brought), and the requests the source itself reported sending upstream (by kind,
 * with latency, errors by class and retries). The stats file and the Prometheus endpoint both
 * read these adders, so they never disagree. The source's state is not derived here: it is asked
 * of the {@link SourceStatus.Provider} the caching layer installs ({@link SourceHealth}, which
 * sees every answer, failure and stale serving), so every view shows one state.
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
    /** Online until the caching layer installs the source's own state (see {@link #useStatusProvider}). */
    private volatile SourceStatus.Provider status = () -> SourceStatus.ONLINE;
    private volatile PoolView pool = PoolView.NONE;

    /** Counters for the source {@code sourceId} ({@code /PATH=URL}, as {@link SourceSpec#redacted} gives it). */
    SourceCounters(String sourceId, SourceLatency latency) {
        this.sourceId = sourceId;
        int eq = sourceId.indexOf('=');
        int colon = sourceId.indexOf(':', eq + 1);
        this.kinds = eq < 0 || colon < 0 ? List.of() : RequestKind.ofScheme(sourceId.substring(eq + 1, colon));
        this.latencies = latency;
        this.latency = latency.forSource(sourceId, kinds);
    }

    /** The shortest time any request took to be answered, in nanoseconds; MAX_VALUE before the first. */
    private volatile long fastestAnswer = Long.MAX_VALUE;

    @Override
    public void answered(RequestKind kind, long nanos) {
        requests[kind.ordinal()].increment();
        latencyOf(kind).observe(nanos / 1e9);
        if (nanos < fastestAnswer) {
            fastestAnswer = nanos; // a lost race keeps a slightly larger minimum: harmless
        }
    }

    /**
     * Returns the shortest time a request of this source took to be answered (a HEAD, a GET's
     * head): a floor of its round trip, since no answer comes faster than one. Empty before the
     * first answer.
     */
    OptionalLong roundTripFloorNanos() {
        long f = fastestAnswer;
        return f == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(f);
    }

    @Override
    public void failed(RequestKind kind, ErrorClass error) {
        errors[error.ordinal()].increment();
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

    /** Makes {@code provider} the source's state from now on (the caching layer's {@link SourceHealth}). */
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
}
