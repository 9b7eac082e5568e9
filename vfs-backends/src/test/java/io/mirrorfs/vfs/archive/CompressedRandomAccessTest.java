package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random access into bzip2 and zstd after the indexing pass: every recorded block or frame start
 * decodes to exactly the bytes the real tool decompresses there, and reading a member near the end
 * fetches a bounded part of the compressed file. Fixtures come from bzip2, zstd and pzstd,
 * including multi-stream bzip2 (what pbzip2 and lbzip2 write) and concatenated zstd frames.
 */
class CompressedRandomAccessTest {

    private static final int MEMBERS = 40;
    private static final int MEMBER_SIZE = 256 * 1024;
    private static final long INTERVAL = 256 * 1024;

    @TempDir
    static Path tmp;
    static byte[] tar;

    @BeforeAll
    static void createArchives() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%03d.bin", i)), Fixtures.compressible(MEMBER_SIZE, i));
        }
        Path pub = Files.createDirectories(tmp.resolve("pub"));
        Fixtures.sh(tmp, "tar -cf plain.tar -C src . && bzip2 -1 -c plain.tar > pub/one.tar.bz2"
                // pbzip2/lbzip2 write one stream per chunk: the same as concatenating bzip2 runs
                + " && split -b 700000 --filter='bzip2 -2 -c' plain.tar > pub/multi.tar.bz2"
                + " && bzip2 -1 -c src/m039.bin > pub/m039.bin.bz2"
                + " && zstd -q -c plain.tar > pub/single.tar.zst"
                + " && split -b 300000 --filter='zstd -q -c' plain.tar > pub/frames.tar.zst"
                + " && pzstd -q -p 2 -c plain.tar > pub/pzstd.tar.zst"
                + " && split -b 500000 --filter='zstd -q -c' src/m039.bin > pub/m039.bin.zst");
        tar = Files.readAllBytes(tmp.resolve("plain.tar"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"one.tar.bz2, tbz2, 8", "multi.tar.bz2, tbz2, 8", "frames.tar.zst, tzst, 8", "pzstd.tar.zst, tzst, 1"})
    void everyBlockStartDecodesToTheRightBytes(String name, String format, int minStarts) throws IOException {
        try (VfsFile f = new LocalSource(tmp, false).open(VfsPath.parse("/pub/" + name))) {
            ArchiveIndex index = index(f, format);
            List<BlockStart> starts = index.blockStarts();
            assertTrue(starts.size() >= minStarts, name + ": only " + starts.size() + " block starts");
            assertEquals(tar.length, index.decodedSize());
            DecodedCursor.Factory cursors = format.equals("tbz2") ? new Bzip2Cursors(RandomAccessBytes.of(f), starts)
                    : new ZstdCursors(RandomAccessBytes.of(f), starts);
            for (BlockStart s : starts) {
                assertEquals(s.decodedOffset(), cursors.startFor(s.decodedOffset() + 1));
                try (DecodedCursor c = cursors.open(s.decodedOffset() + 1)) {
                    assertEquals(s.decodedOffset(), c.position());
                    byte[] got = readUpTo(c, 1_500_000); // crosses into the next stream or frame
                    int end = (int) Math.min(tar.length, s.decodedOffset() + got.length);
                    assertArrayEquals(Arrays.copyOfRange(tar, (int) s.decodedOffset(), end), got,
                            name + " at block start " + s);
                }
            }
        }
    }

    @Test
    void gzipWindowsOfIncompressibleDataStayRawAndSurviveTheIndexStore() throws IOException {
        byte[] random = new byte[3 << 20];
        new java.util.Random(5).nextBytes(random);
        Path dir = Files.createDirectories(tmp.resolve("mixed"));
        Files.write(dir.resolve("random.bin"), random);
        Files.write(dir.resolve("text.bin"), Fixtures.compressible(3 << 20, 9));
        Fixtures.sh(tmp, "tar -cf mixed.tar -C mixed random.bin text.bin && gzip -c mixed.tar > pub/mixed.tar.gz");
        byte[] mixed = Files.readAllBytes(tmp.resolve("mixed.tar"));
        try (VfsFile f = new LocalSource(tmp, false).open(VfsPath.parse("/pub/mixed.tar.gz"))) {
            ArchiveIndex index = index(f, "tgz");
            List<Checkpoint> cps = index.checkpoints();
            assertTrue(cps.stream().anyMatch(c -> !c.deflated() && c.packedWindow().length == Checkpoint.WINDOW), cps::toString);
            assertTrue(cps.stream().anyMatch(Checkpoint::deflated), cps::toString);
            IndexStore store = new IndexStore(tmp.resolve("mixed-index"));
            store.save("k", index);
            ArchiveIndex loaded = store.load("k").orElseThrow();
            GzipCursors cursors = new GzipCursors(RandomAccessBytes.of(f), loaded.checkpoints());
            for (int i = 0; i < cps.size(); i++) {
                assertArrayEquals(cps.get(i).window(), loaded.checkpoints().get(i).window());
                long at = cps.get(i).decodedOffset();
                try (DecodedCursor c = cursors.open(at)) {
                    byte[] got = readUpTo(c, 100_000);
                    assertArrayEquals(Arrays.copyOfRange(mixed, (int) at, (int) Math.min(mixed.length, at + got.length)), got);
                }
            }
        }
    }

    @Test
    void pzstdOutputIsDetectedThoughItStartsWithASkippableFrame() throws IOException {
        try (ArchiveLayer layer = new ArchiveLayer(new LocalSource(tmp, false), ArchiveOptions.builder().build())) {
            assertEquals(MEMBERS, layer.list(VfsPath.parse("/pub/pzstd.tar.zst#")).size());
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 21), Fixtures.readAll(layer, VfsPath.parse("/pub/pzstd.tar.zst#/m021.bin")));
        }
    }

    @Test
    void aSingleFrameZstdFileHasOnlyTheFileStart() throws IOException {
        try (VfsFile f = new LocalSource(tmp, false).open(VfsPath.parse("/pub/single.tar.zst"))) {
            assertEquals(List.of(BlockStart.fileStart()), index(f, "tzst").blockStarts());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"one.tar.bz2", "multi.tar.bz2", "frames.tar.zst"})
    void aMemberNearTheEndCostsAboutOneInterval(String name) throws IOException {
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        try (ArchiveLayer layer = new ArchiveLayer(counting, ArchiveOptions.builder().checkpointInterval(INTERVAL).build())) {
            assertEquals(MEMBERS, layer.list(VfsPath.parse("/pub/" + name + "#")).size());
            long archive = Files.size(tmp.resolve("pub/" + name));
            counting.reset();
            byte[] got = Fixtures.readAll(layer, VfsPath.parse("/pub/" + name + "#/m038.bin"));
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 38), got);
            assertTrue(counting.bytes.get() < archive / 4,
                    name + ": a member near the end fetched " + counting.bytes.get() + " of " + archive + " compressed bytes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"m039.bin.bz2", "m039.bin.zst"})
    void singleCompressedFilesResumeToo(String name) throws IOException {
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        byte[] expected = Fixtures.compressible(MEMBER_SIZE, 39);
        try (ArchiveLayer layer = new ArchiveLayer(counting, ArchiveOptions.builder().checkpointInterval(64 * 1024).build())) {
            VfsPath member = VfsPath.parse("/pub/" + name + "#/m039.bin");
            assertEquals(MEMBER_SIZE, layer.stat(member).size());
            try (VfsFile f = layer.open(member)) {
                byte[] tail = Fixtures.readRange(f, MEMBER_SIZE - 10_000, 10_000);
                assertArrayEquals(Arrays.copyOfRange(expected, MEMBER_SIZE - 10_000, MEMBER_SIZE), tail);
                byte[] head = Fixtures.readRange(f, 0, 5000);
                assertArrayEquals(Arrays.copyOfRange(expected, 0, 5000), head);
            }
            assertArrayEquals(expected, Fixtures.readAll(layer, member));
        }
    }

    @Test
    void blockStartsPersistWithTheIndex() throws IOException {
        Path dir = tmp.resolve("index-cache");
        try (ArchiveLayer first = new ArchiveLayer(new LocalSource(tmp, false),
                ArchiveOptions.builder().checkpointInterval(INTERVAL).indexDirectory(dir).build())) {
            first.list(VfsPath.parse("/pub/multi.tar.bz2#"));
        }
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        try (ArchiveLayer second = new ArchiveLayer(counting,
                ArchiveOptions.builder().checkpointInterval(INTERVAL).indexDirectory(dir).build())) {
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 37),
                    Fixtures.readAll(second, VfsPath.parse("/pub/multi.tar.bz2#/m037.bin")));
            long archive = Files.size(tmp.resolve("pub/multi.tar.bz2"));
            assertTrue(counting.bytes.get() < archive / 4, "read " + counting.bytes.get() + " of " + archive);
        }
    }

    @Test
    void blockStartMemoryIsThinnedToTheBudget() throws IOException {
        CheckpointMemory memory = new CheckpointMemory(10 * BlockStart.WEIGHT, bytes -> { });
        CheckpointMemory.Account account = memory.account();
        BlockStartList list = new BlockStartList(64 * 1024, account);
        for (int i = 1; i <= 100; i++) {
            long at = i * 100_000L;
            if (list.due(at)) {
                list.add(new BlockStart(at * 3, at, Long.MAX_VALUE, -1));
            }
        }
        assertTrue((list.size() - 1) * BlockStart.WEIGHT <= 10 * BlockStart.WEIGHT, "kept " + list.size());
        assertEquals((list.size() - 1) * BlockStart.WEIGHT, memory.held(), "the file start is free, the others counted");
        assertTrue(list.toList().get(0).isFileStart());
        assertTrue(list.size() >= 5, "kept " + list.size());
        list.clear();
        assertEquals(0, memory.held());
    }

    /** Indexes {@code f} as {@code format} with checkpoints every {@link #INTERVAL}. */
    private static ArchiveIndex index(VfsFile f, String format) throws IOException {
        return StreamIndexer.index(RandomAccessBytes.of(f), ArchiveFormat.EXPLICIT.get(format), "x",
                ArchiveOptions.builder().checkpointInterval(INTERVAL).build(),
                new IndexProgress("test", f.attrs().size(), Long.MAX_VALUE));
    }

    private static byte[] readUpTo(DecodedCursor c, int max) throws IOException {
        byte[] buf = new byte[max];
        int n = 0;
        while (n < max) {
            int got = c.read(buf, n, max - n);
            if (got < 0) {
                break;
            }
            n += got;
        }
        return Arrays.copyOf(buf, n);
    }
}
