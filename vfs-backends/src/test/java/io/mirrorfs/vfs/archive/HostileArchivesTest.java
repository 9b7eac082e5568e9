package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives built to hurt: traversal names, escaping symlinks, damage, and a zip bomb. */
class HostileArchivesTest {

    @TempDir
    static Path tmp;
    static ArchiveLayer layer;

    @BeforeAll
    static void createLayer() throws IOException {
        Files.createDirectories(tmp.resolve("arch"));
        layer = new ArchiveLayer(new LocalSource(tmp, false), ArchiveOptions.defaults());
    }

    @AfterAll
    static void closeLayer() throws IOException {
        layer.close();
    }

    @Test
    void traversalAndAbsoluteNamesAreDropped() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work/a/b"));
        Fixtures.write(tmp.resolve("work/outside.txt"), "outside\n");
        Fixtures.write(work.resolve("good.txt"), "good\n");
        // -P keeps "../" and absolute names, as a hostile archive would have them.
        Fixtures.sh(work, "tar -cPf " + tmp.resolve("arch/evil.tar") + " good.txt ../../outside.txt "
                + tmp.resolve("work/outside.txt") + " ./../b/good.txt");
        TreeMap<String, String> seen = Fixtures.snapshot(layer, VfsPath.parse("/arch/evil.tar#"), false);
        assertEquals(1, seen.size(), seen::toString);
        assertTrue(seen.containsKey("good.txt"));

        Path zip = tmp.resolve("arch/evil.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(zip)) {
            for (String name : new String[] {"../../evil.txt", "/abs.txt", "ok/../../up.txt", "nul\0name.txt", "fine/ok.txt"}) {
                out.putArchiveEntry(new ZipArchiveEntry(name));
                out.write(name.getBytes(StandardCharsets.UTF_8));
                out.closeArchiveEntry();
            }
        }
        TreeMap<String, String> zipSeen = Fixtures.snapshot(layer, VfsPath.parse("/arch/evil.zip#"), false);
        assertEquals(java.util.Set.of("fine", "fine/ok.txt"), zipSeen.keySet());
    }

    @Test
    void symlinksLeavingTheArchiveAreHidden() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("links/sub"));
        Fixtures.write(work.resolve("target.txt"), "t\n");
        Files.createSymbolicLink(work.resolve("abs"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(work.resolve("up"), Path.of("../../../etc/passwd"));
        Files.createSymbolicLink(work.resolve("ok"), Path.of("target.txt"));
        Files.createSymbolicLink(work.resolve("ok-up"), Path.of("../sub/target.txt"));
        Fixtures.sh(tmp.resolve("links"), "tar -czf " + tmp.resolve("arch/links.tgz") + " sub && zip -q -r -y "
                + tmp.resolve("arch/links.zip") + " sub");
        for (String name : new String[] {"links.tgz", "links.zip"}) {
            TreeMap<String, String> seen = Fixtures.snapshot(layer, VfsPath.parse("/arch/" + name + "#/sub"), false);
            assertEquals("link -> target.txt", seen.get("ok"), name);
            assertEquals("link -> ../sub/target.txt", seen.get("ok-up"), name);
            assertFalse(seen.containsKey("abs") || seen.containsKey("up"), name + ": " + seen);
            assertThrows(NoSuchFileException.class, () -> layer.readlink(VfsPath.parse("/arch/" + name + "#/sub/abs")));
        }
        try (ArchiveLayer shown = new ArchiveLayer(new LocalSource(tmp, false),
                ArchiveOptions.builder().showOutsideSymlinks(true).build())) {
            assertEquals("/etc/passwd", shown.readlink(VfsPath.parse("/arch/links.tgz#/sub/abs")));
        }
    }

    @Test
    void damagedArchivesFailWithIoErrorForThatArchiveOnly() throws IOException {
        Path src = Fixtures.sourceTree(tmp.resolve("damage-src"));
        Fixtures.sh(tmp, "tar -czf arch/good.tgz -C " + src + " . && cp arch/good.tgz arch/corrupt.tgz"
                + " && head -c $(( $(stat -c %s arch/good.tgz) / 2 )) arch/good.tgz > arch/truncated.tgz"
                + " && printf 'XXXXXXXXXXXXXXXX' | dd of=arch/corrupt.tgz bs=1 seek=400000 conv=notrunc 2>/dev/null"
                + " && cd " + src + " && zip -q -r ../arch/good.zip . && cd .. "
                + " && head -c $(( $(stat -c %s arch/good.zip) - 100 )) arch/good.zip > arch/truncated.zip"
                + " && tar -cf arch/truncated.tar -C " + src + " . && truncate -s 1000000 arch/truncated.tar"
                + " && tar -cjf arch/good.tbz2 -C " + src + " . && cp arch/good.tbz2 arch/corrupt.tbz2"
                + " && head -c $(( $(stat -c %s arch/good.tbz2) / 2 )) arch/good.tbz2 > arch/truncated.tbz2"
                + " && printf 'XXXXXXXXXXXXXXXX' | dd of=arch/corrupt.tbz2 bs=1 seek=300000 conv=notrunc 2>/dev/null"
                + " && tar --zstd -cf arch/good.tzst -C " + src + " . && cp arch/good.tzst arch/corrupt.tzst"
                + " && head -c $(( $(stat -c %s arch/good.tzst) / 2 )) arch/good.tzst > arch/truncated.tzst"
                + " && printf 'XXXXXXXXXXXXXXXX' | dd of=arch/corrupt.tzst bs=1 seek=300000 conv=notrunc 2>/dev/null");
        for (String bad : new String[] {"truncated.tgz", "corrupt.tgz", "truncated.zip", "truncated.tar",
            "truncated.tbz2", "corrupt.tbz2", "truncated.tzst", "corrupt.tzst"}) {
            VfsPath dir = VfsPath.parse("/arch/" + bad + "#");
            IOException first = assertThrows(IOException.class, () -> Fixtures.snapshot(layer, dir, false), bad);
            assertFalse(first instanceof NoSuchFileException, bad + ": " + first);
            assertThrows(IOException.class, () -> layer.list(dir), bad + " fails again without a new pass");
        }
        assertEquals(Fixtures.snapshot(layer, VfsPath.parse("/arch/good.tgz#"), true).size(),
                Fixtures.snapshot(layer, VfsPath.parse("/arch/good.zip#"), true).size());
    }

    @Test
    void zipBombStreamsWithBoundedMemory() throws Exception {
        long size = 1L << 30;
        Path bomb = tmp.resolve("arch/bomb.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(bomb)) {
            out.putArchiveEntry(new ZipArchiveEntry("zeros.bin"));
            byte[] zeros = new byte[1 << 20];
            for (long i = 0; i < size; i += zeros.length) {
                out.write(zeros);
            }
            out.closeArchiveEntry();
        }
        assertTrue(Files.size(bomb) < 2 << 20, "a 1 GiB member compresses to " + Files.size(bomb));
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        MessageDigest actual = MessageDigest.getInstance("SHA-256");
        byte[] zeros = new byte[128 * 1024];
        try (VfsFile f = layer.open(VfsPath.parse("/arch/bomb.zip#/zeros.bin"))) {
            assertEquals(size, f.attrs().size());
            ByteBuffer buf = ByteBuffer.allocate(zeros.length);
            long pos = 0;
            int n;
            while ((n = f.read(pos, buf.clear())) > 0) {
                actual.update(buf.array(), 0, n);
                expected.update(zeros, 0, n);
                pos += n;
            }
            assertEquals(size, pos);
            System.gc();
            long retained = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertTrue(retained < 128L << 20, "heap still in use with the member open: " + retained);
        }
        assertEquals(HexFormat.of().formatHex(expected.digest()), HexFormat.of().formatHex(actual.digest()));
    }

    @Test
    void aHugeDeclaredSizeAllocatesNothing() throws IOException {
        Path tar = tmp.resolve("arch/huge.tar");
        byte[] header = new byte[512];
        org.apache.commons.compress.archivers.tar.TarArchiveEntry e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("huge.bin");
        e.setSize(7L << 30); // 7 GiB declared, a few bytes present
        e.writeEntryHeader(header);
        try (OutputStream out = Files.newOutputStream(tar)) {
            out.write(header);
            out.write(new byte[4096]);
        }
        IOException failure = assertThrows(IOException.class, () -> Fixtures.snapshot(layer, VfsPath.parse("/arch/huge.tar#"), false));
        assertFalse(failure instanceof NoSuchFileException, failure.toString());
    }
}
