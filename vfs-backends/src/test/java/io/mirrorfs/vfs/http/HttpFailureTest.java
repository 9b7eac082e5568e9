package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.MountTable;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the HTTP source does when the server goes away, the file changes or Range is ignored, against real nginx. */
class HttpFailureTest {

    /** A hang guard, not a performance assertion: reads must end, with an error, instead of blocking. */
    private static final Duration GUARD = Duration.ofSeconds(30);
    private static final SourceOptions FAST = SourceOptions.builder()
            .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)).retries(2).build();

    private GeneratedTree tree;
    private NginxServer nginx;

    @BeforeEach
    void start() throws IOException {
        tree = GeneratedTree.create(false);
        nginx = NginxServer.start(tree.root(), NginxServer.Listing.EXACT);
    }

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (tree != null) {
            tree.close();
        }
    }

    private HttpSource source(String path) throws IOException {
        return HttpSourceFactory.create(URI.create(nginx.url() + path), FAST, HttpSettings.DEFAULTS,
                HttpSourceFactory.defaultTls());
    }

    @Test
    void noNetworkInTheConstructor() throws IOException {
        // Nothing listens on port 9 of 127.0.0.1: creating the source must still succeed.
        HttpSource dead = HttpSourceFactory.create(URI.create("http://127.0.0.1:9/x/"), FAST, HttpSettings.DEFAULTS,
                HttpSourceFactory.defaultTls());
        IOException e = assertThrows(IOException.class, () -> dead.list(VfsPath.ROOT));
        assertTrue(e.getMessage().contains("http://127.0.0.1:9/x/"), e.getMessage());
        dead.close();
    }

    @Test
    void serverStoppedBeforeAReadFailsTheReadAndOtherSourcesKeepWorking() throws Exception {
        try (HttpSource http = source("");
                Vfs mirror = new MountTable(Map.of(VfsPath.parse("/web"), http,
                        VfsPath.parse("/local"), new LocalSource(tree.root(), false)), Instant.EPOCH)) {
            VfsFile f = mirror.open(VfsPath.parse("/web/random-3m.bin"));
            nginx.stop();
            IOException e = assertTimeoutPreemptively(GUARD, () -> assertThrows(IOException.class, () -> f.read(0, ByteBuffer.allocate(4096))));
            assertFalse(e instanceof StaleFileException);
            assertTrue(e.getMessage().contains(nginx.url() + "random-3m.bin"), e.getMessage());
            assertEquals(13, mirror.stat(VfsPath.parse("/local/hello.txt")).size());
            f.close();
        }
    }

    @Test
    void serverStoppedDuringAReadFailsWithinTheTimeouts() throws Exception {
        try (HttpSource http = source(""); VfsFile f = http.open(VfsPath.parse("/" + GeneratedTree.LARGE_FILE))) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long off = 0; off < 8L << 20; off += 1 << 20) {
                buf.clear();
                f.read(off, buf); // sequential: a large window is now open on the connection
            }
            nginx.stop();
            assertTimeoutPreemptively(GUARD, () -> assertThrows(IOException.class, () -> {
                for (long off = 8L << 20; off < GeneratedTree.LARGE_SIZE; off += 1 << 20) {
                    buf.clear();
                    f.read(off, buf);
                }
            }));
        }
    }

    @Test
    void fileReplacedDuringAReadIsStaleNeverMixed() throws Exception {
        Path disk = tree.root().resolve("random-3m.bin");
        byte[] old = Files.readAllBytes(disk);
        try (HttpSource http = source(""); VfsFile f = http.open(VfsPath.parse("/random-3m.bin"))) {
            ByteBuffer first = ByteBuffer.allocate(65536);
            assertEquals(65536, f.read(0, first));
            assertArrayEquals(Arrays.copyOf(old, 65536), first.array());
            byte[] replacement = old.clone();
            Arrays.fill(replacement, (byte) 7);
            Path tmp = tree.root().resolve(".new");
            Files.write(tmp, replacement);
            Files.setLastModifiedTime(tmp, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
            Files.move(tmp, disk, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            // Reads far away (new request) and close by (open body, if any) both refuse the new bytes.
            assertThrows(StaleFileException.class, () -> f.read(2_000_000, ByteBuffer.allocate(4096)));
            assertThrows(StaleFileException.class, () -> f.read(70_000, ByteBuffer.allocate(1 << 20)));
        }
        try (HttpSource http = source(""); VfsFile again = http.open(VfsPath.parse("/random-3m.bin"))) {
            ByteBuffer b = ByteBuffer.allocate(10);
            again.read(100, b);
            assertArrayEquals(new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7}, b.array());
        }
    }

    @Test
    void fileShrunkWhileOpenIsStale() throws Exception {
        Path disk = tree.root().resolve("random-100k.bin");
        try (HttpSource http = source(""); VfsFile f = http.open(VfsPath.parse("/random-100k.bin"))) {
            Files.write(disk, new byte[10]);
            assertThrows(StaleFileException.class, () -> f.read(50_000, ByteBuffer.allocate(4096)));
        }
    }

    @Test
    void listedFileAnswering404IsNoSuchFile() throws Exception {
        try (HttpSource http = source("")) {
            FileAttrs listed = http.stat(VfsPath.parse("/hello.txt"));
            assertEquals(13, listed.size());
            Files.delete(tree.root().resolve("hello.txt"));
            assertThrows(NoSuchFileException.class, () -> http.open(VfsPath.parse("/hello.txt")));
        }
    }

    @Test
    void fileDeletedWhileOpenIsStale() throws Exception {
        try (HttpSource http = source(""); VfsFile f = http.open(VfsPath.parse("/random-100k.bin"))) {
            Files.delete(tree.root().resolve("random-100k.bin"));
            assertThrows(StaleFileException.class, () -> f.read(0, ByteBuffer.allocate(100)));
        }
    }

    @Test
    void serverIgnoringRangeStillServesCorrectBytesAtBoundedCost() throws Exception {
        byte[] disk = Files.readAllBytes(tree.root().resolve("random-3m.bin"));
        try (HttpSource http = source("norange/")) {
            try (VfsFile f = http.open(VfsPath.parse("/random-3m.bin"))) {
                nginx.resetCounters(); // after open's HEAD
                ByteBuffer buf = ByteBuffer.allocate(4096);
                long[] offsets = {1_000_000, 1_500_000, 1_600_000, 2_900_000, 100};
                for (long off : offsets) {
                    buf.clear();
                    assertEquals(4096, f.read(off, buf));
                    assertArrayEquals(Arrays.copyOfRange(disk, (int) off, (int) off + 4096), buf.array(), "offset " + off);
                }
            } // closing the handle ends the bodies still open, so nginx logs their requests
        }
        // Forward reads continue one body; only the read behind it starts a new one: two whole-file
        // GETs, nothing more and nothing less.
        long requests = awaitLogged(nginx::requestCount, 2);
        List<String> log = nginx.accessLogLines();
        assertEquals(2, requests, log.toString());
        for (String line : log.subList(log.size() - 2, log.size())) {
            assertTrue(line.contains("\"GET /norange/random-3m.bin HTTP/1.1\" 200 "), line);
        }
    }

    @Test
    void sequentialReadCostsFewRequestsAndRandomReadsFetchOnlyTheirBytes() throws Exception {
        long sequentialBytes = 64L << 20;
        try (HttpSource http = source("")) {
            try (VfsFile f = http.open(VfsPath.parse("/" + GeneratedTree.LARGE_FILE))) {
                nginx.resetCounters();
                ByteBuffer buf = ByteBuffer.allocate(128 << 10);
                for (long off = 0; off < sequentialBytes; off += buf.capacity()) {
                    buf.clear();
                    assertEquals(buf.capacity(), f.read(off, buf));
                }
            } // closing the handle ends the window still open, so nginx logs it
            // Every byte read was sent; the window still open when the handle closed may have sent more.
            long sent = awaitLogged(nginx::bytesSent, sequentialBytes);
            long sequentialRequests = nginx.requestCount();
            assertTrue(sequentialRequests >= 1 && sequentialRequests <= 12, "64 MiB in 128 KiB reads took " + sequentialRequests + " requests");
            assertTrue(sent >= sequentialBytes && sent <= 2 * sequentialBytes, "sent " + sent);

            try (VfsFile f = http.open(VfsPath.parse("/" + GeneratedTree.LARGE_FILE))) {
                nginx.resetCounters(); // after open's HEAD
                java.util.Random rnd = new java.util.Random(1);
                for (int i = 0; i < 100; i++) {
                    ByteBuffer small = ByteBuffer.allocate(4096);
                    assertEquals(4096, f.read((long) (rnd.nextDouble() * (GeneratedTree.LARGE_SIZE - 4096)), small));
                }
            }
            // A random read asks for its own bytes: one complete 4 KiB range request each.
            assertEquals(100, awaitLogged(nginx::requestCount, 100), nginx.accessLogLines().toString());
            long randomSent = nginx.bytesSent();
            assertTrue(randomSent >= 100 * 4096 && randomSent <= 64L * 100 * 4096, "random reads made nginx send " + randomSent);
        }
    }

    /** A count read from nginx's access log. */
    private interface LogCount {
        long get() throws IOException;
    }

    /**
     * Returns {@code count} once it reaches {@code minimum}, or after 5 s whatever it is then:
     * nginx logs a request only when its response ends, which for a body cut short by the client
     * can be a moment after the client closed it.
     */
    private static long awaitLogged(LogCount count, long minimum) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long n = count.get();
        while (n < minimum && System.nanoTime() < deadline) {
            Thread.sleep(50);
            n = count.get();
        }
        return n;
    }

    @Test
    void walkingTheTreeCostsOneRequestPerDirectory() throws Exception {
        try (HttpSource http = source("")) {
            nginx.resetCounters();
            int dirs = walk(http, VfsPath.ROOT);
            assertEquals(dirs, nginx.requestCount(), nginx.accessLogLines().toString());
        }
    }

    private static int walk(Vfs vfs, VfsPath dir) throws IOException {
        int dirs = 1;
        for (var e : vfs.list(dir)) {
            VfsPath p = dir.resolve(e.name());
            FileAttrs a = vfs.stat(p);
            if (a.isDirectory()) {
                dirs += walk(vfs, p);
            }
        }
        return dirs;
    }

    @Test
    void hugeListingIsRefused() throws Exception {
        try (HttpSource http = HttpSourceFactory.create(URI.create(nginx.url()), FAST, HttpSettings.DEFAULTS.withMaxListingBytes(1024),
                HttpSourceFactory.defaultTls())) {
            IOException e = assertThrows(IOException.class, () -> http.list(VfsPath.parse("/odd names")));
            assertTrue(e.getMessage().contains("larger than 1024"), e.getMessage());
        }
    }
}
