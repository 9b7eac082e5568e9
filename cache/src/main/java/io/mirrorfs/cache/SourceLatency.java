package io.mirrorfs.cache;

import io.mirrorfs.vfs.SourceMetrics.RequestKind;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.List;

/**
 * The upstream request latency of every source, as one Prometheus histogram labelled by source
 * and request kind. Classic buckets only: a native histogram costs more per observation and
 * needs the protobuf format to be scraped. Thread-safe.
 */
final class SourceLatency {

    /** From half a millisecond (loopback) to the 10 s read timeout. */
    private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Histogram histogram = Histogram.builder()
            .name("mirrorfs_source_request_duration_seconds")
            .help("Time from sending a request upstream to its answer (headers for a GET, the whole listing for LIST)")
            .labelNames("source", "kind")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .build();

    /** Returns the histogram, to register with a registry. */
    Histogram histogram() {
        return histogram;
    }

    /**
     * Returns the data points of {@code source} for each of {@code kinds} (by ordinal; null for
     * other kinds, which {@link #point} resolves on first use), resolved once so that recording
     * allocates nothing. Only the source's own kinds appear in a scrape until it uses others.
     */
    DistributionDataPoint[] forSource(String source, List<RequestKind> kinds) {
        DistributionDataPoint[] points = new DistributionDataPoint[RequestKind.values().length];
        for (RequestKind k : kinds) {
            points[k.ordinal()] = histogram.labelValues(source, k.label());
        }
        return points;
    }

    /** Returns the data point of {@code source} and {@code kind}. */
    DistributionDataPoint point(String source, RequestKind kind) {
        return histogram.labelValues(source, kind.label());
    }
}
