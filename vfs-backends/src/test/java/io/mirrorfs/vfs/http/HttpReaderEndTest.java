package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP file and the reader's end ({@link VfsFile#readWithin}), and concurrent reads of one
 * handle, counted in the bytes a real nginx sent.
 */
class HttpReaderEndTest {

    private static final int MIB = 1 << 20;
    private static final int SIZE = 16 * MIB;
    private static byte[] data;

    @TempDir
    static Path tmp;
    static NginxServer nginx;

    @BeforeAll
    static void serve() throws IOException {
        data = new byte[SIZE];
        new Random(5).nextBytes(data);
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.write(www.resolve("f.bin"), data);
        for (Path p : List.of(tmp, www)) { // nginx's workers run as nobody
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(www.resolve("f.bin"), PosixFilePermissions.fromString("rw-r--r--"));
        nginx = NginxServer.start(www, NginxServer.Listing.EXACT);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    private static HttpSource source() throws IOException {
        return HttpSourceFactory.create(URI.create(nginx.url()), SourceOptions.DEFAULTS, HttpSettings.DEFAULTS,
                HttpSourceFactory.defaultTls());
    }

    /**
     * A twin of a handle (what the cache's read-ahead lanes use) asks the server nothing until it
     * reads: no HEAD, so a lane over a long link starts one round trip sooner. It reads the same
     * bytes on its own connection, and fails like the original once the file changed upstream.
     */
    @Test
    void aDuplicateAsksNothingReadsTheSameVersionAndFailsWhenTheFileChanged() throws Exception {
        Path www = tmp.resolve("www");
        byte[] first = Arrays.copyOf(data, 4 * MIB);
        Files.write(www.resolve("twin.bin"), first);
        Files.setPosixFilePermissions(www.resolve("twin.bin"), PosixFilePermissions.fromString("rw-r--r--"));
        try (HttpSource http = source(); VfsFile f = http.open(VfsPath.parse("/twin.bin"))) {
            nginx.resetCounters();
            VfsFile twin = f.duplicate().orElseThrow();
            assertEquals(0, nginx.requestCount(), "a twin is made without a request");
            try (twin) {
                ByteBuffer b = ByteBuffer.allocate(MIB);
                while (b.hasRemaining()) {
                    twin.readWithin(2L * MIB + b.position(), b, 3L * MIB);
                }
                assertArrayEquals(Arrays.copyOfRange(first, 2 * MIB, 3 * MIB), b.array());
                List<String> log = nginx.accessLogLines();
                List<String> twinsRequests = log.subList(log.size() - (int) nginx.requestCount(), log.size());
                assertEquals(1, twinsRequests.size(), "one GET:\n" + twinsRequests);
                assertTrue(twinsRequests.get(0).contains("\"GET /twin.bin"), "one GET:\n" + twinsRequests);
                Files.write(www.resolve("twin.bin"), Arrays.copyOfRange(data, 4 * MIB, 8 * MIB));
                Files.setLastModifiedTime(www.resolve("twin.bin"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 60_000));
                VfsFile late = f.duplicate().orElseThrow();
                try (late) {
                    org.junit.jupiter.api.Assertions.assertThrows(io.mirrorfs.vfs.StaleFileException.class,
                            () -> late.read(0, ByteBuffer.allocate(64 << 10)), "a changed file is never mixed into the pinned version");
                }
            }
        }
    }

    /** Reads {@code [from, to)} in {@code chunk} pieces and checks the bytes. */
    private static void readRange(VfsFile f, long from, long to, int chunk, long readerEnd) throws IOException {
        for (long off = from; off < to; off += chunk) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(chunk, to - off));
            while (b.hasRemaining()) {
                if (readerEnd == Long.MAX_VALUE) {
                    f.read(off + b.position(), b);
                } else {
                    f.readWithin(off + b.position(), b, readerEnd);
                }
            }
            assertArrayEquals(Arrays.copyOfRange(data, (int) off, (int) off + b.capacity()), b.array(), "at " + off);
        }
    }

    @Test
    void windowsStopAtTheReadersEnd() throws Exception {
        long from = 2L * MIB;
        long end = 7L * MIB + 100;
        try (HttpSource http = source(); VfsFile f = http.open(VfsPath.parse("/f.bin"))) {
            nginx.resetCounters();
            readRange(f, from, end, MIB, end);
            assertEquals(end - from, nginx.bytesSent(), "requests: " + nginx.accessLogLines());
        }
    }

    @Test
    void aReadPastTheReadersEndIsStillServedWhole() throws Exception {
        try (HttpSource http = source(); VfsFile f = http.open(VfsPath.parse("/f.bin"))) {
            readRange(f, 0, 3L * MIB, MIB, 1000); // the end is a hint, never a limit
        }
    }

    @Test
    void withoutAnEndTheWindowsGrowAsBefore() throws Exception {
        try (HttpSource http = source(); VfsFile f = http.open(VfsPath.parse("/f.bin"))) {
            nginx.resetCounters();
            readRange(f, 0, 4L * MIB, MIB, Long.MAX_VALUE);
            long requests = nginx.requestCount();
            assertEquals(3, requests, "windows of 1, 2 and 4 MiB: " + nginx.accessLogLines());
        }
    }

    /**
     * Two readers of one handle, the second taking the next block while the first one's request is
     * on its way (a cache's reader and its read-ahead): the doubled window of the first would cover
     * the second's block, so the second waits for the body the first is reading and continues it,
     * or its own request stops where the first one's body starts. Either way no byte is fetched
     * twice. The second reader starts once the first is in flight (or done), so the check does not
     * depend on which thread the scheduler runs first.
     */
    @Test
    void concurrentReadsOfNeighbouringBlocksAreNotFetchedTwice() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (HttpSource http = source(); HttpFile f = (HttpFile) http.open(VfsPath.parse("/f.bin"))) {
            nginx.resetCounters();
            for (long block = 0; block < SIZE / MIB; block += 2) {
                long first = block;
                Future<?> leader = pool.submit(() -> {
                    readRange(f, first * MIB, (first + 1) * MIB, MIB, SIZE);
                    return null;
                });
                Future<?> follower = pool.submit(() -> {
                    while (f.readsInFlight() == 0 && !leader.isDone()) {
                        Thread.onSpinWait();
                    }
                    readRange(f, (first + 1) * MIB, (first + 2) * MIB, MIB, SIZE);
                    return null;
                });
                leader.get();
                follower.get();
            }
            long sent = nginx.bytesSent();
            assertEquals(SIZE, sent, "bytes sent; requests: " + nginx.accessLogLines());
            assertTrue(nginx.requestCount() <= SIZE / MIB, "requests: " + nginx.accessLogLines());
        } finally {
            pool.shutdownNow();
        }
    }
}
