package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.MemoryVfs;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.net.ConnectException;
import jnr.ffi.Memory;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/** FUSE callbacks called directly, as libfuse would: counted by operation only while mounted, with EIO and open handles. */
class FuseMetricsTest {

    private static final Runtime RT = Runtime.getSystemRuntime();
    private static final int EIO = 5;

    private final MemoryVfs vfs = new MemoryVfs("t").file("/a.txt", "hello");
    private final FuseMetrics metrics = FuseMetrics.enabled();
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final MirrorFs fs = new MirrorFs(vfs, 0, 0, "mirrorfs", new MirrorFs.MountListener() {
        @Override
        public void mounted() {
        }

        @Override
        public void unmounted() {
        }
    }, metrics);

    @Test
    void countsOperationsLatencyEioAndHandlesWhileMounted() {
        metrics.register(registry);
        assertEquals(0, fs.getattr("/a.txt", stat()), "the warm-up's calls, before the mount");
        assertEquals(0, counter("mirrorfs_fuse_operations", "getattr"));
        assertEquals(0, gauge("mirrorfs_fuse_mounted"));

        fs.init(null);
        assertEquals(1, gauge("mirrorfs_fuse_mounted"));
        assertEquals(0, fs.getattr("/a.txt", stat()));
        assertEquals(0, fs.getattr("/a.txt", stat()));
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(RT, 256));
        assertEquals(0, fs.open("/a.txt", fi));
        assertEquals(1, gauge("mirrorfs_fuse_open_handles"));
        assertEquals(5, fs.read("/a.txt", Memory.allocateDirect(RT, 16), 16, 0, fi));
        vfs.failWith(new ConnectException("Connection refused"));
        assertEquals(-EIO, fs.getattr("/a.txt", stat()));
        assertEquals(0, fs.release("/a.txt", fi));

        assertEquals(3, counter("mirrorfs_fuse_operations", "getattr"));
        assertEquals(1, counter("mirrorfs_fuse_operations", "read"));
        assertEquals(1, counter("mirrorfs_fuse_eio_errors", "getattr"));
        assertEquals(0, counter("mirrorfs_fuse_eio_errors", "read"));
        assertEquals(0, gauge("mirrorfs_fuse_open_handles"));
        HistogramSnapshot.HistogramDataPointSnapshot h = ((HistogramSnapshot) get("mirrorfs_fuse_operation_duration_seconds"))
                .getDataPoints().stream().filter(d -> d.getLabels().get("op").equals("getattr")).findFirst().orElseThrow();
        assertEquals(3, h.getCount());

        fs.destroy(null);
        assertEquals(0, gauge("mirrorfs_fuse_mounted"));
        fs.getattr("/a.txt", stat());
        assertEquals(3, counter("mirrorfs_fuse_operations", "getattr"), "nothing counted after the unmount");
    }

    @Test
    void disabledMetricsCountNothing() {
        FuseMetrics off = FuseMetrics.disabled();
        off.mounted(true);
        assertEquals(-EIO, off.done(FuseMetrics.Op.READ, off.start(), -EIO));
        assertEquals(0, off.count(FuseMetrics.Op.READ));
    }

    private static FileStat stat() {
        return FileStat.of(Memory.allocateDirect(RT, 512));
    }

    private MetricSnapshot get(String name) {
        return registry.scrape().stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    private long counter(String name, String op) {
        return (long) ((CounterSnapshot) get(name)).getDataPoints().stream()
                .filter(d -> d.getLabels().get("op").equals(op)).findFirst().orElseThrow().getValue();
    }

    private long gauge(String name) {
        return (long) ((GaugeSnapshot) get(name)).getDataPoints().get(0).getValue();
    }
}
