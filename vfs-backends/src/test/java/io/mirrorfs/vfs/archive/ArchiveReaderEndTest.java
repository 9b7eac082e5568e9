package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.ForwardingVfs;
import io.mirrorfs.testing.ForwardingVfsFile;
import io.mirrorfs.vfs.MemoryVfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarFile;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The archive layer names the end of a member's data with every read of it from the archive file
 * ({@link VfsFile#readWithin}): stored zip and tar members their data's end, deflated zip members
 * their compressed data's end, members of a nested stored archive their end in the outer file.
 */
class ArchiveReaderEndTest {

    private static final byte[] STORED = random(300_000, 1);
    private static final byte[] DEFLATED = Fixtures.compressible(300_000, 2);
    private static final byte[] INNER = random(100_000, 3);

    /** One read of the archive file: where, how many bytes, and the reader's end (MAX_VALUE: none). */
    private record Read(long offset, int length, long readerEnd) {
    }

    private final List<Read> reads = Collections.synchronizedList(new ArrayList<>());

    @Test
    void zipMembersNameTheEndOfTheirData() throws Exception {
        byte[] inner = zip(List.of(stored("a.bin", INNER), stored("b.bin", random(50_000, 4))));
        byte[] outer = zip(List.of(stored("stored.bin", STORED), deflated("deflated.txt", DEFLATED),
                stored("inner.zip", inner), stored("after.bin", random(200_000, 5))));
        try (ZipFile z = ZipFile.builder().setByteArray(outer).get(); ZipFile in = ZipFile.builder().setByteArray(inner).get();
             ArchiveLayer layer = layer("/a.zip", outer)) {
            ZipArchiveEntry stored = z.getEntry("stored.bin");
            assertOnlyEnd(layer, "/a.zip#/stored.bin", STORED, STORED.length, stored.getDataOffset() + stored.getSize());
            ZipArchiveEntry deflated = z.getEntry("deflated.txt");
            assertTrue(deflated.getCompressedSize() < DEFLATED.length * 3L / 4, "compressed to " + deflated.getCompressedSize());
            assertOnlyEnd(layer, "/a.zip#/deflated.txt", DEFLATED, deflated.getCompressedSize(), deflated.getDataOffset() + deflated.getCompressedSize());
            ZipArchiveEntry a = in.getEntry("a.bin");
            assertOnlyEnd(layer, "/a.zip#/inner.zip#/a.bin", INNER, INNER.length,
                    z.getEntry("inner.zip").getDataOffset() + a.getDataOffset() + a.getSize());
        }
    }

    /**
     * A file named like a zip is recognised by the end record of its central directory: opening
     * it reads only its tail (no transfer from its start, which over FTP would be stopped early),
     * so a zip with a stub before it (a self-extracting archive) opens too.
     */
    @Test
    void aZipNamedFileIsRecognisedFromItsTailAlone() throws Exception {
        byte[] zip = zip(List.of(stored("x.bin", STORED), deflated("y.txt", DEFLATED)));
        try (ArchiveLayer layer = layer("/a.zip", zip)) {
            assertEquals(2, layer.list(VfsPath.parse("/a.zip#")).size());
            synchronized (reads) {
                long tail = zip.length - 22 - 0xffff;
                assertTrue(reads.stream().allMatch(r -> r.offset >= tail), "opening read before the tail: " + reads);
            }
            assertArrayEquals(DEFLATED, Fixtures.readAll(layer, VfsPath.parse("/a.zip#/y.txt")));
        }
        Path dir = Files.createTempDirectory("sfx");
        try {
            Files.write(dir.resolve("sfx.zip"), concat(random(5000, 6), zip));
            Fixtures.sh(dir, "zip -q -A sfx.zip"); // what makers of self-extracting archives run: offsets adjusted
            try (ArchiveLayer layer = layer("/sfx.zip", Files.readAllBytes(dir.resolve("sfx.zip")))) {
                assertArrayEquals(STORED, Fixtures.readAll(layer, VfsPath.parse("/sfx.zip#/x.bin")), "a zip after a stub");
            }
        } finally {
            Fixtures.sh(dir.getParent(), "rm -rf " + dir);
        }
        reads.clear();
        try (ArchiveLayer layer = layer("/a.bin", zip)) {
            assertEquals(2, layer.list(VfsPath.parse("/a.bin#")).size(), "another name: found by its first bytes");
            assertTrue(reads.stream().anyMatch(r -> r.offset == 0), reads::toString);
        }
    }

    @Test
    void tarMembersNameTheEndOfTheirData() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (var e : List.of(java.util.Map.entry("one.bin", STORED), java.util.Map.entry("two.bin", INNER))) {
                TarArchiveEntry t = new TarArchiveEntry(e.getKey());
                t.setSize(e.getValue().length);
                tar.putArchiveEntry(t);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        byte[] archive = bytes.toByteArray();
        try (TarFile t = new TarFile(archive); ArchiveLayer layer = layer("/a.tar", archive)) {
            TarArchiveEntry one = t.getEntries().get(0);
            assertOnlyEnd(layer, "/a.tar#/one.bin", STORED, STORED.length, one.getDataOffset() + one.getSize());
        }
    }

    /**
     * Reads {@code path} whole and checks that its data, the {@code dataLength} bytes before
     * {@code end} in the archive file, was read naming {@code end}. Reads before the data (a local
     * header) may name no end or an enclosing member's.
     */
    private void assertOnlyEnd(ArchiveLayer layer, String path, byte[] content, long dataLength, long end)
            throws IOException {
        layer.stat(VfsPath.parse(path)); // opens the archives, with reads of their own
        reads.clear();
        assertArrayEquals(content, Fixtures.readAll(layer, VfsPath.parse(path)));
        long start = end - dataLength;
        long named = 0;
        synchronized (reads) {
            for (Read r : reads) {
                assertTrue(r.offset < end, path + ": read at " + r.offset + ", past the data's end " + end + ": " + reads);
                if (r.offset >= start) {
                    assertEquals(end, r.readerEnd, path + ": " + reads);
                    named += r.length;
                }
            }
        }
        assertTrue(named >= dataLength, path + ": only " + named + " bytes read with the end named: " + reads);
    }

    private ArchiveLayer layer(String path, byte[] archive) {
        MemoryVfs memory = new MemoryVfs("m").file(path, archive, Instant.ofEpochSecond(1_600_000_000L));
        return new ArchiveLayer(ForwardingVfs.wrappingFiles(memory, Recording::new), ArchiveOptions.builder().build());
    }

    /** A zip entry to write. */
    private record Item(String name, boolean deflate, byte[] data) {
    }

    private static Item stored(String name, byte[] data) {
        return new Item(name, false, data);
    }

    private static Item deflated(String name, byte[] data) {
        return new Item(name, true, data);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] zip(List<Item> items) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Item item : items) {
                ZipEntry e = new ZipEntry(item.name());
                if (!item.deflate()) {
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(item.data().length);
                    CRC32 crc = new CRC32();
                    crc.update(item.data());
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(item.data());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A file of the archive's source that records every read in {@link #reads}. */
    private final class Recording extends ForwardingVfsFile {

        Recording(VfsFile file) {
            super(file);
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            return readWithin(offset, dst, Long.MAX_VALUE);
        }

        @Override
        public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
            int n = delegate().read(offset, dst);
            reads.add(new Read(offset, Math.max(n, 0), readerEnd));
            return n;
        }
    }
}
