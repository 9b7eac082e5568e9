package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.archive.ArchiveLayer;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archive checkpoints are counted in {@code --cache-size}: the shared block cache shrinks by what
 * they hold, so cached blocks, pinned blocks and checkpoints together never exceed
 * {@link CacheConfig#maxBytes}, with a cache small enough that gzip archives with many
 * checkpoints fill their share.
 */
class CheckpointShareTest {

    private static final int MEMBERS = 32;
    private static final int MEMBER_SIZE = 256 * 1024;
    private static final long INTERVAL = 64 * 1024;
    /** 8 MiB: 2 MiB pinned, 6 MiB shared, of which the checkpoints may take 2 MiB (the default quarter). */
    private static final CacheConfig CONFIG = CacheConfig.builder().maxBytes(8L << 20).blockSize(64 << 10).readAheadBlocks(4).build();

    @TempDir
    static Path dir;

    @BeforeAll
    static void createFiles() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%02d.bin", i)), compressible(i));
        }
        byte[] plain = new byte[8 << 20];
        new Random(1).nextBytes(plain);
        Path pub = Files.createDirectories(dir.resolve("pub"));
        Files.write(pub.resolve("plain.bin"), plain);
        sh("tar -czf pub/a.tar.gz -C src . && cp pub/a.tar.gz pub/b.tar.gz && cp pub/a.tar.gz pub/c.tar.gz");
    }

    @Test
    void blocksAndCheckpointsStayWithinTheCacheSizeAtEveryChange() throws Exception {
        List<String> violations = new ArrayList<>();
        long[] most = new long[1];
        BlockCache cache = BlockCache.create(CONFIG);
        ArchiveOptions options = ArchiveOptions.builder().checkpointInterval(INTERVAL).checkpointMemory(CONFIG.defaultCheckpointBytes()).build();
        try (ArchiveLayer layer = new ArchiveLayer(new CachingVfs(new LocalSource(dir, false), "/=local", cache), options, bytes -> {
            cache.checkpointBytes(bytes);
            CacheStats s = cache.stats();
            most[0] = Math.max(most[0], bytes);
            if (s.bytesHeld() + s.bytesPinned() + s.checkpointBytes() > CONFIG.maxBytes()
                    || s.bytesHeld() > CONFIG.sharedBytes() - bytes) {
                violations.add("held " + s.bytesHeld() + " pinned " + s.bytesPinned() + " checkpoints " + s.checkpointBytes());
            }
        })) {
            readAll(layer, "/pub/plain.bin"); // fills the shared block cache first
            assertTrue(cache.stats().bytesHeld() > CONFIG.sharedBytes() / 2, "held " + cache.stats().bytesHeld());
            for (String archive : List.of("a", "b", "c")) {
                for (int m = MEMBERS - 1; m >= 0; m -= 7) {
                    assertArrayEquals(compressible(m), readAll(layer, "/pub/" + archive + ".tar.gz#/" + String.format("m%02d.bin", m)));
                    assertWithin(cache.stats());
                }
            }
            assertEquals(List.of(), violations);
            assertTrue(most[0] > CONFIG.defaultCheckpointBytes() / 2 && most[0] <= CONFIG.defaultCheckpointBytes(),
                    "checkpoints took " + most[0] + " of their " + CONFIG.defaultCheckpointBytes());
        } finally {
            cache.close();
        }
        assertEquals(0, cache.stats().checkpointBytes(), "a closed layer holds no checkpoints");
    }

    @Test
    void theAssembledMirrorCountsCheckpointsInItsStats() throws Exception {
        ArchiveOptions options = ArchiveOptions.builder().checkpointInterval(INTERVAL).checkpointMemory(CONFIG.defaultCheckpointBytes()).build();
        try (Vfs mirror = MirrorAssembly.assemble(List.of(SourceSpec.parse("/=" + dir.toUri())), SourceOptions.DEFAULTS, CONFIG,
                options, Clock.systemUTC())) {
            readAll(mirror, "/pub/plain.bin");
            assertArrayEquals(compressible(30), readAll(mirror, "/pub/a.tar.gz#/m30.bin"));
            Map<String, Long> stats = stats(mirror);
            long checkpoints = stats.get("bytes_checkpoints");
            assertTrue(checkpoints > 0 && checkpoints <= CONFIG.defaultCheckpointBytes(), "checkpoints " + checkpoints);
            assertTrue(stats.get("bytes_held") <= CONFIG.sharedBytes() - checkpoints, stats.toString());
            assertTrue(stats.get("bytes_held") + stats.get("bytes_pinned") + checkpoints <= stats.get("max_bytes"), stats.toString());
        }
    }

    @Test
    void checkpointMemoryBeyondHalfTheCacheIsRefused() {
        ArchiveOptions options = ArchiveOptions.builder().checkpointMemory(CONFIG.maxBytes() / 2 + 1).build();
        String msg = assertThrows(IllegalArgumentException.class, () -> MirrorAssembly.assemble(List.of(SourceSpec.parse("/=" + dir.toUri())),
                SourceOptions.DEFAULTS, CONFIG, options, Clock.systemUTC())).getMessage();
        assertTrue(msg.contains("--archive-index-memory") && msg.contains("--cache-size 8M") && msg.contains("(4M)"), msg);
    }

    private static void assertWithin(CacheStats s) {
        assertTrue(s.bytesHeld() + s.bytesPinned() + s.checkpointBytes() <= s.maxBytes(),
                "held " + s.bytesHeld() + " pinned " + s.bytesPinned() + " checkpoints " + s.checkpointBytes());
    }

    private static Map<String, Long> stats(Vfs mirror) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (String line : new String(readAll(mirror, StatsFileVfs.STATS.toString()), StandardCharsets.US_ASCII).split("\n")) {
            int space = line.lastIndexOf(' ');
            if (space > 0 && !line.startsWith("source ")) {
                out.put(line.substring(0, space).trim(), Long.parseLong(line.substring(space + 1)));
            }
        }
        return out;
    }

    private static byte[] readAll(Vfs vfs, String path) throws IOException {
        try (VfsFile f = vfs.open(VfsPath.parse(path))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(128 * 1024);
            long pos = 0;
            while (true) {
                buf.clear();
                int n = f.read(pos, buf);
                if (n < 0) {
                    return out.toByteArray();
                }
                out.write(buf.array(), 0, n);
                pos += n;
            }
        }
    }

    /** Text-like runs with noise: compresses about 3:1, so each checkpoint window weighs about 11 KiB. */
    private static byte[] compressible(long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[MEMBER_SIZE];
        String words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 7 == 0) ? (byte) r.nextInt(256) : (byte) words.charAt((i * 31 + r.nextInt(3)) % words.length());
        }
        return b;
    }

    private static void sh(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, script + ": " + out);
    }
}
