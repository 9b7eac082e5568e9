package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.Cleanup;
import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.VfsReads;
import io.mirrorfs.testing.VsftpdServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.StaleFileException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the FTP source behaves when vsftpd stops, limits connections, times out or changes files. */
class FtpFailureTest {

    private static final int MIB = 1 << 20;

    private Path root;
    private VsftpdServer server;
    private FtpSource source;

    @BeforeEach
    void createTree() throws IOException {
        root = Files.createTempDirectory("mirrorfs-ftp-failures-");
        root.toFile().setReadable(true, false);
        root.toFile().setExecutable(true, false);
        for (int i = 0; i < 8; i++) {
            write("file" + i + ".bin", GeneratedTree.contentFor("file" + i, 3 * MIB + i * 1001));
        }
        write("big.bin", GeneratedTree.contentFor("big", 24 * MIB));
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        root.resolve("a").toFile().setExecutable(true, false);
        root.resolve("b").toFile().setExecutable(true, false);
    }

    @AfterEach
    void cleanUp() throws Exception {
        Cleanup.closeAll(source, server, () -> GeneratedTree.deleteRecursively(root));
    }

    @Test
    void serverStoppedMidReadFailsWithinTheTimeout() throws IOException {
        server = VsftpdServer.start(root);
        source = source("", SourceOptions.builder().readTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(2)).build());
        byte[] want = Files.readAllBytes(root.resolve("big.bin"));
        try (VfsFile f = source.open(VfsPath.parse("/big.bin"))) {
            ByteBuffer buf = ByteBuffer.allocate(MIB);
            assertEquals(MIB, f.read(0, buf));
            assertArrayEquals(Arrays.copyOf(want, MIB), buf.array());
            server.stop();
            IOException e = assertThrows(IOException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                // Bytes already in socket buffers may still arrive; they must be the right ones.
                for (long off = MIB; off < want.length; off += MIB) {
                    ByteBuffer b = ByteBuffer.allocate(MIB);
                    int n = f.read(off, b);
                    assertArrayEquals(Arrays.copyOfRange(want, (int) off, (int) off + n), Arrays.copyOf(b.array(), n));
                }
            }));
            assertFalse(e instanceof StaleFileException, e.toString());
            assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
        }
        // The source recovers when the server comes back.
        server.start();
        try (VfsFile f = source.open(VfsPath.parse("/file0.bin"))) {
            assertEquals(3 * MIB, f.read(0, ByteBuffer.allocate(3 * MIB)));
        }
    }

    @Test
    void eightParallelReadersShareTwoConnections() throws Exception {
        server = VsftpdServer.start(root, 2, 300);
        source = source("", SourceOptions.DEFAULTS);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String name = "/file" + i + ".bin";
                results.add(pool.submit(() -> readAll(name, 128 * 1024)));
            }
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(Files.readAllBytes(root.resolve("file" + i + ".bin")), results.get(i).get(), "file" + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(source.pool().liveConnections() <= 2, "open connections: " + source.pool().liveConnections());
    }

    @Test
    void connectionClosedByTheServersIdleTimeoutIsReplaced() throws Exception {
        server = VsftpdServer.start(root, 0, 1);
        long before = server.connectionCount();
        source = source("", SourceOptions.DEFAULTS);
        assertEquals(2, source.list(VfsPath.parse("/a")).size() + 2);
        Thread.sleep(2500);
        // The pooled connection is dead now; the next exchange must not notice.
        assertEquals(0, source.list(VfsPath.parse("/b")).size());
        try (VfsFile f = source.open(VfsPath.parse("/file1.bin"))) {
            assertEquals(1000, f.read(5000, ByteBuffer.allocate(1000)));
        }
        assertEquals(2, server.connectionCount() - before);
    }

    @Test
    void keepAliveKeepsAnIdleConnectionOpen() throws Exception {
        server = VsftpdServer.start(root, 0, 2);
        long before = server.connectionCount();
        source = new FtpSource(endpoint(""), SourceOptions.DEFAULTS, Duration.ZERO, Duration.ofMillis(400));
        source.list(VfsPath.parse("/a"));
        Thread.sleep(4000);
        source.list(VfsPath.parse("/b"));
        assertEquals(1, server.connectionCount() - before);
    }

    @Test
    void fileReplacedDuringAReadIsStale() throws Exception {
        server = VsftpdServer.start(root);
        source = source("", SourceOptions.DEFAULTS);
        try (VfsFile f = source.open(VfsPath.parse("/big.bin"))) {
            assertEquals(MIB, f.read(0, ByteBuffer.allocate(MIB)));
            Path fresh = root.resolve("fresh.tmp");
            Files.write(fresh, GeneratedTree.contentFor("other", 24 * MIB));
            Files.setLastModifiedTime(fresh, FileTime.from(Instant.now().plusSeconds(60)));
            Files.move(fresh, root.resolve("big.bin"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            // A seek needs a new transfer, which sees the new version.
            assertThrows(StaleFileException.class, () -> f.read(10L * MIB, ByteBuffer.allocate(MIB)));
        }
    }

    @Test
    void fileTruncatedDuringAStreamIsStale() throws Exception {
        server = VsftpdServer.start(root);
        source = source("", SourceOptions.DEFAULTS);
        try (VfsFile f = source.open(VfsPath.parse("/big.bin"))) {
            assertEquals(MIB, f.read(0, ByteBuffer.allocate(MIB)));
            try (var ch = java.nio.channels.FileChannel.open(root.resolve("big.bin"), java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(2 * MIB);
            }
            assertThrows(StaleFileException.class, () -> {
                for (long off = MIB; off < 24L * MIB; off += MIB) {
                    f.read(off, ByteBuffer.allocate(MIB));
                }
            });
        }
    }

    @Test
    void activeModeReads() throws Exception {
        server = VsftpdServer.start(root);
        source = source("?mode=active", SourceOptions.DEFAULTS);
        assertArrayEquals(Files.readAllBytes(root.resolve("file2.bin")), readAll("/file2.bin", MIB));
    }

    @Test
    void sequentialReadsUseOneTransfer() throws Exception {
        server = VsftpdServer.start(root);
        source = source("", SourceOptions.DEFAULTS);
        source.stat(VfsPath.parse("/big.bin"));
        server.resetCounters();
        readAll("/big.bin", 128 * 1024);
        // open: SIZE + MDTM; first transfer: SIZE, MDTM, EPSV, RETR (offset 0: no REST).
        assertTrue(server.commandCount() <= 8, "commands: " + server.commandCount());
    }

    private byte[] readAll(String name, int chunk) throws IOException {
        return VfsReads.readAll(source, name, chunk, 0);
    }

    private FtpSource source(String query, SourceOptions options) throws IOException {
        return (FtpSource) new FtpSourceFactory().create(URI.create(server.url() + query), options);
    }

    private FtpEndpoint endpoint(String query) throws IOException {
        return new FtpSourceFactory().endpoint(URI.create(server.url() + query), SourceOptions.DEFAULTS);
    }

    private void write(String name, byte[] content) throws IOException {
        Path p = root.resolve(name);
        Files.write(p, content);
        p.toFile().setReadable(true, false);
    }
}
