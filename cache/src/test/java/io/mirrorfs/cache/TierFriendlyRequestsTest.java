package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.fault.KeepAliveHttpServer;
import io.mirrorfs.testing.fault.KeepAliveHttpServer.Reply;
import io.mirrorfs.testing.fault.KeepAliveHttpServer.Request;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requests a caching tier sees from the cache over the real HTTP source (#17): every ranged
 * GET starts and ends on a block boundary (or the end of the file), a random read's on a
 * random-fetch boundary (which divides a block, so a slice cache holds it in one slice); every
 * GET carries the pinned {@code If-Range}; no request carries a header that defeats a shared
 * cache ({@code Cache-Control}, {@code Pragma}) or varies its stored bytes ({@code Accept-Encoding}
 * other than {@code identity}). The server is a recording HTTP/1.1 server on 127.0.0.1 that answers
 * ranges like nginx.
 */
class TierFriendlyRequestsTest {

    private static final int BLOCK = 1 << 20;
    private static final int SMALL = 64 << 10;
    /** Five whole blocks and a partial last one. */
    private static final byte[] DATA = new byte[5 * BLOCK + 12_345];
    private static final String ETAG = "\"v1\"";

    private KeepAliveHttpServer server;
    private ExecutorService readAhead;
    private BlockCache cache;
    private Vfs source;

    @BeforeEach
    void start() throws IOException {
        new Random(17).nextBytes(DATA);
        server = KeepAliveHttpServer.start();
        String listing = "<html><body><pre><a href=\"f.bin\">f.bin</a> 01-Jan-2024 00:00 " + DATA.length + "\n</pre></body></html>";
        server.route("/", r -> Reply.of(200, listing.getBytes(StandardCharsets.UTF_8), "Content-Type: text/html"));
        server.route("/f.bin", TierFriendlyRequestsTest::file);
        readAhead = Executors.newFixedThreadPool(2);
        cache = BlockCache.create(CacheConfig.builder().blockSize(BLOCK).randomFetchSize(SMALL).maxBytes(64L << 20)
                .readAheadBlocks(4).build(), readAhead, new FakeTicker());
        source = Sources.open(server.origin() + "/", SourceOptions.DEFAULTS);
    }

    @AfterEach
    void stop() throws IOException {
        if (source != null) {
            source.close();
        }
        if (cache != null) {
            cache.close();
        }
        readAhead.shutdownNow();
        server.close();
    }

    /** Answers HEAD and ranged GET of {@link #DATA} as nginx does (ETag, Last-Modified, 206 with Content-Range). */
    private static Reply file(Request r) {
        String validators = "ETag: " + ETAG + "\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nAccept-Ranges: bytes";
        if (r.method().equals("HEAD")) {
            String head = "HTTP/1.1 200 OK\r\nContent-Length: " + DATA.length + "\r\n" + validators + "\r\n\r\n";
            return new Reply(head.getBytes(StandardCharsets.ISO_8859_1), false);
        }
        String range = r.headers().get("range");
        if (range == null) {
            return Reply.of(200, DATA, validators);
        }
        String[] fromTo = range.substring("bytes=".length()).split("-");
        int from = Integer.parseInt(fromTo[0]);
        int to = Math.min(DATA.length - 1, Integer.parseInt(fromTo[1]));
        return Reply.of(206, Arrays.copyOfRange(DATA, from, to + 1), validators,
                "Content-Range: bytes " + from + "-" + to + "/" + DATA.length);
    }

    private CachingVfs cached() {
        return new CachingVfs(source, "/m=" + server.origin() + "/", cache);
    }

    private static void readFully(VfsFile f, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (f.read(offset + b.position(), b) < 0) {
                break;
            }
        }
        assertArrayEquals(Arrays.copyOfRange(DATA, (int) offset, (int) offset + length), b.array(), "bytes at " + offset);
    }

    /** Returns {@code [from, to)} of each ranged GET of the file. */
    private List<long[]> ranges() {
        return server.requests("/f.bin").stream().filter(r -> r.method().equals("GET")).map(r -> {
            String[] p = r.headers().get("range").substring("bytes=".length()).split("-");
            return new long[] {Long.parseLong(p[0]), Long.parseLong(p[1]) + 1};
        }).toList();
    }

    private void assertAligned(int unit) {
        List<long[]> ranges = ranges();
        assertFalse(ranges.isEmpty());
        for (long[] r : ranges) {
            String shown = "bytes=" + r[0] + "-" + (r[1] - 1);
            assertEquals(0, r[0] % unit, shown + " starts off a " + unit + "-byte boundary");
            assertTrue(r[1] % unit == 0 || r[1] == DATA.length, shown + " ends off a boundary and before the end of the file");
        }
    }

    @Test
    void sequentialReadsAndReadAheadAskForWholeBlocks() throws Exception {
        try (VfsFile f = cached().open(VfsPath.parse("/f.bin"))) {
            // As FUSE reads: 128 KiB at a time, front to back; read-ahead runs on its executor meanwhile.
            for (int off = 0; off < DATA.length; off += 128 << 10) {
                readFully(f, off, Math.min(128 << 10, DATA.length - off));
            }
        }
        assertAligned(BLOCK);
        long fetched = ranges().stream().mapToLong(r -> r[1] - r[0]).sum();
        assertEquals(DATA.length, fetched, "each byte asked for once");
    }

    @Test
    void randomReadsAskForWholeRandomFetchPieces() throws Exception {
        Random r = new Random(4);
        try (VfsFile f = cached().open(VfsPath.parse("/f.bin"))) {
            for (int i = 0; i < 20; i++) {
                readFully(f, r.nextInt(DATA.length - 4096), 4096);
            }
        }
        assertAligned(SMALL);
        assertEquals(0, BLOCK % SMALL, "a random piece never spans two slices of a block-sized slice cache");
    }

    @Test
    void theLastBlockAloneEndsAtTheEndOfTheFile() throws Exception {
        try (VfsFile f = cached().open(VfsPath.parse("/f.bin"))) {
            readFully(f, DATA.length - 100, 100);
            readFully(f, 5L * BLOCK, 4096);
        }
        assertAligned(SMALL);
        for (long[] r : ranges()) {
            assertTrue(r[1] <= DATA.length, "never past the end: " + r[0] + "-" + r[1]);
        }
    }

    @Test
    void requestsCarryNoCacheDefeatingHeadersAndGetsCarryIfRange() throws Exception {
        CachingVfs vfs = cached();
        vfs.list(VfsPath.ROOT);
        try (VfsFile f = vfs.open(VfsPath.parse("/f.bin"))) {
            readFully(f, 0, 4096);
        }
        List<Request> all = server.requests();
        assertTrue(all.size() >= 3, "a listing, a HEAD and a GET: " + all);
        for (Request r : all) {
            assertFalse(r.headers().containsKey("cache-control"), "Cache-Control: " + r);
            assertFalse(r.headers().containsKey("pragma"), "Pragma: " + r);
            assertEquals("identity", r.headers().getOrDefault("accept-encoding", "identity"), r.toString());
            assertFalse(r.headers().containsKey("cookie"), r.toString());
        }
        for (Request r : server.requests("/f.bin")) {
            if (r.method().equals("GET")) {
                assertEquals(ETAG, r.headers().get("if-range"), "the pinned version travels with every GET: " + r);
            }
        }
    }
}
