package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror as the mount assembles it (HTTP source, shared block cache, archive layer) over a
 * real nginx: reading one member of a ~200 MB zip fetches about that member's bytes plus the
 * central directory, counted from nginx's access log.
 */
class ArchiveOverHttpTest {

    private static final int MEMBERS = 50;
    private static final int MEMBER_SIZE = 4 << 20;
    private static final long SLACK = 2L << 20;

    @TempDir
    static Path tmp;
    static NginxServer nginx;
    static long zipSize;

    @BeforeAll
    static void serveBigZip() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%02d.bin", i)), member(i));
        }
        Path www = Files.createDirectories(tmp.resolve("www"));
        run(src, "zip", "-q", "-0", "-r", www.resolve("big.zip").toString(), ".");
        try (var files = Files.list(src)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        zipSize = Files.size(www.resolve("big.zip"));
        for (Path p : List.of(tmp, www)) { // nginx's workers run as nobody
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(www.resolve("big.zip"), PosixFilePermissions.fromString("rw-r--r--"));
        nginx = NginxServer.start(www, NginxServer.Listing.EXACT);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /**
     * The member's bytes plus the zip's directory, and no more than the cache and the HTTP source
     * fetch past a sequential reader anyway: the cache's read-ahead ({@code --read-ahead} blocks)
     * and the HTTP source's doubling request windows (at most twice what the cache asks for) do
     * not know where a member ends, so a member read sequentially may draw up to that much past its
     * end. Measured: 4 MiB member, 15.2 MiB sent with the defaults, 7.2 MiB with read-ahead off.
     */
    @Test
    void oneMemberOfABigZipCostsAboutItsBytes() throws Exception {
        assertTrue(zipSize > 200_000_000L, "zip of " + zipSize + " bytes");
        CacheConfig config = CacheConfig.DEFAULTS;
        try (Vfs mirror = MirrorAssembly.assemble(List.of(SourceSpec.parse("/=" + nginx.url())), SourceOptions.DEFAULTS,
                config, ArchiveOptions.defaults(), Clock.systemUTC())) {
            nginx.resetCounters();
            assertEquals(MEMBERS, mirror.list(VfsPath.parse("/big.zip#")).size());
            long opening = settledBytes();
            assertTrue(opening < SLACK, "opening the zip fetched " + opening + " bytes of " + zipSize);

            nginx.resetCounters();
            int which = 37;
            assertArrayEquals(member(which), readAll(mirror, VfsPath.parse(String.format("/big.zip#/m%02d.bin", which))));
            long member = settledBytes();
            long readAhead = (long) config.readAheadBlocks() * config.blockSize();
            long bound = 2 * (MEMBER_SIZE + readAhead) + SLACK;
            assertTrue(member >= MEMBER_SIZE && member < bound && member < zipSize / 10,
                    "reading one " + MEMBER_SIZE + "-byte member fetched " + member + " bytes (bound " + bound
                            + ") of a " + zipSize + "-byte zip; requests: " + nginx.accessLogLines());
        }
    }

    /** Returns the bytes nginx sent since the last reset, once no read-ahead is still adding to them. */
    private static long settledBytes() throws IOException, InterruptedException {
        long last = -1;
        long now = nginx.bytesSent();
        for (int i = 0; i < 50 && now != last; i++) {
            Thread.sleep(200);
            last = now;
            now = nginx.bytesSent();
        }
        return now;
    }

    private static byte[] member(int i) {
        byte[] b = new byte[MEMBER_SIZE];
        new Random(i).nextBytes(b);
        return b;
    }

    private static byte[] readAll(Vfs vfs, VfsPath p) throws IOException {
        try (VfsFile f = vfs.open(p)) {
            byte[] all = new byte[(int) f.attrs().size()];
            ByteBuffer buf = ByteBuffer.wrap(all);
            while (buf.hasRemaining()) {
                int at = buf.position();
                ByteBuffer chunk = buf.slice(at, Math.min(128 * 1024, buf.remaining()));
                int n = f.read(at, chunk);
                if (n < 0) {
                    break;
                }
                buf.position(at + n);
            }
            return all;
        }
    }

    private static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }
}
