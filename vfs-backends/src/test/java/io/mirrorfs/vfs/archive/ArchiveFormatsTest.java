package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every format, made and extracted by the real tool: the listing, metadata and content we show
 * inside {@code NAME#/} equal what the tool extracts.
 */
class ArchiveFormatsTest {

    @TempDir
    static Path tmp;
    static Path src;
    static ArchiveLayer layer;

    @BeforeAll
    static void createTreeAndLayer() throws IOException {
        src = Fixtures.sourceTree(tmp.resolve("src"));
        Files.createDirectories(tmp.resolve("arch"));
        layer = new ArchiveLayer(new LocalSource(tmp, false),
                ArchiveOptions.builder().checkpointInterval(64 * 1024).build());
    }

    @AfterAll
    static void closeLayer() throws IOException {
        layer.close();
    }

    @CsvSource(delimiterString = " @ ", value = {
        "a.tar @ tar -cf ARCH -C SRC . @ tar -xf ARCH -C OUT @ true",
        "a.tar.gz @ tar -czf ARCH -C SRC . @ tar -xzf ARCH -C OUT @ true",
        "a.tgz @ tar -czf ARCH -C SRC --format=posix . @ tar -xzf ARCH -C OUT @ true",
        "a.tar.bz2 @ tar -cjf ARCH -C SRC . @ tar -xjf ARCH -C OUT @ true",
        "a.tar.xz @ tar -cJf ARCH -C SRC . @ tar -xJf ARCH -C OUT @ true",
        "mt.tar.xz @ tar -cf - -C SRC . | xz -T2 --block-size=262144 > ARCH @ tar -xJf ARCH -C OUT @ true",
        "a.tar.zst @ tar --zstd -cf ARCH -C SRC . @ tar --zstd -xf ARCH -C OUT @ true",
        "a.zip @ cd SRC && zip -q -r -y ARCH . @ unzip -q ARCH -d OUT @ true",
        "a.jar @ cd SRC && zip -q -r -y -0 ARCH . @ unzip -q ARCH -d OUT @ true",
        "a.7z @ cd SRC && 7z a -bd -snl ARCH . >/dev/null @ 7z x -bd -snl -snld ARCH -oOUT >/dev/null @ true",
        "a.cpio @ cd SRC && find . | cpio -o -H newc --quiet > ARCH @ cd OUT && cpio -idm --quiet < ARCH @ true",
        "odc.cpio @ cd SRC && find . | cpio -o -H odc --quiet > ARCH @ cd OUT && cpio -idm --quiet < ARCH @ true",
        "crc.cpio @ cd SRC && find . | cpio -o -H crc --quiet > ARCH @ cd OUT && cpio -idm --quiet < ARCH @ true",
        "bin.cpio @ cd SRC && find . | cpio -o -H bin --quiet > ARCH @ cd OUT && cpio -idm --quiet < ARCH @ true",
        "a.cpio.gz @ cd SRC && find . | cpio -o -H newc --quiet | gzip > ARCH @ cd OUT && gzip -dc ARCH | cpio -idm --quiet @ true",
    })
    @ParameterizedTest(name = "{0}")
    void entriesEqualWhatTheToolExtracts(String name, String create, String extract, boolean times) throws IOException {
        Path arch = tmp.resolve("arch").resolve(name);
        Path out = Files.createDirectories(tmp.resolve("out-" + name));
        Fixtures.sh(tmp, create.replace("ARCH", arch.toString()).replace("SRC", src.toString()));
        Fixtures.sh(tmp, extract.replace("ARCH", arch.toString()).replace("OUT", out.toString()));

        TreeMap<String, String> expected = Fixtures.snapshot(out, times);
        TreeMap<String, String> actual = Fixtures.snapshot(layer, VfsPath.parse("/arch/" + name + "#"), times);
        assertEquals(expected, actual);
        assertTrue(actual.containsKey("links/rel-link") && actual.get("data/big.bin").contains(" 3145728 "), actual::toString);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " @ ", value = {
        "big.bin.gz @ gzip -k -c SRC > ARCH",
        "big.bin.bz2 @ bzip2 -k -c SRC > ARCH",
        "big.bin.xz @ xz -k -c SRC > ARCH",
        "big.bin.zst @ zstd -q -c SRC > ARCH",
        "multi.bin.gz @ (head -c 1000000 SRC | gzip -c; tail -c +1000001 SRC | gzip -c) > ARCH",
    })
    void singleCompressedFileHoldsTheDecompressedFile(String name, String create) throws IOException {
        Path arch = tmp.resolve("arch").resolve(name);
        Fixtures.sh(tmp, create.replace("ARCH", arch.toString()).replace("SRC", src.resolve("data/big.bin").toString()));
        byte[] expected = Files.readAllBytes(src.resolve("data/big.bin"));
        String inner = name.substring(0, name.lastIndexOf('.'));
        VfsPath member = VfsPath.parse("/arch/" + name + "#/" + inner);

        assertEquals(1, layer.list(VfsPath.parse("/arch/" + name + "#")).size());
        FileAttrs a = layer.stat(member);
        assertEquals(expected.length, a.size());
        assertEquals(Files.getLastModifiedTime(arch).toInstant(), a.mtime());
        assertEquals(Fixtures.sha256(expected), Fixtures.sha256(Fixtures.readAll(layer, member)));
        try (var f = layer.open(member)) {
            for (long offset : new long[] {2_999_999, 17, 1_000_000 - 5, 2 << 20}) {
                byte[] got = Fixtures.readRange(f, offset, 4096);
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, (int) offset, (int) Math.min(expected.length, offset + 4096)), got,
                        "bytes at " + offset);
            }
        }
    }

    @Test
    void arAndDebianPackagesListTheirMembers() throws IOException {
        Path arch = tmp.resolve("arch/a.ar");
        Path out = Files.createDirectories(tmp.resolve("out-ar"));
        Fixtures.sh(src, "ar rc " + arch + " README.txt private.txt data/big.bin data/empty.txt");
        Fixtures.sh(out, "ar x " + arch);
        TreeMap<String, String> expected = contentOnly(Fixtures.snapshot(out, false));
        assertEquals(expected, contentOnly(Fixtures.snapshot(layer, VfsPath.parse("/arch/a.ar#"), false)));
    }

    @Test
    void explicitFormatAndTarWithoutSuffix() throws IOException {
        Path arch = tmp.resolve("arch/noext");
        Fixtures.sh(tmp, "tar -czf " + arch + " -C " + src + " README.txt");
        assertEquals("hello archives\n", new String(Fixtures.readAll(layer, VfsPath.parse("/arch/noext#/README.txt"))));
        assertEquals("hello archives\n", new String(Fixtures.readAll(layer, VfsPath.parse("/arch/noext#tgz/README.txt"))));
        assertTrue(layer.stat(VfsPath.parse("/arch/noext#tgz")).isDirectory());
    }

    @Test
    void explicitCpioTakesItsCompressionFromTheMagicBytes() throws IOException {
        // Initramfs images are cpio archives, usually compressed, under names such as initrd.img.
        String[][] images = {{"initrd-plain.img", "cat"}, {"initrd-gz.img", "gzip -c"}, {"initrd-xz.img", "xz -c --check=crc32"},
            {"initrd-zst.img", "zstd -q -c"}, {"initrd-bz2.img", "bzip2 -c"}};
        for (String[] image : images) {
            Path arch = tmp.resolve("arch").resolve(image[0]);
            Fixtures.sh(src, "printf '%s\\n' README.txt bin bin/tool.sh | cpio -o -H newc --quiet | " + image[1] + " > " + arch);
            for (String label : new String[] {"#", "#cpio"}) {
                VfsPath dir = VfsPath.parse("/arch/" + image[0] + label);
                assertEquals("hello archives\n", new String(Fixtures.readAll(layer, dir.resolve("README.txt"))), image[0] + label);
                assertEquals(0550, layer.stat(dir.resolve("bin").resolve("tool.sh")).permissions(), image[0] + label);
            }
        }
    }

    @Test
    void sparseMembersReadAsTheirExpandedContent() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sparse-src"));
        Fixtures.sh(dir, "truncate -s 5M holes.bin && printf 'start' | dd of=holes.bin conv=notrunc 2>/dev/null"
                + " && printf 'middle' | dd of=holes.bin bs=1 seek=2500000 conv=notrunc 2>/dev/null"
                + " && printf 'end' | dd of=holes.bin bs=1 seek=5242877 conv=notrunc 2>/dev/null");
        byte[] expected = Files.readAllBytes(dir.resolve("holes.bin"));
        for (String format : new String[] {"gnu", "posix"}) {
            Path arch = tmp.resolve("arch/sparse-" + format + ".tar.gz");
            Fixtures.sh(dir, "tar --sparse --format=" + format + " -czf " + arch + " holes.bin");
            byte[] got = Fixtures.readAll(layer, VfsPath.parse("/arch/sparse-" + format + ".tar.gz#/holes.bin"));
            assertEquals(Fixtures.sha256(expected), Fixtures.sha256(got), format);
        }
    }

    private static TreeMap<String, String> contentOnly(TreeMap<String, String> snapshot) {
        TreeMap<String, String> out = new TreeMap<>();
        snapshot.forEach((k, v) -> out.put(k, v.replaceAll("^file \\d+ ", "file ")));
        return out;
    }
}
