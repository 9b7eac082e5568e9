package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.testing.ForwardingVfs;
import io.mirrorfs.testing.ForwardingVfsFile;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CachedFile} and the reader's end of {@link VfsFile#readWithin}: read-ahead stops at the
 * block holding the end, the end reaches the upstream file rounded up to a block, and reads
 * without an end keep the usual read-ahead.
 */
class ReaderEndTest {

    private static final int BLOCK = 64 << 10;
    private static final int SMALL = 16 << 10;
    private static final VfsPath FILE = VfsPath.parse("/a.zip");
    private static final byte[] DATA = CountingSource.pattern(1 << 20, 3);

    private final CountingSource counting = new CountingSource().put("/a.zip", DATA);
    /** The reader's end of each upstream read, or -1 for a plain read; in arrival order. */
    private final List<Long> upstreamEnds = Collections.synchronizedList(new ArrayList<>());
    private final ManualExecutor executor = new ManualExecutor();
    private BlockCache cache;

    @AfterEach
    void close() throws IOException {
        if (cache != null) {
            cache.close();
        }
    }

    private CachingVfs cached(int readAheadBlocks) throws IOException {
        cache = BlockCache.create(CacheConfig.builder().blockSize(BLOCK).randomFetchSize(SMALL).maxBytes(4L << 20)
                .readAheadBlocks(readAheadBlocks).build(), executor, new FakeTicker());
        return new CachingVfs(ForwardingVfs.wrappingFiles(counting, EndRecording::new), "/m=mem:", cache);
    }

    /** Reads {@code [from, to)} in {@code SMALL} pieces, as the archive layer reads a member, with {@code end}. */
    private static void readMember(VfsFile f, long from, long to, long end) throws IOException {
        for (long off = from; off < to; off += SMALL) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(SMALL, to - off));
            while (b.hasRemaining()) {
                f.readWithin(off + b.position(), b, end);
            }
            assertArrayEquals(Arrays.copyOfRange(DATA, (int) off, (int) (off + b.capacity())), b.array(), "at " + off);
        }
    }

    @Test
    void readAheadStopsAtTheBlockHoldingTheReadersEnd() throws Exception {
        CachingVfs vfs = cached(8);
        long end = 3L * BLOCK + 100; // the member's last byte is in block 3
        try (VfsFile f = vfs.open(FILE)) {
            readMember(f, 0, 3 * SMALL, end);
            executor.runAll();
            assertEquals(List.of(0L, (long) BLOCK, 2L * BLOCK, 3L * BLOCK), counting.readOffsets,
                    "block 0 on demand, then 1-3 ahead, and nothing past block 3 of 16 although 8 blocks of read-ahead are allowed");
            readMember(f, 3 * SMALL, end, end);
            executor.runAll();
            assertEquals(4, counting.reads.get(), "the rest of the member was read ahead");
        }
    }

    @Test
    void theEndIsPassedUpstreamRoundedUpToABlock() throws Exception {
        CachingVfs vfs = cached(8);
        long end = 3L * BLOCK + 100;
        try (VfsFile f = vfs.open(FILE)) {
            readMember(f, 0, end, end);
            executor.runAll();
        }
        assertEquals(List.of(4L * BLOCK, 4L * BLOCK, 4L * BLOCK, 4L * BLOCK), upstreamEnds,
                "every fetch names the end of block 3, which is fetched whole, so one upstream request can cover them all");
    }

    @Test
    void aReaderEndingWithinTheSmallPieceFetchesOnlyThatPieceEvenAtOffsetZero() throws Exception {
        CachingVfs vfs = cached(8);
        try (VfsFile f = vfs.open(FILE)) {
            ByteBuffer head = ByteBuffer.allocate(4096); // an archive's format detection
            f.readWithin(0, head, 4096);
            executor.runAll();
            assertArrayEquals(Arrays.copyOfRange(DATA, 0, 4096), head.array());
        }
        assertEquals(List.of(0L), counting.readOffsets, "one fetch, no read-ahead");
        assertEquals((long) SMALL, counting.bytesRead.get(), "the small piece, not the whole block a first read at 0 would get");
    }

    @Test
    void readsWithoutAnEndKeepTheUsualReadAheadAndPassNone() throws Exception {
        CachingVfs vfs = cached(8);
        try (VfsFile f = vfs.open(FILE)) {
            for (long off = 0; off < 3 * SMALL; off += SMALL) {
                f.read(off, ByteBuffer.allocate(SMALL));
            }
            executor.runAll();
        }
        assertEquals(9, counting.reads.get(), "block 0 and 8 blocks ahead");
        assertEquals(Collections.nCopies(9, -1L), upstreamEnds, "plain reads upstream");
    }

    @Test
    void anEndDoesNotHoldBackAnotherReaderOfTheSameHandle() throws Exception {
        CachingVfs vfs = cached(4);
        try (VfsFile f = vfs.open(FILE)) {
            readMember(f, 0, 3 * SMALL, BLOCK + 1); // a short member: blocks 0 and 1
            executor.runAll();
            assertEquals(2, counting.reads.get());
            // Another member further on, read through the same handle (one handle serves a whole archive).
            long from = 8L * BLOCK;
            long end = 14L * BLOCK;
            readMember(f, from, from + 3 * SMALL, end);
            executor.runAll();
            assertEquals(List.of(0L, (long) BLOCK, 8L * BLOCK, 8L * BLOCK, 9L * BLOCK, 10L * BLOCK, 11L * BLOCK, 12L * BLOCK),
                    counting.readOffsets, "the second reader's first read looks random (a small fetch), then it gets its"
                            + " block and its full 4 blocks ahead: the first reader's end does not apply to it");
        }
    }

    /** A file that records the reader's end of each read in {@link #upstreamEnds}, and reads plainly upstream. */
    private final class EndRecording extends ForwardingVfsFile {

        EndRecording(VfsFile file) {
            super(file);
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            upstreamEnds.add(-1L);
            return delegate().read(offset, dst);
        }

        @Override
        public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
            upstreamEnds.add(readerEnd);
            return delegate().read(offset, dst);
        }
    }
}
