package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CachingVfsTest {

    private static final int BLOCK = 64 << 10;
    private static final int SMALL = 16 << 10;
    private static final VfsPath FILE = VfsPath.parse("/dir/big.bin");
    private static final byte[] DATA = CountingSource.pattern(1 << 20, 1);

    private final CountingSource source = new CountingSource().put("/dir/big.bin", DATA).put("/dir/small.txt", new byte[] {1, 2, 3});
    private final FakeTicker ticker = new FakeTicker();
    private final ManualExecutor executor = new ManualExecutor();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private CacheConfig.Builder config() {
        return CacheConfig.builder().blockSize(BLOCK).randomFetchSize(SMALL).maxBytes(4L << 20).readAheadBlocks(4);
    }

    private CachingVfs cached(CacheConfig config) throws IOException {
        BlockCache cache = BlockCache.create(config, executor, ticker);
        toClose.add(cache);
        return new CachingVfs(source, "/m=mem:", cache);
    }

    private static byte[] read(VfsFile f, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (f.read(offset + b.position(), b) < 0) {
                break;
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] expected(long offset, int length) {
        return Arrays.copyOfRange(DATA, (int) offset, (int) Math.min(DATA.length, offset + length));
    }

    @Test
    void hundredConcurrentReadsOfOneBlockShareOneFetch() throws Exception {
        CachingVfs vfs = cached(config().build());
        source.closeGate();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < 100; i++) {
            int length = 512 + i * 512; // every reader starts at 0 and ends inside block 0
            Thread t = new Thread(() -> {
                try (VfsFile f = vfs.open(FILE)) {
                    byte[] got = read(f, 0, length);
                    if (!Arrays.equals(got, expected(0, length))) {
                        throw new AssertionError("wrong bytes for length " + length);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        // Release the one upstream read only once every other reader is parked waiting for it.
        while (source.readsInProgress.get() < 1 || threads.stream().filter(t -> t.getState() == Thread.State.WAITING).count() < 100) {
            Thread.onSpinWait();
        }
        source.openGate();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, failure.get());
        assertEquals(1, source.reads.get(), "upstream reads");
        assertEquals(1, vfs.cache().stats().blockMisses());
        assertEquals(1, source.stats.get(), "upstream stats (metadata is single-flight too)");
    }

    @Test
    void weightBoundIsNeverExceeded() throws Exception {
        CacheConfig config = config().maxBytes(512 << 10).readAheadBlocks(0).build();
        CachingVfs vfs = cached(config);
        Random random = new Random(42);
        List<VfsFile> handles = new ArrayList<>();
        for (int h = 0; h < 4; h++) {
            handles.add(vfs.open(FILE));
        }
        for (int i = 0; i < 500; i++) {
            VfsFile f = handles.get(i % handles.size());
            long offset = i % 3 == 0 ? (long) (i / 3) * 4096 % DATA.length : random.nextInt(DATA.length - 4096);
            assertArrayEquals(expected(offset, 4096), read(f, offset, 4096));
            CacheStats s = vfs.cache().stats();
            assertTrue(s.bytesHeld() <= config.sharedBytes(), "held " + s.bytesHeld() + " > " + config.sharedBytes());
            assertTrue(s.bytesPinned() <= config.pinnedBytes(), "pinned " + s.bytesPinned());
            assertTrue(s.bytesHeld() + s.bytesPinned() <= config.maxBytes());
        }
        assertTrue(vfs.cache().stats().evictions() > 0, "the test must actually evict");
        for (VfsFile f : handles) {
            f.close();
        }
        assertEquals(0, vfs.cache().stats().bytesPinned(), "closing handles returns their pins");
    }

    @Test
    void recycledArraysNeverLeakIntoConcurrentReads() throws Exception {
        // A tiny cache, real read-ahead threads, mixed sequential and random readers: every
        // byte returned must be right although arrays are recycled all the time.
        BlockCache cache = BlockCache.create(config().maxBytes(1 << 20).readAheadBlocks(2).build());
        toClose.add(cache);
        CachingVfs vfs = new CachingVfs(source, "/m=mem:", cache);
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < 8; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                Random random = new Random(seed);
                try (VfsFile f = vfs.open(FILE)) {
                    long pos = 0;
                    for (int i = 0; i < 1500 && failure.get() == null; i++) {
                        int len = 1 + random.nextInt(40_000);
                        long offset = seed % 2 == 0 ? pos : random.nextInt(DATA.length);
                        pos = (offset + len) % DATA.length;
                        if (!Arrays.equals(expected(offset, len), read(f, offset, len))) {
                            throw new AssertionError("wrong bytes at " + offset + "+" + len);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, failure.get());
        assertTrue(cache.stats().evictions() > 100, "the test must churn the cache");
        assertEquals(0, cache.stats().bytesPinned());
    }

    @Test
    void statIsServedForTheTtlThenRevalidated() throws Exception {
        CachingVfs vfs = cached(config().metadataTtl(Duration.ofSeconds(60)).build());
        VfsPath small = VfsPath.parse("/dir/small.txt");
        assertEquals(3, vfs.stat(small).size());
        assertEquals(3, vfs.stat(small).size());
        assertEquals(1, source.stats.get());
        source.put("/dir/small.txt", new byte[] {1, 2, 3, 4, 5});
        ticker.advance(Duration.ofSeconds(59));
        assertEquals(3, vfs.stat(small).size(), "still within the TTL");
        assertEquals(1, source.stats.get());
        ticker.advance(Duration.ofSeconds(2));
        assertEquals(5, vfs.stat(small).size(), "the change is visible after the TTL");
        assertEquals(2, source.stats.get());
    }

    @Test
    void missingPathsAreRememberedForTheShorterNegativeTtl() throws Exception {
        CachingVfs vfs = cached(config().negativeTtl(Duration.ofSeconds(5)).build());
        VfsPath missing = VfsPath.parse("/dir/nope");
        assertThrows(NoSuchFileException.class, () -> vfs.stat(missing));
        assertThrows(NoSuchFileException.class, () -> vfs.stat(missing));
        assertEquals(1, source.stats.get());
        source.put("/dir/nope", new byte[7]);
        ticker.advance(Duration.ofSeconds(6));
        assertEquals(7, vfs.stat(missing).size());
        assertEquals(2, source.stats.get());
    }

    @Test
    void aListingFillsTheStatCache() throws Exception {
        CachingVfs vfs = cached(config().build());
        VfsPath dir = VfsPath.parse("/dir");
        assertEquals(2, vfs.list(dir).size());
        assertEquals(2, vfs.list(dir).size());
        assertEquals(DATA.length, vfs.stat(FILE).size());
        assertEquals(3, vfs.stat(VfsPath.parse("/dir/small.txt")).size());
        assertThrows(NoSuchFileException.class, () -> vfs.stat(VfsPath.parse("/dir/.git")));
        assertEquals(1, source.lists.get());
        assertEquals(0, source.stats.get(), "ls -l costs one listing and no stat");
        ticker.advance(Duration.ofSeconds(61));
        vfs.list(dir);
        assertEquals(2, source.lists.get(), "revalidated after the TTL");
    }

    @Test
    void openPinsADirectStatNotAListingsAttributes() throws Exception {
        // Listings may carry a weaker version than stat (HTTP: size+mtime vs ETag): open asks once per TTL.
        CachingVfs vfs = cached(config().build());
        vfs.list(VfsPath.parse("/dir"));
        vfs.open(FILE).close();
        vfs.open(FILE).close();
        assertEquals(1, source.stats.get());
        assertEquals(DATA.length, vfs.stat(FILE).size());
        assertEquals(1, source.stats.get());
    }

    @Test
    void aNewVersionIsNeverMixedWithTheOld() throws Exception {
        CachingVfs vfs = cached(config().build());
        VfsFile old = vfs.open(FILE);
        assertArrayEquals(expected(0, 1000), read(old, 0, 1000));
        byte[] changed = CountingSource.pattern(DATA.length, 99);
        source.put("/dir/big.bin", changed);
        assertArrayEquals(expected(0, 1000), read(old, 0, 1000), "cached blocks of the pinned version still serve");
        assertThrows(StaleFileException.class, () -> read(old, 900_000, 1000), "an uncached range of the old version fails");
        ticker.advance(Duration.ofSeconds(61));
        try (VfsFile fresh = vfs.open(FILE)) {
            assertArrayEquals(Arrays.copyOfRange(changed, 0, 1000), read(fresh, 0, 1000));
        }
        old.close();
    }

    @Test
    void sequentialReadingFetchesAheadAndSavesTheReaderTheWait() throws Exception {
        CachingVfs vfs = cached(config().build());
        try (VfsFile f = vfs.open(FILE)) {
            for (int off = 0; off < 3 * SMALL; off += SMALL) {
                assertArrayEquals(expected(off, SMALL), read(f, off, SMALL));
            }
            assertEquals(1, source.reads.get(), "block 0 only, so far");
            assertEquals(1, executor.pending(), "one in-order read-ahead task for the handle");
            executor.runAll();
            assertEquals(5, source.reads.get(), "blocks 1-4 fetched ahead");
            assertEquals(List.of(0L, (long) BLOCK, 2L * BLOCK, 3L * BLOCK, 4L * BLOCK), source.readOffsets,
                    "in file order, so a source can keep one stream going");
            int before = source.reads.get();
            for (int off = 3 * SMALL; off < 5 * BLOCK; off += SMALL) {
                assertArrayEquals(expected(off, SMALL), read(f, off, SMALL));
            }
            assertEquals(before, source.reads.get(), "blocks 1-4 were read ahead: no demand fetch");
            assertEquals(4, vfs.cache().stats().readAheadFetches());
        }
    }

    @Test
    void randomReadingFetchesSmallRangesAndNothingAhead() throws Exception {
        CachingVfs vfs = cached(config().build());
        Random random = new Random(7);
        int reads = 50;
        try (VfsFile f = vfs.open(FILE)) {
            for (int i = 0; i < reads; i++) {
                long offset = (long) random.nextInt(DATA.length / 4096) * 4096 + 100_000 * (i % 2);
                offset = Math.min(offset, DATA.length - 4096);
                assertArrayEquals(expected(offset, 4096), read(f, offset, 4096));
            }
        }
        assertEquals(0, executor.pending(), "no read-ahead for random access");
        assertTrue(source.bytesRead.get() <= (long) reads * SMALL,
                "fetched " + source.bytesRead.get() + " bytes for " + reads + " random 4 KiB reads");
    }

    /**
     * A reader's advice that it reads sequentially from an offset (the archive layer, before a
     * large zip member's local header) makes its first read there fetch the whole block, and the
     * reads that follow continue in whole blocks with read-ahead; the same reads without the
     * advice start with small random fetches.
     */
    @Test
    void adviceMakesTheFirstReadSequential() throws Exception {
        long at = 3L * BLOCK + 1000;
        try (VfsFile f = cached(config().build()).open(FILE)) {
            f.adviseSequential(at);
            assertArrayEquals(expected(at, 30), read(f, at, 30));
            assertEquals(List.of(3L * BLOCK), source.readOffsets, "one fetch of the whole block");
            assertEquals(BLOCK, source.bytesRead.get());
            assertArrayEquals(expected(at + 30, 8192), read(f, at + 30, 8192));
            assertTrue(executor.pending() > 0, "the next read continues sequentially, with read-ahead");
        }
        source.readOffsets.clear();
        source.bytesRead.set(0);
        try (VfsFile f = cached(config().build()).open(FILE)) {
            assertArrayEquals(expected(at, 30), read(f, at, 30));
            assertEquals(SMALL, source.bytesRead.get(), "without the advice: a small random fetch");
        }
    }

    @Test
    void readAheadStopsWhenThePinnedBudgetIsSpent() throws Exception {
        // 512 KiB budget: 128 KiB pinned, i.e. 2 blocks: the current one and one ahead.
        CachingVfs vfs = cached(config().maxBytes(2L << 20).readAheadBlocks(2).build());
        List<VfsFile> readers = new ArrayList<>();
        for (int h = 0; h < 3; h++) {
            VfsFile f = vfs.open(FILE);
            readers.add(f);
            for (int off = 0; off < 3 * SMALL; off += SMALL) {
                read(f, off, SMALL);
            }
        }
        CacheStats s = vfs.cache().stats();
        assertTrue(s.bytesPinned() <= vfs.cache().config().pinnedBytes());
        int pinned = readers.stream().mapToInt(f -> ((CachedFile) f).pinnedCount()).sum();
        assertEquals(8, pinned, "the 512 KiB budget holds 8 blocks of the 9 (3 x current + 2 ahead) wanted");
        executor.runAll();
        for (VfsFile f : readers) {
            assertArrayEquals(expected(BLOCK, 1000), read(f, BLOCK, 1000));
            f.close();
        }
        assertEquals(0, vfs.cache().stats().bytesPinned());
    }

    @Test
    void readsSpanningBlocksAndTheEndOfFileWork() throws Exception {
        CachingVfs vfs = cached(config().build());
        try (VfsFile f = vfs.open(FILE)) {
            assertArrayEquals(expected(BLOCK - 100, 300_000), read(f, BLOCK - 100, 300_000));
            assertArrayEquals(expected(DATA.length - 10, 100), read(f, DATA.length - 10, 100));
            assertEquals(-1, f.read(DATA.length, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void zeroCopyReadsDeliverSlicesInOrder() throws Exception {
        CachingVfs vfs = cached(config().build());
        try (VfsFile f = vfs.open(FILE)) {
            byte[] dst = new byte[200_000];
            int n = ((ZeroCopyReadable) f).read(BLOCK - 5, dst.length, (d, src, off, len) -> System.arraycopy(src, off, dst, d, len));
            assertEquals(dst.length, n);
            assertArrayEquals(expected(BLOCK - 5, dst.length), dst);
        }
    }

    @Test
    void directoriesAndMissingFilesFailToOpen() throws Exception {
        CachingVfs vfs = cached(config().build());
        assertThrows(io.mirrorfs.vfs.IsDirectoryException.class, () -> vfs.open(VfsPath.parse("/dir")));
        assertThrows(NoSuchFileException.class, () -> vfs.open(VfsPath.parse("/dir/none")));
        FileAttrs a = vfs.stat(FILE);
        assertEquals(DATA.length, a.size());
    }
}
