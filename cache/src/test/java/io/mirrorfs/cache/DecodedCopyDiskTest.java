package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.VfsReads;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled mirror keeps the decoded copy of a single-block tar.xz in the disk tier of
 * {@code --cache-dir}, within its bound: after a restart, a member near the end is read from the
 * copy with next to nothing fetched from the source (the index is saved too), where the same read
 * without a cache directory fetches the whole archive again.
 */
class DecodedCopyDiskTest {

    private static final int MEMBERS = 32;
    private static final int MEMBER_SIZE = 512 * 1024;

    @TempDir
    static Path dir;
    static long archiveSize;

    @BeforeAll
    static void createArchive() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%02d.bin", i)), member(i));
        }
        Files.createDirectories(dir.resolve("pub"));
        Process p = new ProcessBuilder("/bin/sh", "-c", "tar -cf - -C src . | xz -T1 -1 > pub/a.tar.xz")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        archiveSize = Files.size(dir.resolve("pub/a.tar.xz"));
    }

    @Test
    void aRestartedMirrorReadsTheCopyFromDisk() throws Exception {
        Path cacheDir = dir.resolve("cache");
        CacheConfig config = CacheConfig.builder().maxBytes(32L << 20).diskDir(cacheDir).diskMaxBytes(256L << 20).build();
        ArchiveOptions options = ArchiveOptions.builder().checkpointMemory(config.defaultCheckpointBytes())
                .indexDirectory(cacheDir.resolve("archive-indexes")).build();
        try (Vfs mirror = mirror(config, options)) {
            assertArrayEquals(member(31), readAll(mirror, "/pub/a.tar.xz#/m31.bin"));
            long disk = stat(mirror, "disk_bytes");
            assertTrue(disk > 2L << 20 && disk <= 256L << 20, "the copy is in the disk tier: " + disk + " bytes");
        }
        try (Vfs mirror = mirror(config, options)) {
            assertArrayEquals(member(30), readAll(mirror, "/pub/a.tar.xz#/m30.bin"));
            long fetched = stat(mirror, "bytes_fetched");
            assertTrue(fetched < 256 * 1024, "after a restart: " + fetched + " bytes fetched of a " + archiveSize + "-byte archive");
        }
        try (Vfs mirror = mirror(CacheConfig.builder().maxBytes(32L << 20).build(),
                ArchiveOptions.builder().checkpointMemory(config.defaultCheckpointBytes()).build())) {
            assertArrayEquals(member(30), readAll(mirror, "/pub/a.tar.xz#/m30.bin"));
            long fetched = stat(mirror, "bytes_fetched");
            assertTrue(fetched >= archiveSize, "without a cache directory: " + fetched + " of " + archiveSize);
        }
    }

    private static Vfs mirror(CacheConfig config, ArchiveOptions options) throws IOException {
        return MirrorAssembly.assemble(List.of(SourceSpec.parse("/=" + dir.toUri())), SourceOptions.DEFAULTS, config, options,
                Clock.systemUTC());
    }

    /** The value of the stats line ending in {@code name} (the one source's line for per-source figures). */
    private static long stat(Vfs mirror, String name) throws IOException {
        for (String line : new String(readAll(mirror, StatsFileVfs.STATS.toString()), StandardCharsets.US_ASCII).split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length >= 2 && words[words.length - 2].equals(name)) {
                return Long.parseLong(words[words.length - 1]);
            }
        }
        throw new AssertionError("no " + name + " in the stats");
    }

    private static byte[] member(int i) {
        Random r = new Random(i);
        byte[] b = new byte[MEMBER_SIZE];
        for (int j = 0; j < b.length; j++) {
            b[j] = (j % 5 == 0) ? (byte) r.nextInt(256) : (byte) ('a' + (j * 7 + i) % 26);
        }
        return b;
    }

    private static byte[] readAll(Vfs vfs, String path) throws IOException {
        return VfsReads.readAll(vfs, path, 128 * 1024, 0);
    }
}
