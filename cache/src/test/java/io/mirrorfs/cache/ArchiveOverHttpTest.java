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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mirror as the mount assembles it (HTTP source, shared block cache, archive layer) over a
 * real nginx: reading one member of a ~200 MB zip fetches about that member's bytes (for a
 * deflated member, its compressed bytes) plus the central directory, counted from nginx's access
 * log.
 */
class ArchiveOverHttpTest {

    private static final int MEMBERS = 50;
    private static final int MEMBER_SIZE = 4 << 20;
    private static final int DEFLATED_MEMBERS = 8;
    private static final long SLACK = 2L << 20;

    @TempDir
    static Path tmp;
    static NginxServer nginx;
    static long zipSize;
    /** The compressed size of every member of deflated.zip, by name. */
    static Map<String, Long> deflatedSizes;

    @BeforeAll
    static void serveBigZip() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%02d.bin", i)), member(i));
        }
        Path www = Files.createDirectories(tmp.resolve("www"));
        run(src, "zip", "-q", "-0", "-r", www.resolve("big.zip").toString(), ".");
        clear(src);
        for (int i = 0; i < DEFLATED_MEMBERS; i++) {
            Files.write(src.resolve(String.format("t%02d.txt", i)), compressible(i));
        }
        run(src, "zip", "-q", "-6", "-r", www.resolve("deflated.zip").toString(), ".");
        clear(src);
        deflatedSizes = new HashMap<>();
        try (ZipFile z = new ZipFile(www.resolve("deflated.zip").toFile())) {
            z.stream().forEach(e -> deflatedSizes.put(e.getName(), e.getCompressedSize()));
        }
        zipSize = Files.size(www.resolve("big.zip"));
        for (Path p : List.of(tmp, www)) { // nginx's workers run as nobody
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String zip : List.of("big.zip", "deflated.zip")) {
            Files.setPosixFilePermissions(www.resolve(zip), PosixFilePermissions.fromString("rw-r--r--"));
        }
        nginx = NginxServer.start(www, NginxServer.Listing.EXACT);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /**
     * The member's bytes and no more than a block of rounding at either end: the archive layer
     * passes the member's end with every read ({@code VfsFile.readWithin}), so neither the cache's
     * read-ahead nor the HTTP source's doubling request windows go past it, whatever
     * {@code --read-ahead} is. Measured with the defaults (1 MiB blocks, 4 blocks of read-ahead):
     * 4 MiB member, 5.2 MiB sent, the same with read-ahead 0 and 16 (before the hint: 15.2 MiB,
     * and 7.2 MiB with read-ahead off). That is the 5 blocks holding the member, which starts and
     * ends inside a block, plus 192 KiB of 64 KiB fetches made before the reader looks sequential
     * (the local header, the first 128 KiB read).
     */
    @ParameterizedTest(name = "read-ahead {0} blocks")
    @ValueSource(ints = {4, 0, 16})
    void oneMemberOfABigZipCostsAboutItsBytes(int readAheadBlocks) throws Exception {
        assertTrue(zipSize > 200_000_000L, "zip of " + zipSize + " bytes");
        CacheConfig config = CacheConfig.builder().readAheadBlocks(readAheadBlocks).build();
        try (Vfs mirror = assemble(config)) {
            nginx.resetCounters();
            assertEquals(MEMBERS, mirror.list(VfsPath.parse("/big.zip#")).size());
            long opening = settledBytes();
            assertTrue(opening < SLACK, "opening the zip fetched " + opening + " bytes of " + zipSize);

            int which = 37;
            long sent = costOfReading(mirror, String.format("/big.zip#/m%02d.bin", which), member(which));
            assertAboutTheMember(sent, MEMBER_SIZE, config);
        }
    }

    /**
     * A deflated member costs about its compressed bytes: its stream reads exactly those and
     * passes their end as the reader's end. Measured: 2.28 MiB compressed (4 MiB inflated),
     * 3.19 MiB sent.
     */
    @Test
    void oneDeflatedMemberCostsAboutItsCompressedBytes() throws Exception {
        CacheConfig config = CacheConfig.DEFAULTS;
        try (Vfs mirror = assemble(config)) {
            assertEquals(DEFLATED_MEMBERS, mirror.list(VfsPath.parse("/deflated.zip#")).size());
            int which = 5;
            String name = String.format("t%02d.txt", which);
            long compressed = deflatedSizes.get(name);
            assertTrue(compressed < MEMBER_SIZE * 3L / 4, "member compressed to " + compressed + " bytes");
            long sent = costOfReading(mirror, "/deflated.zip#/" + name, compressible(which));
            assertAboutTheMember(sent, compressed, config);
        }
    }

    private static Vfs assemble(CacheConfig config) throws IOException {
        return MirrorAssembly.assemble(List.of(SourceSpec.parse("/=" + nginx.url())), SourceOptions.DEFAULTS,
                config, ArchiveOptions.defaults(), Clock.systemUTC());
    }

    /** Reads {@code path} whole, checks it is {@code expected}, and returns the bytes nginx sent for it. */
    private static long costOfReading(Vfs mirror, String path, byte[] expected) throws Exception {
        nginx.resetCounters();
        assertArrayEquals(expected, readAll(mirror, VfsPath.parse(path)));
        return settledBytes();
    }

    /**
     * Checks {@code memberBytes <= sent <= memberBytes + 2 blocks + 3 x 64 KiB}: a block of
     * rounding at each end (the cache fetches whole blocks), and the random-read fetches made
     * before the reader looks sequential (the local header, the first 128 KiB read).
     */
    private static void assertAboutTheMember(long sent, long memberBytes, CacheConfig config) throws IOException {
        long bound = memberBytes + 2L * config.blockSize() + 3L * config.randomFetchSize();
        assertTrue(sent >= memberBytes && sent <= bound, "reading a member of " + memberBytes + " bytes fetched " + sent
                + " bytes (bound " + bound + "); requests: " + nginx.accessLogLines());
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

    /** Returns text-like bytes (16 letters, random) that deflate to about 60%. */
    private static byte[] compressible(int i) {
        byte[] b = new byte[MEMBER_SIZE];
        Random r = new Random(1000 + i);
        for (int j = 0; j < b.length; j++) {
            b[j] = (byte) ('a' + r.nextInt(16));
        }
        return b;
    }

    private static void clear(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
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
