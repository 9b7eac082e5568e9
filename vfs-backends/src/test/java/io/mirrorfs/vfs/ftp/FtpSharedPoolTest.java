package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.Cleanup;
import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.VfsReads;
import io.mirrorfs.testing.VsftpdServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * More sequential readers than pooled connections, against real vsftpd: they share the pool by
 * leases (see {@link FtpConnectionPool}) instead of stopping each other's transfers at every
 * block, never exceed the bound, and a reader waiting for a connection gets one well within the
 * read timeout while the others stream continuously.
 */
class FtpSharedPoolTest {

    private static final int MIB = 1 << 20;
    private static final int FILES = 8;
    private static final int FILE_SIZE = 16 * MIB;
    /** How long a reader takes to come back for its next block: a FUSE round trip and a copy to the kernel. */
    private static final long CONSUMER_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private Path root;
    private VsftpdServer server;
    private FtpSource source;

    @BeforeEach
    void createTree() throws IOException {
        root = Files.createTempDirectory("mirrorfs-ftp-shared-pool-");
        root.toFile().setReadable(true, false);
        root.toFile().setExecutable(true, false);
        for (int i = 0; i < FILES; i++) {
            write("f" + i + ".bin", GeneratedTree.contentFor("f" + i, FILE_SIZE + i * 4099));
        }
        write("probe.bin", GeneratedTree.contentFor("probe", 8 * MIB));
        server = VsftpdServer.start(root);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Cleanup.closeAll(source, server, () -> GeneratedTree.deleteRecursively(root));
    }

    /**
     * Eight handles reading 1 MiB blocks in order, as the cache fetches them, through four
     * connections. Taking over the longest-parked transfer whenever no connection was idle cost
     * about one RETR per block (121 of 128 blocks, measured); with leases, one per file here,
     * plus one per lease that runs out. The bound allows four per file: a busy machine slows the
     * streams, so fewer bytes fit a lease's time.
     */
    @Test
    void eightSequentialReadersShareFourConnectionsWithFewRetrs() throws Exception {
        source = source("?connections=4", SourceOptions.DEFAULTS);
        long retrBefore = server.retrCount();
        AtomicInteger mostLive = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Thread monitor = new Thread(() -> {
            while (!done.get()) {
                mostLive.accumulateAndGet(source.pool().liveConnections(), Math::max);
                LockSupport.parkNanos(200_000);
            }
        });
        monitor.setDaemon(true);
        monitor.start();
        ExecutorService readers = Executors.newFixedThreadPool(FILES);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < FILES; i++) {
                String name = "/f" + i + ".bin";
                results.add(readers.submit(() -> readAll(name, MIB, CONSUMER_PAUSE_NANOS)));
            }
            for (int i = 0; i < FILES; i++) {
                assertArrayEquals(Files.readAllBytes(root.resolve("f" + i + ".bin")), results.get(i).get(2, TimeUnit.MINUTES),
                        "f" + i);
            }
        } finally {
            done.set(true);
            readers.shutdownNow();
        }
        monitor.join();
        long retrs = server.retrCount() - retrBefore;
        assertTrue(mostLive.get() <= 4, "connections open at once: " + mostLive.get());
        assertTrue(retrs >= FILES, "RETRs: " + retrs);
        assertTrue(retrs <= 4L * FILES, "RETRs for " + FILES + " files of 16 MiB: " + retrs);
    }

    /**
     * Four readers stream continuously through two connections, a fifth alternates between two
     * streams of one file (so it keeps replacing its own transfers, which must not renew its
     * lease), while a sixth reads 64 KiB at scattered offsets of another file, each read needing
     * a connection of its own. Every read of each completes well within the 2 s read timeout.
     */
    @Test
    void aWaitingReaderIsServedWithinTheReadTimeoutWhileOthersStream() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        source = source("?connections=2", SourceOptions.builder().readTimeout(timeout).connectTimeout(timeout).build());
        byte[] probe = Files.readAllBytes(root.resolve("probe.bin"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong slowestStreamRead = new AtomicLong();
        AtomicLong streamed = new AtomicLong();
        ExecutorService streams = Executors.newFixedThreadPool(5);
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                String name = "/f" + i + ".bin";
                running.add(streams.submit(() -> {
                    while (!stop.get()) {
                        try (VfsFile f = source.open(VfsPath.parse(name))) {
                            for (long off = 0; off < f.attrs().size() && !stop.get(); off += MIB) {
                                long t0 = System.nanoTime();
                                int n = f.read(off, ByteBuffer.allocate(MIB));
                                slowestStreamRead.accumulateAndGet(System.nanoTime() - t0, Math::max);
                                streamed.addAndGet(n);
                            }
                        }
                    }
                    return null;
                }));
            }
            running.add(streams.submit(() -> {
                try (VfsFile f = source.open(VfsPath.parse("/f7.bin"))) {
                    long half = f.attrs().size() / 2;
                    for (long i = 0; !stop.get(); i = (i + 1) % 8) {
                        for (long base : new long[] {0, half}) {
                            long t0 = System.nanoTime();
                            int n = f.read(base + i * MIB, ByteBuffer.allocate(MIB));
                            slowestStreamRead.accumulateAndGet(System.nanoTime() - t0, Math::max);
                            streamed.addAndGet(n);
                        }
                    }
                }
                return null;
            }));
            // The five own both connections and keep them busy before the first scattered read: wait
            // until they streamed a few blocks, however long their first RETRs took here.
            while (streamed.get() < 4L * MIB && running.stream().noneMatch(Future::isDone)) {
                Thread.sleep(1);
            }
            long slowest = 0;
            int reads = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            try (VfsFile f = source.open(VfsPath.parse("/probe.bin"))) {
                for (long off = 5L * MIB; System.nanoTime() < end; off = (off + 3L * MIB + 12_345) % (probe.length - 65_536)) {
                    ByteBuffer b = ByteBuffer.allocate(65_536);
                    long t0 = System.nanoTime();
                    assertEquals(65_536, f.read(off, b));
                    slowest = Math.max(slowest, System.nanoTime() - t0);
                    reads++;
                    assertArrayEquals(Arrays.copyOfRange(probe, (int) off, (int) off + 65_536), b.array(), "at " + off);
                }
            }
            stop.set(true);
            for (Future<?> r : running) {
                r.get(30, TimeUnit.SECONDS);
            }
            long limit = timeout.toNanos() / 2;
            assertTrue(reads >= 3, "scattered reads in 3 s: " + reads);
            assertTrue(slowest < limit, "slowest scattered read: " + slowest / 1_000_000 + " ms");
            assertTrue(slowestStreamRead.get() < limit, "slowest streaming read: " + slowestStreamRead.get() / 1_000_000 + " ms");
            assertTrue(streamed.get() > 16L * MIB, "streamed meanwhile: " + streamed.get());
            assertTrue(source.pool().liveConnections() <= 2, "open connections: " + source.pool().liveConnections());
        } finally {
            stop.set(true);
            streams.shutdownNow();
        }
    }

    /**
     * Reads {@code name} in order, {@code chunk} bytes at a time, pausing {@code pauseNanos}
     * between reads as a consumer does (FUSE hands each block to the kernel and waits for the
     * application's next read).
     */
    /**
     * One connection; a handle alternates between two streams of its file, so every read replaces
     * its own transfer, while a listing waits for the connection. A replacement continues the
     * lease of the transfer it replaced, so the lease still runs out and the listing gets the
     * connection at the handle's next park instead of waiting until the handle stops reading.
     */
    @Test
    void anOwnerReplacingItsOwnTransfersDoesNotKeepTheConnectionFromAWaiter() throws Exception {
        Files.createDirectories(root.resolve("d"));
        root.resolve("d").toFile().setExecutable(true, false);
        write("d/x.txt", new byte[] {1});
        source = source("?connections=1", SourceOptions.builder().readTimeout(Duration.ofSeconds(5)).build());
        byte[] data = Files.readAllBytes(root.resolve("f0.bin"));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (VfsFile f = source.open(VfsPath.parse("/f0.bin"))) {
            long half = 8L * MIB;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            Future<?> alternating = reader.submit(() -> {
                // Not up to the end of the file: a transfer that reaches it is stopped, freeing the connection.
                for (long i = 0; !stop.get() && System.nanoTime() < giveUp; i = (i + 1) % 7) {
                    for (long base : new long[] {0, half}) {
                        long off = base + i * MIB;
                        ByteBuffer b = ByteBuffer.allocate(MIB);
                        assertEquals(MIB, f.read(off, b));
                        assertArrayEquals(Arrays.copyOfRange(data, (int) off, (int) off + MIB), b.array());
                        reads.incrementAndGet();
                    }
                }
                return null;
            });
            // The listing must find the connection taken: wait until the handle has replaced its own
            // transfer at least once (a read of each stream), however long the first RETR took here.
            while (reads.get() < 2 && !alternating.isDone()) {
                Thread.sleep(1);
            }
            assertTrue(reads.get() >= 2, "the handle was reading before the listing");
            long t0 = System.nanoTime();
            assertEquals(1, source.list(VfsPath.parse("/d")).size());
            long waited = System.nanoTime() - t0;
            int readsAfter = reads.get();
            // Until its next read or its own deadline, not a fixed pause: a slow machine may take a while per read.
            while (reads.get() == readsAfter && !alternating.isDone()) {
                Thread.sleep(1);
            }
            stop.set(true);
            alternating.get(30, TimeUnit.SECONDS);
            assertTrue(waited < TimeUnit.SECONDS.toNanos(1), "the listing waited " + waited / 1_000_000 + " ms");
            assertTrue(reads.get() > readsAfter, "the handle read on after the listing");
            assertTrue(source.pool().liveConnections() <= 1, "open connections: " + source.pool().liveConnections());
        } finally {
            stop.set(true);
            reader.shutdownNow();
        }
    }

    private byte[] readAll(String name, int chunk, long pauseNanos) throws IOException {
        return VfsReads.readAll(source, name, chunk, pauseNanos);
    }

    private FtpSource source(String query, SourceOptions options) throws IOException {
        return (FtpSource) new FtpSourceFactory().create(URI.create(server.url() + query), options);
    }

    private void write(String name, byte[] content) throws IOException {
        Path p = root.resolve(name);
        Files.write(p, content);
        p.toFile().setReadable(true, false);
    }
}
