package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoded copies of archives that can rarely resume decoding (a single-block xz file, a
 * single-frame zstd file, as xz and zstd write by default): the indexing pass records the
 * decoded data in the store, later reads anywhere come from it without fetching or decoding the
 * archive, a missing or damaged chunk is decoded again and stored again, a remount reads from the
 * copy without a pass, the copy is bounded to half the store, and files that resume often (many
 * zstd frames, many xz blocks) get no copy. Fixtures come from the real xz and zstd.
 */
class DecodedCopyTest {

    private static final int MEMBERS = 48;
    private static final int MEMBER_SIZE = 512 * 1024;

    @TempDir
    static Path tmp;
    static long tarSize;

    @BeforeAll
    static void createArchives() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%03d.bin", i)), Fixtures.compressible(MEMBER_SIZE, i));
        }
        Files.createDirectories(tmp.resolve("pub"));
        Fixtures.sh(tmp, "tar -cf plain.tar -C src . && xz -T1 -1 -c plain.tar > pub/single.tar.xz"
                + " && zstd -q -c plain.tar > pub/single.tar.zst"
                + " && split -b 300000 --filter='zstd -q -c' plain.tar > pub/frames.tar.zst"
                + " && xz -T2 -1 --block-size=1MiB -c plain.tar > pub/blocks.tar.xz"
                + " && xz -T1 -1 -c plain.tar > pub/data.bin.xz");
        tarSize = Files.size(tmp.resolve("plain.tar"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"single.tar.xz", "single.tar.zst"})
    void thePassKeepsACopyAndLaterReadsComeFromIt(String name) throws IOException {
        MemoryStore store = new MemoryStore(1L << 30);
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        try (ArchiveLayer layer = layer(counting, store, null)) {
            assertEquals(MEMBERS, layer.list(VfsPath.parse("/pub/" + name + "#")).size());
            assertEquals((tarSize + DecodedCopy.CHUNK - 1) / DecodedCopy.CHUNK, store.entries.size(), "one entry per MiB decoded");
            counting.reset();
            for (int i : new int[] {47, 3, 30}) {
                assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, i),
                        Fixtures.readAll(layer, VfsPath.parse(String.format("/pub/%s#/m%03d.bin", name, i))));
            }
            assertEquals(0, counting.bytes.get(), "members read from the copy fetch nothing of the archive");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"single.tar.xz", "single.tar.zst"})
    void withoutAStoreTheLastMemberDecodesFromTheStart(String name) throws IOException {
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        try (ArchiveLayer layer = new ArchiveLayer(counting, ArchiveOptions.builder().build())) {
            layer.list(VfsPath.parse("/pub/" + name + "#"));
            counting.reset();
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 47),
                    Fixtures.readAll(layer, VfsPath.parse("/pub/" + name + "#/m047.bin")));
            long archive = Files.size(tmp.resolve("pub/" + name));
            assertTrue(counting.bytes.get() > archive * 9 / 10, "fetched " + counting.bytes.get() + " of " + archive);
        }
    }

    @Test
    void aSingleCompressedFileIsCopiedToo() throws IOException {
        MemoryStore store = new MemoryStore(1L << 30);
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        byte[] tar = Files.readAllBytes(tmp.resolve("plain.tar"));
        try (ArchiveLayer layer = layer(counting, store, null)) {
            VfsPath member = VfsPath.parse("/pub/data.bin.xz#xz/data.bin");
            assertEquals(tar.length, layer.stat(member).size());
            assertFalse(store.entries.isEmpty());
            counting.reset();
            try (io.mirrorfs.vfs.VfsFile f = layer.open(member)) {
                int at = tar.length - 3_000_000;
                assertArrayEquals(java.util.Arrays.copyOfRange(tar, at, at + 100_000), Fixtures.readRange(f, at, 100_000));
            }
            assertEquals(0, counting.bytes.get());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"frames.tar.zst", "blocks.tar.xz"})
    void filesThatResumeOftenGetNoCopy(String name) throws IOException {
        MemoryStore store = new MemoryStore(1L << 30);
        try (ArchiveLayer layer = layer(new LocalSource(tmp, false), store, null)) {
            assertEquals(MEMBERS, layer.list(VfsPath.parse("/pub/" + name + "#")).size());
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 40),
                    Fixtures.readAll(layer, VfsPath.parse("/pub/" + name + "#/m040.bin")));
        }
        assertEquals(Map.of(), store.entries, name + " resumes every MiB or so: nothing to copy");
    }

    @Test
    void aMissingOrDamagedChunkIsDecodedAgainAndStoredAgain() throws IOException {
        MemoryStore store = new MemoryStore(1L << 30);
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        try (ArchiveLayer layer = layer(counting, store, null)) {
            layer.list(VfsPath.parse("/pub/single.tar.xz#"));
            long lastChunk = (tarSize - 1) / DecodedCopy.CHUNK;
            String missing = keyOfChunk(store, lastChunk - 1);
            String damaged = keyOfChunk(store, lastChunk - 2);
            store.entries.remove(missing);
            store.entries.put(damaged, new byte[] {1, 0, 0, 0, 9, 42}); // a zstd chunk that does not decode
            counting.reset();
            for (int i = MEMBERS - 6; i < MEMBERS; i++) {
                assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, i),
                        Fixtures.readAll(layer, VfsPath.parse(String.format("/pub/single.tar.xz#/m%03d.bin", i))));
            }
            assertTrue(counting.bytes.get() > 0, "the missing chunk was decoded from the archive");
            assertTrue(store.entries.containsKey(missing), "and stored again");
        }
    }

    @Test
    void aRemountReadsTheCopyWithoutAPass() throws IOException {
        MemoryStore store = new MemoryStore(1L << 30);
        Path indexes = tmp.resolve("indexes");
        try (ArchiveLayer first = layer(new LocalSource(tmp, false), store, indexes)) {
            first.list(VfsPath.parse("/pub/single.tar.zst#"));
        }
        CountingVfs counting = new CountingVfs(new LocalSource(tmp, false));
        try (ArchiveLayer second = layer(counting, store, indexes)) {
            assertEquals(MEMBERS, second.list(VfsPath.parse("/pub/single.tar.zst#")).size());
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 46),
                    Fixtures.readAll(second, VfsPath.parse("/pub/single.tar.zst#/m046.bin")));
            assertTrue(counting.bytes.get() < 64 * 1024, "a remount fetched " + counting.bytes.get() + " bytes");
        }
    }

    @Test
    void theCopyTakesAtMostHalfTheStore() throws IOException {
        MemoryStore store = new MemoryStore(8L << 20);
        try (ArchiveLayer layer = layer(new LocalSource(tmp, false), store, null)) {
            layer.list(VfsPath.parse("/pub/single.tar.xz#"));
            assertTrue(store.written.get() <= 4L << 20, "wrote " + store.written.get());
            assertFalse(store.entries.isEmpty());
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 47),
                    Fixtures.readAll(layer, VfsPath.parse("/pub/single.tar.xz#/m047.bin")), "beyond the copy: decoded");
        }
    }

    @Test
    void aChangedArchiveNeverMatchesTheOldCopy() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("changing"));
        Path src = Files.createDirectories(tmp.resolve("changing-src"));
        MemoryStore store = new MemoryStore(1L << 30);
        for (int version = 0; version < 2; version++) {
            for (int i = 0; i < 20; i++) {
                Files.write(src.resolve(String.format("m%03d.bin", i)), Fixtures.compressible(MEMBER_SIZE, 1000 * version + i));
            }
            Fixtures.sh(tmp, "tar -cf changing.tar -C changing-src . && xz -T1 -1 -c changing.tar > changing/a.tar.xz");
            Files.setLastModifiedTime(dir.resolve("a.tar.xz"), FileTime.fromMillis(1_600_000_000_000L + version * 1000L));
            try (ArchiveLayer layer = layer(new LocalSource(tmp, false), store, tmp.resolve("changing-indexes"))) {
                assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 1000 * version + 19),
                        Fixtures.readAll(layer, VfsPath.parse("/changing/a.tar.xz#/m019.bin")), "version " + version);
            }
        }
    }

    private static ArchiveLayer layer(io.mirrorfs.vfs.Vfs inner, MemoryStore store, Path indexes) {
        ArchiveOptions.Builder options = ArchiveOptions.builder();
        if (indexes != null) {
            options.indexDirectory(indexes);
        }
        return new ArchiveLayer(inner, options.build(), bytes -> { }, Optional.of(store));
    }

    private static String keyOfChunk(MemoryStore store, long index) {
        return store.entries.keySet().stream().filter(k -> k.endsWith("\n" + index)).findFirst().orElseThrow();
    }

    /** A store in memory, as the disk tier but without files: bounded only for {@link DecodedCopy}'s own check. */
    private static final class MemoryStore implements DecodedStore {
        final Map<String, byte[]> entries = new ConcurrentHashMap<>();
        final AtomicLong written = new AtomicLong();
        private final long capacity;

        MemoryStore(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Optional<byte[]> read(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        @Override
        public boolean contains(String key) {
            return entries.containsKey(key);
        }

        @Override
        public void write(String key, byte[] payload) {
            written.addAndGet(payload.length);
            entries.put(key, payload.clone());
        }

        @Override
        public long capacity() {
            return capacity;
        }
    }
}
