package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nesting, visibility, ranged access, checkpoints, persisted indexes and shared first access. */
class ArchiveAccessTest {

    private static final int MEMBERS = 40;
    private static final int MEMBER_SIZE = 256 * 1024;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void createArchives() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%03d.bin", i)), Fixtures.compressible(MEMBER_SIZE, i));
        }
        Fixtures.write(tmp.resolve("nest/deep/x.txt"), "deepest\n");
        Path pub = Files.createDirectories(tmp.resolve("pub"));
        Fixtures.sh(tmp, "tar -cf pub/plain.tar -C src . && tar -czf pub/members.tar.gz -C src ."
                + " && cd src && zip -q -r ../pub/members.zip .");
        Fixtures.sh(tmp.resolve("nest"), "zip -q -r inner.zip deep && tar -czf mid.tar.gz inner.zip"
                + " && zip -q outer.zip mid.tar.gz && tar -czf ../pub/a.tar.gz inner.zip mid.tar.gz outer.zip");
        Fixtures.write(pub.resolve("notes.txt"), "not an archive\n");
    }

    private static ArchiveLayer layer(CountingVfs counting, ArchiveOptions.Builder options) {
        return new ArchiveLayer(counting, options.build());
    }

    private static CountingVfs counting() throws IOException {
        return new CountingVfs(new LocalSource(tmp, false));
    }

    @Test
    void nestedArchivesAreReadThroughTheOuterOne() throws IOException {
        try (ArchiveLayer layer = layer(counting(), ArchiveOptions.builder())) {
            assertEquals("deepest\n", new String(Fixtures.readAll(layer, VfsPath.parse("/pub/a.tar.gz#/inner.zip#/deep/x.txt"))));
            assertEquals("deepest\n", new String(Fixtures.readAll(layer,
                    VfsPath.parse("/pub/a.tar.gz#/outer.zip#/mid.tar.gz#/inner.zip#/deep/x.txt"))));
            assertTrue(layer.stat(VfsPath.parse("/pub/a.tar.gz#/outer.zip#/mid.tar.gz#")).isDirectory());
        }
    }

    @Test
    void hiddenArchivesAreReachableButNotListed() throws IOException {
        try (ArchiveLayer layer = layer(counting(), ArchiveOptions.builder())) {
            assertFalse(names(layer, "/pub").contains("members.zip#"));
            assertTrue(layer.stat(VfsPath.parse("/pub/members.zip#")).isDirectory());
            assertEquals(MEMBERS, layer.list(VfsPath.parse("/pub/members.zip#")).size());
            assertThrows(NoSuchFileException.class, () -> layer.stat(VfsPath.parse("/pub/notes.txt#")));
            assertThrows(NoSuchFileException.class, () -> layer.list(VfsPath.parse("/pub/missing.zip#")));
        }
    }

    @Test
    void visibleArchivesAreListedAndOffDisablesThem() throws IOException {
        try (ArchiveLayer layer = layer(counting(), ArchiveOptions.builder().visibility(ArchiveVisibility.VISIBLE))) {
            List<String> names = names(layer, "/pub");
            assertTrue(names.containsAll(List.of("members.zip#", "plain.tar#", "members.tar.gz#", "a.tar.gz#")), names::toString);
            assertFalse(names.contains("notes.txt#"));
            assertTrue(names(layer, "/pub/a.tar.gz#").contains("inner.zip#"));
        }
        try (ArchiveLayer layer = layer(counting(), ArchiveOptions.builder().visibility(ArchiveVisibility.OFF))) {
            assertThrows(NoSuchFileException.class, () -> layer.stat(VfsPath.parse("/pub/members.zip#")));
            assertFalse(names(layer, "/pub").contains("members.zip#"));
        }
    }

    @Test
    void zipMemberReadFetchesAboutItsBytes() throws IOException {
        CountingVfs counting = counting();
        try (ArchiveLayer layer = layer(counting, ArchiveOptions.builder())) {
            layer.list(VfsPath.parse("/pub/members.zip#"));
            long directory = counting.bytes.get();
            counting.reset();
            byte[] got = Fixtures.readAll(layer, VfsPath.parse("/pub/members.zip#/m030.bin"));
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 30), got);
            long zipSize = Files.size(tmp.resolve("pub/members.zip"));
            long compressedMember = zipSize / MEMBERS;
            assertTrue(directory < 200_000, "opening read " + directory + " bytes of a " + zipSize + "-byte zip");
            assertTrue(counting.bytes.get() < compressedMember + 200_000,
                    "member read fetched " + counting.bytes.get() + " bytes; member is about " + compressedMember);
        }
    }

    @Test
    void plainTarIndexSkipsDataAndMembersAreReadInPlace() throws IOException {
        CountingVfs counting = counting();
        try (ArchiveLayer layer = layer(counting, ArchiveOptions.builder())) {
            assertEquals(MEMBERS, layer.list(VfsPath.parse("/pub/plain.tar#")).size());
            long tarSize = Files.size(tmp.resolve("pub/plain.tar"));
            assertTrue(counting.bytes.get() < tarSize / 2, "index pass read " + counting.bytes.get() + " of " + tarSize);
            counting.reset();
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 7), Fixtures.readAll(layer, VfsPath.parse("/pub/plain.tar#/m007.bin")));
            assertTrue(counting.bytes.get() <= MEMBER_SIZE + 64 * 1024, "member read fetched " + counting.bytes.get());
        }
    }

    @Test
    void gzipCheckpointsBoundWhatALaterReadDecompresses() throws IOException {
        CountingVfs counting = counting();
        long interval = 256 * 1024;
        try (ArchiveLayer layer = layer(counting, ArchiveOptions.builder().checkpointInterval(interval))) {
            layer.list(VfsPath.parse("/pub/members.tar.gz#"));
            long archive = Files.size(tmp.resolve("pub/members.tar.gz"));
            assertTrue(counting.bytes.get() >= archive, "the index pass reads everything once");
            counting.reset();
            try (VfsFile f = layer.open(VfsPath.parse("/pub/members.tar.gz#/m038.bin"))) {
                byte[] got = Fixtures.readRange(f, MEMBER_SIZE - 5000, 4096);
                byte[] expected = Fixtures.compressible(MEMBER_SIZE, 38);
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, MEMBER_SIZE - 5000, MEMBER_SIZE - 904), got);
            }
            // At most one interval of decompressed data (compressing ~2:1 here) plus one 64 KiB input buffer.
            assertTrue(counting.bytes.get() < interval + 64 * 1024,
                    "a read near the end fetched " + counting.bytes.get() + " of " + archive + " compressed bytes");
        }
    }

    @Test
    void checkpointMemoryIsThinnedToTheBudget() throws IOException {
        long budget = 1 << 20;
        ArchiveOptions options = ArchiveOptions.builder().checkpointInterval(64 * 1024).checkpointMemory(budget).build();
        try (VfsFile f = new LocalSource(tmp, false).open(VfsPath.parse("/pub/members.tar.gz"))) {
            ArchiveIndex index = StreamIndexer.index(RandomAccessBytes.of(f), ArchiveFormat.EXPLICIT.get("tgz"), "x",
                    options, new IndexProgress("test", f.attrs().size(), Long.MAX_VALUE));
            assertTrue(index.checkpointWeight() <= budget, "checkpoints hold " + index.checkpointWeight());
            assertTrue(index.checkpoints().size() > 8, "still " + index.checkpoints().size() + " checkpoints");
            assertEquals(MEMBERS + 1, index.members().size()); // plus "./"
        }
    }

    @Test
    void persistedIndexSparesTheSecondMountAPass() throws IOException {
        Path indexDir = tmp.resolve("index-cache");
        try (ArchiveLayer first = layer(counting(), ArchiveOptions.builder().indexDirectory(indexDir))) {
            first.list(VfsPath.parse("/pub/members.tar.gz#"));
        }
        assertEquals(1, Files.list(indexDir).count());
        CountingVfs counting = counting();
        try (ArchiveLayer second = layer(counting, ArchiveOptions.builder().indexDirectory(indexDir))) {
            assertEquals(MEMBERS, second.list(VfsPath.parse("/pub/members.tar.gz#")).size());
            assertEquals(0, counting.bytes.get(), "listing with a saved index reads nothing");
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 39), Fixtures.readAll(second, VfsPath.parse("/pub/members.tar.gz#/m039.bin")));
            assertTrue(counting.bytes.get() < Files.size(tmp.resolve("pub/members.tar.gz")) / 4, "read " + counting.bytes.get());
        }
    }

    @Test
    void concurrentFirstAccessesShareOnePass() throws Exception {
        CountingVfs counting = counting();
        long archive = Files.size(tmp.resolve("pub/members.tar.gz"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (ArchiveLayer layer = layer(counting, ArchiveOptions.builder())) {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tasks.add(() -> layer.list(VfsPath.parse("/pub/members.tar.gz#")).size());
            }
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                assertEquals(MEMBERS, f.get());
            }
            assertTrue(counting.bytes.get() < archive * 3 / 2, "8 first accesses read " + counting.bytes.get() + " bytes of a " + archive + "-byte archive");
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> names(ArchiveLayer layer, String dir) throws IOException {
        return layer.list(VfsPath.parse(dir)).stream().map(DirEntry::name).toList();
    }
}
