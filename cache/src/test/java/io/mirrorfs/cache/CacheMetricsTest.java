package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror of a real nginx with its metrics registered: the Prometheus values are the stats
 * file's, the request counters match nginx's access log, and a stopped server shows as refused
 * requests, retries and an offline source until a request succeeds again.
 */
class CacheMetricsTest {

    private static final int SIZE = 3 << 20;

    @Test
    void metricsAgreeWithTheStatsFileAndTheServerLog(@TempDir Path tmp) throws Exception {
        Path www = tmp.resolve("www");
        Files.createDirectories(www.resolve("sub"));
        byte[] content = GeneratedTree.contentFor("a", SIZE);
        Files.write(www.resolve("a.bin"), content);
        Files.write(www.resolve("sub/b.bin"), GeneratedTree.contentFor("b", 200_000));
        new ProcessBuilder("chmod", "-R", "a+rX", tmp.toString()).inheritIO().start().waitFor(); // nginx's workers read it
        try (NginxServer nginx = NginxServer.start(www, NginxServer.Listing.EXACT);
                Vfs mirror = MirrorAssembly.assemble(List.of(SourceSpec.parse("/web=" + nginx.url())),
                        SourceOptions.builder().retries(2).build(), CacheConfig.builder().build(),
                        ArchiveOptions.defaults(), Clock.systemUTC())) {
            String source = "/web=" + nginx.url();
            PrometheusRegistry registry = new PrometheusRegistry();
            CacheMetrics.register(((StatsFileVfs) mirror).cache(), registry);
            nginx.resetCounters();

            mirror.list(VfsPath.parse("/web"));
            assertArrayEquals(content, readAll(mirror, "/web/a.bin"));

            assertEquals(nginx.requestCount(), (long) sum(registry, "mirrorfs_source_requests", l -> l.get("source").equals(source)),
                    String.join("\n", nginx.accessLogLines()));
            long gets = nginx.accessLogLines().stream().filter(l -> l.contains("\" 206 ")).count();
            assertTrue(gets >= 1);
            assertEquals(gets, (long) sum(registry, "mirrorfs_source_requests", l -> l.get("kind").equals("http_range_get")));
            assertEquals(SIZE, (long) sum(registry, "mirrorfs_source_upstream_bytes", l -> true));
            assertEquals(gets, histogramCount(registry, "http_range_get"));
            assertEquals(1, (long) sum(registry, "mirrorfs_source_state", l -> l.get("state").equals("online")));
            assertEquals(0, (long) sum(registry, "mirrorfs_source_requests", l -> l.get("kind").startsWith("ftp_")),
                    "an HTTP source shows only HTTP kinds");

            String stats = new String(readAll(mirror, "/.mirrorfs/stats"), StandardCharsets.US_ASCII);
            assertEquals((long) sum(registry, "mirrorfs_cache_hits", l -> true), statsValue(stats, "block_hits"));
            assertEquals((long) sum(registry, "mirrorfs_cache_misses", l -> true), statsValue(stats, "block_misses"));
            assertEquals((long) sum(registry, "mirrorfs_cache_read_ahead_fetched_blocks", l -> true), statsValue(stats, "read_ahead_fetches"));
            assertEquals((long) sum(registry, "mirrorfs_cache_read_ahead_used_blocks", l -> true), statsValue(stats, "read_ahead_used"));
            assertEquals((long) sum(registry, "mirrorfs_cache_max_bytes", l -> true), statsValue(stats, "max_bytes"));
            assertEquals(gets, statsValue(stats, "source " + source + " upstream_http_range_get"));
            assertEquals(SIZE, statsValue(stats, "source " + source + " bytes_fetched"));

            long requestsBefore = (long) sum(registry, "mirrorfs_source_requests", l -> true);
            nginx.stop();
            assertThrows(IOException.class, () -> readAll(mirror, "/web/sub/b.bin"));
            assertEquals(requestsBefore, (long) sum(registry, "mirrorfs_source_requests", l -> true),
                    "refused connections are errors, not requests nginx saw");
            assertTrue(sum(registry, "mirrorfs_source_errors", l -> l.get("class").equals("refused")) >= 1);
            assertEquals(0, (long) sum(registry, "mirrorfs_source_errors", l -> !l.get("class").equals("refused")));
            assertTrue(sum(registry, "mirrorfs_source_retries", l -> true) >= 2, "two retries after the first refusal");
            assertEquals(1, (long) sum(registry, "mirrorfs_source_state", l -> l.get("state").equals("offline")));
            assertEquals(SourceStatus.State.OFFLINE, ((StatsFileVfs) mirror).cache().sourceStatus().get(source).state());

            nginx.start();
            assertEquals(200_000, readAll(mirror, "/web/sub/b.bin").length);
            assertEquals(1, (long) sum(registry, "mirrorfs_source_state", l -> l.get("state").equals("online")));
            assertTrue(((StatsFileVfs) mirror).cache().sourceStatus().get(source).healthy());
        }
    }

    @Test
    void theStateComesFromTheInstalledProviderNotFromRequests() throws IOException {
        try (BlockCache cache = BlockCache.create(CacheConfig.builder().build())) {
            cache.countersFor("/x=http://x/").failed(io.mirrorfs.vfs.SourceMetrics.RequestKind.HTTP_HEAD,
                    io.mirrorfs.vfs.SourceMetrics.ErrorClass.TIMEOUT);
            assertEquals(SourceStatus.State.ONLINE, cache.sourceStatus().get("/x=http://x/").state(),
                    "a failed attempt is counted, but the state is the source health's (a CachingVfs installs it)");
            SourceStatus stale = new SourceStatus(SourceStatus.State.STALE, java.time.Instant.EPOCH, "serving cached listings");
            cache.useStatusProvider("/x=http://x/", () -> stale);
            assertEquals(stale, cache.sourceStatus().get("/x=http://x/"));
            assertEquals(stale, cache.stats().sources().get("/x=http://x/").status());
            assertTrue(stale.healthy());
        }
    }

    @Test
    void archiveIndexesBuiltLoadedAndBytesDecoded(@TempDir Path tmp) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < 20; i++) {
            Files.write(src.resolve("m" + i + ".bin"), GeneratedTree.contentFor("m" + i, 100_000));
        }
        Path pub = Files.createDirectories(tmp.resolve("pub"));
        new ProcessBuilder("tar", "-czf", pub.resolve("a.tar.gz").toString(), "-C", src.toString(), ".").inheritIO().start().waitFor();
        ArchiveOptions options = ArchiveOptions.builder().indexDirectory(tmp.resolve("indexes")).build();
        for (int mount = 0; mount < 2; mount++) {
            try (Vfs mirror = MirrorAssembly.assemble(List.of(SourceSpec.parse("/=" + pub.toUri())), SourceOptions.DEFAULTS,
                    CacheConfig.builder().build(), options, Clock.systemUTC())) {
                PrometheusRegistry registry = new PrometheusRegistry();
                CacheMetrics.registerArchives(((StatsFileVfs) mirror).archives(), registry);
                assertArrayEquals(GeneratedTree.contentFor("m7", 100_000), readAll(mirror, "/a.tar.gz#/m7.bin"));
                assertEquals(mount == 0 ? 1 : 0, (long) sum(registry, "mirrorfs_archive_indexes_built", l -> true));
                assertEquals(mount == 0 ? 0 : 1, (long) sum(registry, "mirrorfs_archive_indexes_loaded", l -> true), "the remount reads the saved index");
                double decoded = sum(registry, "mirrorfs_archive_decoded_bytes", l -> true);
                assertTrue(mount == 0 ? decoded >= 20 * 100_000 : decoded >= 100_000 && decoded < 20 * 100_000,
                        "a pass decodes the whole archive, a read from a checkpoint only its member: " + decoded);
                assertEquals(0, (long) sum(registry, "mirrorfs_archive_indexing_passes", l -> true));
                assertEquals(0.0, sum(registry, "mirrorfs_archive_indexing_progress_ratio", l -> true));
                String stats = new String(readAll(mirror, "/.mirrorfs/stats"), StandardCharsets.US_ASCII);
                assertEquals((long) decoded, statsValue(stats, "archive_bytes_decoded"));
            }
        }
    }

    private static double sum(PrometheusRegistry registry, String name, Predicate<Labels> labels) {
        MetricSnapshot m = registry.scrape().stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
        double total = 0;
        for (DataPointSnapshot d : m.getDataPoints()) {
            if (!labels.test(d.getLabels())) {
                continue;
            }
            total += d instanceof CounterSnapshot.CounterDataPointSnapshot c ? c.getValue()
                    : ((GaugeSnapshot.GaugeDataPointSnapshot) d).getValue();
        }
        return total;
    }

    private static long histogramCount(PrometheusRegistry registry, String kind) {
        HistogramSnapshot h = (HistogramSnapshot) registry.scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("mirrorfs_source_request_duration_seconds")).findFirst().orElseThrow();
        return h.getDataPoints().stream().filter(d -> d.getLabels().get("kind").equals(kind)).mapToLong(d -> d.getCount()).sum();
    }

    private static long statsValue(String stats, String name) {
        for (String line : stats.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(name.length()).trim());
            }
        }
        throw new AssertionError("no " + name + " in\n" + stats);
    }

    private static byte[] readAll(Vfs vfs, String path) throws IOException {
        try (VfsFile f = vfs.open(VfsPath.parse(path))) {
            ByteBuffer b = ByteBuffer.allocate((int) f.attrs().size());
            while (b.hasRemaining() && f.read(b.position(), b) > 0) {
                // read on
            }
            return b.array();
        }
    }
}
