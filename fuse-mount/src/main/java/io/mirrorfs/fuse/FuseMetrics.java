package io.mirrorfs.fuse;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.function.IntSupplier;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * Counts the FUSE callbacks: operations by type, their latency, EIO answers, open handles and
 * whether the kernel mount is live. {@link #disabled} (without {@code --metrics}) does not even
 * read the clock, so a mount without metrics pays one predictable branch per callback.
 *
 * <p>Thread-safe and allocation-free per call: the data points of every operation are resolved
 * once, and each is a lock-free adder.
 */
final class FuseMetrics {

    /** The callbacks measured: those that reach the {@code Vfs}; mutating ones only answer EROFS. */
    enum Op {
        GETATTR, FGETATTR, READLINK, OPENDIR, READDIR, OPEN, READ, RELEASE, STATFS;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    /** Buckets from a warm page-cache-like answer (20 us) to a slow upstream (10 s). */
    private static final double[] BUCKETS = {0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};


    private static final int EIO = -ErrorCodes.EIO();

    private final boolean enabled;
    private final Counter ops;
    private final Counter eio;
    private final Histogram latency;
    private final CounterDataPoint[] opPoints;
    private final CounterDataPoint[] eioPoints;
    private final DistributionDataPoint[] latencyPoints;
    private volatile boolean mounted;
    private volatile IntSupplier openHandles = () -> 0;

    private FuseMetrics(boolean enabled) {
        this.enabled = enabled;
        this.ops = Counter.builder().name("mirrorfs_fuse_operations").help("FUSE callbacks served, by operation")
                .labelNames("op").build();
        this.eio = Counter.builder().name("mirrorfs_fuse_eio_errors").help("FUSE callbacks answered with EIO, by operation")
                .labelNames("op").build();
        this.latency = Histogram.builder().name("mirrorfs_fuse_operation_duration_seconds")
                .help("Time spent in a FUSE callback (in Java, after libfuse handed it over)")
                .labelNames("op").classicOnly().classicUpperBounds(BUCKETS).build();
        Op[] all = Op.values();
        opPoints = new CounterDataPoint[all.length];
        eioPoints = new CounterDataPoint[all.length];
        latencyPoints = new DistributionDataPoint[all.length];
        for (Op op : all) {
            opPoints[op.ordinal()] = ops.labelValues(op.label);
            eioPoints[op.ordinal()] = eio.labelValues(op.label);
            latencyPoints[op.ordinal()] = latency.labelValues(op.label);
        }
    }

    /** Returns metrics that measure nothing (without {@code --metrics}). */
    static FuseMetrics disabled() {
        return new FuseMetrics(false);
    }

    /** Returns metrics that count, to be registered with {@link #register}. */
    static FuseMetrics enabled() {
        return new FuseMetrics(true);
    }

    /** Registers the FUSE metrics in {@code registry}. */
    void register(PrometheusRegistry registry) {
        registry.register(ops);
        registry.register(eio);
        registry.register(latency);
        GaugeWithCallback.builder().name("mirrorfs_fuse_open_handles").help("Files open through the mount")
                .callback(cb -> cb.call(this.openHandles.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("mirrorfs_fuse_mounted").help("1 while the kernel mount is live")
                .callback(cb -> cb.call(mounted ? 1 : 0)).register(registry);
    }

    /** Makes {@code openHandles} the source of the open-handles gauge (the mount's handle table). */
    void countOpenHandles(IntSupplier openHandles) {
        this.openHandles = openHandles;
    }

    /**
     * Returns the start time of a callback, or 0 when disabled or not mounted: the warm-up calls
     * the callbacks before the kernel mount exists (see {@link CallbackWarmup}), and those are not
     * the users' operations.
     */
    long start() {
        return enabled && mounted ? System.nanoTime() : 0;
    }

    /** Records a callback of {@code op} started at {@code start} that returns {@code result}; returns {@code result}. */
    int done(Op op, long start, int result) {
        if (start != 0) {
            int i = op.ordinal();
            opPoints[i].inc();
            latencyPoints[i].observe((System.nanoTime() - start) / 1e9);
            if (result == EIO) {
                eioPoints[i].inc();
            }
        }
        return result;
    }

    /** Records that the kernel mount became live ({@code true}) or ended. */
    void mounted(boolean live) {
        mounted = live;
    }

    /** Returns whether the kernel mount is live. */
    boolean mounted() {
        return mounted;
    }

    /** Returns how many callbacks of {@code op} were counted (for tests). */
    long count(Op op) {
        return opPoints[op.ordinal()].getLongValue();
    }
}
