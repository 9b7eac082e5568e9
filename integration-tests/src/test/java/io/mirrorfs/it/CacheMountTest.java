package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache through a real kernel mount against nginx on 127.0.0.1: the disk tier offline, memory under a long read, stats. */
class CacheMountTest {

    @TempDir
    Path tmp;

    @AfterAll
    static void noMountLeftBehind() throws IOException, InterruptedException {
        assertEquals("", Shell.ok(Path.of("/"), "grep mirrorfs-it- /proc/self/mountinfo || true"), "a test left a mount behind");
    }

    @Test
    void aRemountWithCacheDirServesAFileReadBeforeWhileTheServerIsStopped() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs/pub/releases"));
        Files.write(docs.resolve("tool-1.0.tar"), GeneratedTree.contentFor("tool", 3_000_123));
        Shell.ok(tmp, "chmod -R a+rX " + tmp);
        Path cacheDir = tmp.resolve("cache");
        String expected = Shell.ok(docs, "sha256sum < tool-1.0.tar");
        String[] args;
        try (NginxServer nginx = NginxServer.start(tmp.resolve("docs"), NginxServer.Listing.EXACT)) {
            args = new String[] {"--source", "/web=" + nginx.url(), "--cache-dir", cacheDir.toString(), "--disk-cache-size", "64M"};
            try (MountedMirror m = MountedMirror.start(args)) {
                assertEquals(expected, Shell.ok(m.root(), "sha256sum < web/pub/releases/tool-1.0.tar"));
                m.unmount(java.time.Duration.ofSeconds(30)); // flushes pending disk writes
            }
            nginx.stop();
            try (MountedMirror m = MountedMirror.start(args)) {
                assertEquals(expected, Shell.ok(m.root(), "sha256sum < web/pub/releases/tool-1.0.tar"),
                        "served from --cache-dir with the server stopped; log:\n" + m.log());
                String stats = Files.readString(m.root().resolve(".mirrorfs/stats"));
                assertTrue(counter(stats, "disk_hits") >= 3, stats);
                assertTrue(stats.matches("(?s).*bytes_fetched +0\n.*"), "nothing came from the network:\n" + stats);
            }
        }
    }

    /**
     * A single-block tar.xz (xz's default) indexed once with --cache-dir is read after a remount,
     * with the server stopped, from the decoded copy the pass kept: a member near the end costs a
     * handful of disk-tier block reads (the xz index), not the whole archive decoded again from
     * the blocks on disk, and reads back exactly as tar extracts it.
     */
    @Test
    void aSingleBlockTarXzIsReadFromItsDecodedCopyAfterARemountOffline() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/tree"));
        for (int i = 0; i < 40; i++) {
            Files.write(src.resolve(String.format("f%02d.bin", i)), GeneratedTree.contentFor("f" + i, 512 * 1024));
        }
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        Shell.ok(tmp, "tar -cf - -C src tree | xz -T1 -1 > docs/src.tar.xz && chmod -R a+rX " + tmp);
        String expected = Shell.ok(tmp, "tar -xJOf docs/src.tar.xz tree/f38.bin | sha256sum");
        Path cacheDir = tmp.resolve("cache");
        try (NginxServer nginx = NginxServer.start(docs, NginxServer.Listing.EXACT)) {
            String[] args = {"--source", "/web=" + nginx.url(), "--cache-dir", cacheDir.toString(), "--disk-cache-size", "256M"};
            try (MountedMirror m = MountedMirror.start(args)) {
                assertEquals("tree\n", Shell.ok(m.root(), "ls 'web/src.tar.xz#/'"));
                assertTrue(m.log().contains("kept a decoded copy"), m.log());
                m.unmount(java.time.Duration.ofSeconds(30));
            }
            nginx.stop();
            try (MountedMirror m = MountedMirror.start(args)) {
                assertEquals(expected, Shell.ok(m.root(), "sha256sum < 'web/src.tar.xz#/tree/f38.bin'"), m.log());
                String stats = Files.readString(m.root().resolve(".mirrorfs/stats"));
                assertTrue(stats.matches("(?s).*bytes_fetched +0\n.*"), "nothing came from the network:\n" + stats);
                assertTrue(counter(stats, "disk_hits") <= 4, "the archive's 20 MiB were not decoded again:\n" + stats);
            }
        }
    }

    /**
     * Reads a 4 GiB sparse file sequentially with --cache-size 64M and reports the daemon's peak
     * resident memory (VmHWM). The bound is deliberately generous: the JVM's own footprint
     * (heap sizing, code cache, metaspace, thread stacks) is not under the cache's control; what
     * this guards against is memory growing with the file, which would blow far past it
     * (4 GiB read through a leaking cache would need over 4 GiB).
     */
    @Test
    void aSequentialReadOf4GiBWithA64MCacheKeepsResidentMemoryBounded() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("big"));
        Shell.ok(docs, "truncate -s 4G sparse-4G.bin && chmod -R a+rX " + tmp);
        try (NginxServer nginx = NginxServer.start(docs, NginxServer.Listing.EXACT);
             MountedMirror m = MountedMirror.start("--source", "/=" + nginx.url(), "--cache-size", "64M")) {
            long t0 = System.nanoTime();
            long total = 0;
            byte[] buf = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(m.root().resolve("sparse-4G.bin"))) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(4L << 30, total);
            long hwmKiB = statusKiB(m.pid(), "VmHWM");
            String stats = Files.readString(m.root().resolve(".mirrorfs/stats"));
            System.out.printf("CacheMountTest: 4 GiB sequential over nginx with --cache-size 64M: %.1f s (%.0f MiB/s), daemon VmHWM %d MiB%n%s",
                    seconds, (4 << 10) / seconds, hwmKiB >> 10, stats);
            assertTrue(counter(stats, "bytes_held") + counter(stats, "bytes_pinned") <= 64L << 20, stats);
            assertTrue(hwmKiB < (64 + 640) << 10, "daemon VmHWM " + (hwmKiB >> 10) + " MiB exceeds 64 MiB cache + 640 MiB JVM allowance");
        }
    }

    private static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException(field + " not in /proc/" + pid + "/status");
    }

    private static long counter(String stats, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " +(\\d+)$").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
