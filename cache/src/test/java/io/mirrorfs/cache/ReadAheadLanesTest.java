package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.ForwardingVfs;
import io.mirrorfs.testing.ForwardingVfsFile;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sequential reader's read-ahead over a source that behaves like a long link (on the cache's
 * fake ticker: a round trip before each request's first byte, a fixed time per block) against
 * the same source on loopback (no time at all): only the first spreads its fetches over more
 * upstream handles (lanes), and asks a lane's handle to treat a stripe as one request.
 */
class ReadAheadLanesTest {

    private static final int BLOCK = 64 << 10;
    private static final VfsPath FILE = VfsPath.parse("/d/big.bin");
    private static final byte[] DATA = CountingSource.pattern(8 << 20, 3);

    private final CountingSource source = new CountingSource().put("/d/big.bin", DATA);
    private final FakeTicker ticker = new FakeTicker();
    private final ManualExecutor executor = new ManualExecutor();
    private final Set<Long> advised = ConcurrentHashMap.newKeySet();
    private BlockCache cache;

    @AfterEach
    void close() throws IOException {
        cache.close();
    }

    /** A handle that costs {@code rtt} of ticker time per request and {@code perBlock} per block. */
    private final class LinkFile extends ForwardingVfsFile {
        private final Duration rtt;
        private final Duration perBlock;
        private long next = -1;

        LinkFile(VfsFile delegate, Duration rtt, Duration perBlock) {
            super(delegate);
            this.rtt = rtt;
            this.perBlock = perBlock;
        }

        @Override
        public synchronized void adviseSequential(long offset) {
            advised.add(offset);
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            synchronized (this) {
                if (offset != next) {
                    ticker.advance(rtt); // a new request
                }
                ticker.advance(perBlock.multipliedBy(Math.max(1, dst.remaining() / BLOCK)));
                next = offset + dst.remaining();
            }
            return super.read(offset, dst);
        }

        @Override
        public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
            return read(offset, dst);
        }
    }

    private CachingVfs mirror(Duration rtt, Duration perBlock) throws IOException {
        CacheConfig config = CacheConfig.builder().blockSize(BLOCK).randomFetchSize(16 << 10).maxBytes(32L << 20).readAheadBlocks(4).build();
        cache = BlockCache.create(config, executor, ticker);
        return new CachingVfs(ForwardingVfs.wrappingFiles(source, f -> new LinkFile(f, rtt, perBlock)), "/=mem:", cache, 8);
    }

    /** Reads the whole file in 128 KiB reads, as FUSE does, running queued read-ahead now and then. */
    private byte[] readAll(CachingVfs vfs) throws IOException {
        byte[] got = new byte[DATA.length];
        try (VfsFile f = vfs.open(FILE)) {
            for (int at = 0; at < got.length; at += 128 << 10) {
                ByteBuffer b = ByteBuffer.wrap(got, at, 128 << 10);
                while (b.hasRemaining()) {
                    assertTrue(f.read(b.position(), b) > 0);
                }
                if ((at >> 20) % 2 == 1) {
                    executor.runAll(); // some read-ahead runs on "executor threads", the rest is stolen by the reader
                }
            }
        }
        return got;
    }

    @Test
    void aStarvedReaderOnASlowLinkFetchesOnMoreLanesInStripes() throws Exception {
        CachingVfs vfs = mirror(Duration.ofMillis(80), Duration.ofMillis(20));
        assertArrayEquals(DATA, readAll(vfs));
        assertTrue(source.opens.get() >= 2, "lanes open handles of their own; opens: " + source.opens.get());
        assertTrue(!advised.isEmpty(), "a lane's stripe is advised as one sequential request");
        assertTrue(advised.stream().allMatch(o -> o % BLOCK == 0), "stripes start at blocks: " + advised);
    }

    /**
     * Fetches just as slow as on the long link, but the source answered a request within 0.2 ms:
     * a busy CPU, not a link (the controller alone cannot tell them apart), so one stream.
     */
    @Test
    void aStarvedReaderOfANearSourceKeepsOneStream() throws Exception {
        CachingVfs vfs = mirror(Duration.ofMillis(80), Duration.ofMillis(20));
        cache.countersFor("/=mem:").answered(io.mirrorfs.vfs.SourceMetrics.RequestKind.HTTP_HEAD, 200_000);
        assertArrayEquals(DATA, readAll(vfs));
        assertEquals(1, source.opens.get(), "no lane handles for a source 0.2 ms away");
        assertEquals(Set.of(), advised);
    }

    @Test
    void loopbackKeepsOneStreamOnOneHandle() throws Exception {
        CachingVfs vfs = mirror(Duration.ZERO, Duration.ZERO);
        assertArrayEquals(DATA, readAll(vfs));
        assertEquals(1, source.opens.get());
        assertEquals(Set.of(), advised);
    }

    @Test
    void aSlowLinkTheReaderNeverWaitsForKeepsOneStream() throws Exception {
        CachingVfs vfs = mirror(Duration.ofMillis(80), Duration.ofMillis(20));
        byte[] got = new byte[DATA.length];
        try (VfsFile f = vfs.open(FILE)) {
            for (int at = 0; at < got.length; at += 128 << 10) {
                executor.runAll(); // read-ahead always done before the reader asks
                ByteBuffer b = ByteBuffer.wrap(got, at, 128 << 10);
                f.read(at, b);
                assertEquals(128 << 10, b.position() - at);
            }
        }
        assertArrayEquals(DATA, got);
        assertEquals(1, source.opens.get(), Arrays.toString(advised.toArray()));
    }
}
