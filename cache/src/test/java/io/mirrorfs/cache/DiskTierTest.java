package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskTierTest {

    private static final int BLOCK = 64 << 10;
    private static final VfsPath FILE = VfsPath.parse("/pub/data.bin");
    private static final byte[] DATA = CountingSource.pattern(300_000, 5);

    @TempDir
    Path dir;

    private final CountingSource source = new CountingSource().put("/pub/data.bin", DATA);

    private BlockCache cache() throws IOException {
        CacheConfig config = CacheConfig.builder().blockSize(BLOCK).randomFetchSize(16 << 10).maxBytes(4L << 20)
                .diskDir(dir).diskMaxBytes(1L << 20).build();
        return BlockCache.create(config, new ManualExecutor(), new FakeTicker());
    }

    private static byte[] readAll(VfsFile f) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) f.attrs().size());
        while (b.hasRemaining() && f.read(b.position(), b) >= 0) {
            // keep reading
        }
        return b.array();
    }

    /** Reads the whole file through a fresh cache over the same directory (a restart), then closes it. */
    private byte[] readThroughNewCache() throws IOException {
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, "/pub=mem:", cache);
            try (VfsFile f = vfs.open(FILE)) {
                return readAll(f);
            }
        }
    }

    /** Returns where the block records lie (not the attributes' records), reading the store the last cache left. */
    private List<DiskStore.Stored> blockRecords() throws IOException {
        DiskStore store = DiskStore.open(dir, 1L << 20);
        try {
            return store.keys().stream().filter(k -> k.startsWith("block\0")).map(k -> store.stored(k).orElseThrow()).toList();
        } finally {
            store.close();
        }
    }

    @Test
    void aRestartServesFromDiskWhileTheSourceIsDown() throws IOException {
        assertArrayEquals(DATA, readThroughNewCache());
        int fetched = source.reads.get();
        assertTrue(fetched >= 5, "5 blocks fetched the first time");
        source.setDown(true);
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, "/pub=mem:", cache);
            try (VfsFile f = vfs.open(FILE)) {
                assertArrayEquals(DATA, readAll(f));
            }
            assertEquals(5, cache.stats().diskHits());
            assertThrows(ConnectException.class, () -> vfs.stat(VfsPath.parse("/pub/never-read")));
        }
        assertEquals(fetched, source.reads.get(), "nothing went upstream");
    }

    @Test
    void corruptAndTruncatedEntriesAreDetectedAndRefetched() throws IOException {
        assertArrayEquals(DATA, readThroughNewCache());
        int fetched = source.reads.get();
        List<DiskStore.Stored> blocks = blockRecords();
        assertEquals(5, blocks.size());
        // One record damaged in its middle, and one cut short at the end of its segment (a torn write).
        DiskStore.Stored corrupt = blocks.get(0);
        DiskStore.Stored truncated = blocks.stream()
                .filter(b -> !b.segment().equals(corrupt.segment()) && b.end() == sizeOf(b.segment())).findFirst().orElseThrow();
        try (var ch = FileChannel.open(corrupt.segment(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = (corrupt.start() + corrupt.end()) / 2;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, at);
        }
        try (var ch = FileChannel.open(truncated.segment(), StandardOpenOption.WRITE)) {
            ch.truncate(truncated.end() - 10);
        }
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, "/pub=mem:", cache);
            try (VfsFile f = vfs.open(FILE)) {
                assertArrayEquals(DATA, readAll(f), "damaged entries are never served");
            }
            assertEquals(2, cache.stats().diskCorrupt());
            assertEquals(3, cache.stats().diskHits());
        }
        assertEquals(fetched + 2, source.reads.get(), "exactly the two damaged blocks were fetched again");
    }

    @Test
    void theDiskTierStaysWithinItsBoundEvictingTheLeastRecentlyUsed() throws IOException {
        DiskStore store = DiskStore.open(dir, 350_000); // three 100 KB entries plus their headers
        for (int i = 0; i < 10; i++) {
            store.write("k" + i, new byte[100_000]);
            assertTrue(store.bytes() <= 350_000);
        }
        assertTrue(store.read("k0").isEmpty());
        assertTrue(store.read("k9").isPresent());
        store.read("k7");
        store.write("k10", new byte[100_000]);
        assertTrue(store.read("k7").isPresent(), "recently read entries survive");
        assertTrue(store.read("k8").isEmpty(), "the least recently used one went");
        store.close();
        DiskStore reopened = DiskStore.open(dir, 350_000);
        assertEquals(store.bytes(), reopened.bytes(), "the index is rebuilt from the directory");
        assertTrue(reopened.read("k10").isPresent());
        reopened.close();
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefusedUntilTheFirstCloses() throws IOException {
        DiskStore first = DiskStore.open(dir, 1 << 20);
        IOException e = assertThrows(IOException.class, () -> DiskStore.open(dir, 1 << 20));
        assertEquals("cache directory " + dir + " is in use by another mirrorfs (pid " + ProcessHandle.current().pid()
                + "): give this mirror its own --cache-dir, or use --no-cache-dir", e.getMessage());
        first.close();
        DiskStore.open(dir, 1 << 20).close();
    }

    @Test
    void removalsReplacementsAndATornTailAreHonouredAfterARestart() throws IOException {
        DiskStore first = DiskStore.open(dir, 1 << 20);
        first.write("a", new byte[] {1, 2, 3});
        first.write("b", new byte[] {4});
        first.write("c", new byte[] {5});
        first.remove("a");
        first.write("b", new byte[] {6, 7});
        Path last = first.stored("b").orElseThrow().segment();
        first.close();
        long intact = sizeOf(last);
        try (var ch = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x4d, 0x46, 0x43, 0x32, 0, 0})); // the start of a record, then the crash
        }
        DiskStore store = DiskStore.open(dir, 1 << 20);
        try {
            assertTrue(store.read("a").isEmpty(), "a removal is recorded, not only forgotten in memory");
            assertArrayEquals(new byte[] {6, 7}, store.read("b").orElseThrow(), "the newer record wins");
            assertArrayEquals(new byte[] {5}, store.read("c").orElseThrow(), "records before a torn one stay");
            assertEquals(1, store.corruptCount(), "the torn tail is counted");
            assertEquals(intact, sizeOf(last), "and cut off");
            store.write("d", new byte[] {8});
            assertArrayEquals(new byte[] {8}, store.read("d").orElseThrow());
        } finally {
            store.close();
        }
    }

    @org.junit.jupiter.api.RepeatedTest(5)
    void concurrentWritersReadersAndEvictionNeverServeAnotherKeysBytes() throws Exception {
        Path dir = Files.createTempDirectory(this.dir, "r");
        DiskStore store = DiskStore.open(dir, 600_000); // about 40 of the 50 keys fit: eviction runs all along
        try {
            int threads = 4;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            List<java.util.concurrent.Future<Integer>> hits = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                hits.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    int served = 0;
                    for (int i = 0; i < 3000; i++) {
                        int k = random.nextInt(50);
                        switch (random.nextInt(4)) {
                            case 0 -> store.write("k" + k, payloadOf(k));
                            case 1 -> store.remove("k" + k);
                            default -> {
                                java.util.Optional<byte[]> got = store.read("k" + k);
                                if (got.isPresent()) {
                                    assertArrayEquals(payloadOf(k), got.get(), "k" + k);
                                    served++;
                                }
                            }
                        }
                    }
                    return served;
                }));
            }
            int served = 0;
            for (java.util.concurrent.Future<Integer> f : hits) {
                served += f.get();
            }
            pool.shutdown();
            assertTrue(served > 100, "reads found entries: " + served);
            assertTrue(store.bytes() <= 600_000, "within the bound: " + store.bytes());
            assertEquals(store.bytes(), onDisk(dir), "the bound is kept on disk: " + listing(dir));
            assertEquals(0, store.corruptCount());
            List<String> kept = store.keys();
            java.util.Map<String, DiskStore.Stored> where = new java.util.HashMap<>();
            kept.forEach(k -> where.put(k, store.stored(k).orElseThrow()));
            store.close();
            // A larger bound now: each read of an entry in the older half appends it again (recency),
            // which in a full store would evict the oldest segment and other entries with it.
            DiskStore reopened = DiskStore.open(dir, 6_000_000);
            try {
                for (String key : kept) {
                    int k = Integer.parseInt(key.substring(1));
                    java.util.Optional<byte[]> got = reopened.read(key);
                    assertTrue(got.isPresent(), key + " survives the restart; it was at " + where.get(key) + ", now " + reopened.stored(key)
                            + "; segments " + listing(dir));
                    assertArrayEquals(payloadOf(k), got.get(), key);
                }
                assertEquals(0, reopened.corruptCount());
            } finally {
                reopened.close();
            }
        } finally {
            store.close();
        }
    }

    private static long onDisk(Path d) throws IOException {
        try (var s = Files.list(d.resolve("v2"))) {
            return s.mapToLong(DiskTierTest::sizeOf).sum();
        }
    }

    private static String listing(Path d) throws IOException {
        try (var s = Files.list(d.resolve("v2"))) {
            return s.sorted().map(p -> p.getFileName() + "=" + sizeOf(p)).toList().toString();
        }
    }

    /** A payload that says which key it belongs to: 10,000 to 14,900 bytes of a pattern seeded by the key. */
    private static byte[] payloadOf(int key) {
        return CountingSource.pattern(10_000 + 100 * key, key);
    }

    @Test
    void aStartUpReadsTheSavedHintNotTheRecords() throws IOException {
        DiskStore first = DiskStore.open(dir, 1 << 20);
        first.write("a", new byte[] {1});
        first.write("b", new byte[] {2});
        first.write("c", new byte[] {3});
        DiskStore.Stored a = first.stored("a").orElseThrow();
        first.close(); // saves the segment's hint
        Path hint = Path.of(a.segment().toString().replace(".seg", ".hint"));
        assertTrue(Files.isRegularFile(hint));
        flipByte(a.segment(), a.start()); // a's magic: a scan would stop there and lose b and c
        DiskStore store = DiskStore.open(dir, 1 << 20);
        try {
            assertArrayEquals(new byte[] {2}, store.read("b").orElseThrow(), "indexed from the hint");
            assertArrayEquals(new byte[] {3}, store.read("c").orElseThrow());
            assertTrue(store.read("a").isEmpty(), "the damaged record is still caught when read");
            assertEquals(1, store.corruptCount());
        } finally {
            store.close();
        }
    }

    @Test
    void aDamagedHintIsIgnoredAndAppendsRefreshIt() throws IOException {
        DiskStore first = DiskStore.open(dir, 1 << 20);
        first.write("a", new byte[] {1});
        first.write("b", new byte[] {2});
        Path segment = first.stored("a").orElseThrow().segment();
        first.close();
        Path hint = Path.of(segment.toString().replace(".seg", ".hint"));
        flipByte(hint, 30); // inside the first entry
        DiskStore second = DiskStore.open(dir, 1 << 20);
        assertArrayEquals(new byte[] {1}, second.read("a").orElseThrow());
        assertArrayEquals(new byte[] {2}, second.read("b").orElseThrow());
        assertEquals(0, second.corruptCount());
        second.write("c", new byte[] {3}); // appended to the same segment: its hint no longer covers it
        second.remove("a");
        second.close();
        DiskStore third = DiskStore.open(dir, 1 << 20);
        try {
            assertTrue(third.read("a").isEmpty());
            assertArrayEquals(new byte[] {2}, third.read("b").orElseThrow());
            assertArrayEquals(new byte[] {3}, third.read("c").orElseThrow());
            assertEquals(0, third.corruptCount());
        } finally {
            third.close();
        }
    }

    private static void flipByte(Path file, long at) throws IOException {
        try (var ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, at);
        }
    }

    @Test
    void theLayoutOfAnOlderVersionIsRemovedAtStartUp() throws IOException {
        Path old = Files.createDirectories(dir.resolve("v1").resolve("ab"));
        Files.write(old.resolve("abcdef.mfc"), new byte[100]);
        DiskStore store = DiskStore.open(dir, 1 << 20);
        try {
            assertTrue(Files.notExists(dir.resolve("v1")), "one file per entry, never read again: removed");
            assertEquals(0, store.bytes());
            store.write("a", new byte[] {1});
            assertTrue(Files.isDirectory(dir.resolve("v2")));
        } finally {
            store.close();
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void entriesRoundTripWholeOrIntoAnArrayThatHoldsThem() throws IOException {
        Path where = dir.resolve("round-trip");
        DiskStore store = DiskStore.open(where, 1 << 20);
        try {
            byte[] payload = Arrays.copyOf(DATA, 1000);
            store.write("key", payload);
            assertArrayEquals(payload, store.read("key").orElseThrow());
            byte[] into = new byte[4096];
            assertEquals(1000, store.readInto("key", into).orElseThrow());
            assertArrayEquals(payload, Arrays.copyOf(into, 1000));
            assertTrue(store.read("other").isEmpty());
            assertTrue(store.readInto("key", new byte[999]).isEmpty(), "an entry longer than the block it is for is damaged");
            assertTrue(store.read("key").isEmpty(), "and deleted");
            assertEquals(1, store.corruptCount());
        } finally {
            store.close();
        }
    }
}
