package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.Cleanup;
import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.VfsReads;
import io.mirrorfs.testing.VsftpdServer;
import io.mirrorfs.vfs.SourceMetrics;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What an FTP source reports to its {@link SourceMetrics}, against real vsftpd: RETRs as vsftpd logs them, listings, probes, its pool. */
class FtpSourceMetricsTest {

    private static final int SIZE = 4 << 20;

    private Path root;
    private VsftpdServer server;
    private FtpSource source;

    @AfterEach
    void cleanUp() throws Exception {
        Cleanup.closeAll(source, server, () -> GeneratedTree.deleteRecursively(root));
    }

    @Test
    void requestsMatchTheServerLogAndTheOneConnectionIsShared() throws Exception {
        root = Files.createTempDirectory("mirrorfs-ftp-metrics-");
        root.toFile().setReadable(true, false);
        root.toFile().setExecutable(true, false);
        for (String name : new String[] {"a.bin", "b.bin"}) {
            Path p = root.resolve(name);
            Files.write(p, GeneratedTree.contentFor(name, SIZE));
            p.toFile().setReadable(true, false);
        }
        server = VsftpdServer.start(root);
        Recorder metrics = new Recorder();
        source = (FtpSource) new FtpSourceFactory().create(URI.create(server.url() + "?connections=1"),
                SourceOptions.builder().metrics(metrics).build());
        assertEquals(2, source.list(VfsPath.ROOT).size());
        ExecutorService readers = Executors.newFixedThreadPool(2);
        int rounds = 0;
        try {
            // Two readers at once on one connection: one waits for it, unless the first finished
            // before the second started (a loaded machine), so up to five rounds.
            while (rounds < 5 && metrics.pool.waits().getAsLong() == 0) {
                rounds++;
                Future<byte[]> a = readers.submit(() -> VfsReads.readAll(source, "/a.bin", 128 << 10, 0));
                Future<byte[]> b = readers.submit(() -> VfsReads.readAll(source, "/b.bin", 128 << 10, 0));
                assertArrayEquals(GeneratedTree.contentFor("a.bin", SIZE), a.get());
                assertArrayEquals(GeneratedTree.contentFor("b.bin", SIZE), b.get());
            }
        } finally {
            readers.shutdownNow();
        }
        assertEquals(1, metrics.count(SourceMetrics.RequestKind.FTP_LIST));
        assertEquals(2L * rounds, metrics.count(SourceMetrics.RequestKind.FTP_SIZE_MDTM), "one probe per open");
        assertEquals(server.retrCount(), metrics.count(SourceMetrics.RequestKind.FTP_RETR));
        assertEquals(0, metrics.failures.get());
        assertTrue(metrics.pool.openConnections().getAsInt() <= 1);
        assertTrue(metrics.pool.waits().getAsLong() >= 1, "two readers, one connection: one of them waited");
    }

    /** Records what the source reports; a fake, not a mock. */
    private static final class Recorder implements SourceMetrics {
        private final Map<RequestKind, AtomicLong> requests = new EnumMap<>(RequestKind.class);
        final AtomicLong failures = new AtomicLong();
        volatile PoolView pool = PoolView.NONE;

        Recorder() {
            for (RequestKind k : RequestKind.values()) {
                requests.put(k, new AtomicLong());
            }
        }

        @Override
        public void answered(RequestKind kind, long nanos) {
            requests.get(kind).incrementAndGet();
        }

        @Override
        public void failed(RequestKind kind, ErrorClass error) {
            failures.incrementAndGet();
        }

        @Override
        public void retried(RequestKind kind) {
        }

        @Override
        public void pool(PoolView view) {
            pool = view;
        }

        long count(RequestKind kind) {
            return requests.get(kind).get();
        }
    }
}
