package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system liblzma decoder against what xz itself wrote: single and multi-block files,
 * concatenated streams with padding, and every check type give the original bytes; truncated,
 * corrupted and trailing-garbage files fail with an {@link IOException}, also through the archive
 * layer (one archive's error, not the process's). The machine has liblzma (xz-utils depends on
 * it); the test fails, not skips, if it cannot be loaded.
 */
class NativeXzTest {

    @TempDir
    static Path tmp;
    static byte[] data;

    @BeforeAll
    static void createFiles() throws IOException {
        data = Fixtures.compressible(3 << 20, 11);
        Files.write(tmp.resolve("data"), data);
        Fixtures.sh(tmp, "xz -T1 -c data > one.xz && xz -T2 --block-size=256KiB -c data > blocks.xz"
                + " && head -c 1000000 data | xz -c > cat.xz && printf '\\0\\0\\0\\0' >> cat.xz"
                + " && tail -c +1000001 data | xz -C sha256 -c >> cat.xz"
                + " && xz -C none -c data > nocheck.xz && xz -C crc32 -c data > crc32.xz");
    }

    @Test
    void liblzmaIsLoaded() {
        assertTrue(NativeXz.loaded(), "liblzma.so.5 could not be loaded");
    }

    @Test
    void decodesWhatXzWrote() throws IOException {
        for (String name : new String[] {"one.xz", "blocks.xz", "cat.xz", "nocheck.xz", "crc32.xz"}) {
            assertArrayEquals(data, decode(Files.readAllBytes(tmp.resolve(name))), name);
        }
    }

    @Test
    void damagedFilesFail() throws IOException {
        byte[] good = Files.readAllBytes(tmp.resolve("one.xz"));
        assertThrows(IOException.class, () -> decode(Arrays.copyOf(good, good.length / 2)), "truncated");
        assertThrows(IOException.class, () -> decode(Arrays.copyOf(good, good.length - 1)), "footer cut");
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x55;
        assertThrows(IOException.class, () -> decode(flipped), "corrupted");
        byte[] garbage = Arrays.copyOf(good, good.length + 5);
        assertThrows(IOException.class, () -> decode(garbage), "trailing garbage");
        assertThrows(IOException.class, () -> decode("not xz at all".getBytes()), "not xz");
    }

    @Test
    void aCorruptTarXzIsOneArchivesError() throws IOException {
        Files.createDirectories(tmp.resolve("pub"));
        Fixtures.sh(tmp, "tar -cf - data | xz -c > pub/good.tar.xz && head -c 200000 pub/good.tar.xz > pub/cut.tar.xz");
        try (ArchiveLayer layer = new ArchiveLayer(new LocalSource(tmp, false), ArchiveOptions.builder().build())) {
            IOException e = assertThrows(IOException.class, () -> layer.list(VfsPath.parse("/pub/cut.tar.xz#")));
            assertTrue(e.getMessage().contains("cut.tar.xz"), e.getMessage());
            assertArrayEquals(data, Fixtures.readAll(layer, VfsPath.parse("/pub/good.tar.xz#/data")));
        }
    }

    private static byte[] decode(byte[] xz) throws IOException {
        try (InputStream in = new NativeXz(new ByteArrayInputStream(xz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[100_000];
            for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }
}
