package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * What {@link ArchiveOverHttpTest} and {@link ArchiveOverFtpTest} share: the zips they serve
 * ({@value #STORED_ZIP}, ~200 MB of stored 4 MiB members of random bytes, and
 * {@value #DEFLATED_ZIP}, deflated 4 MiB text-like members), reading one member through the
 * mirror as the mount assembles it (source, shared block cache, archive layer) while counting the
 * bytes the server sent, and the bound on that count.
 */
final class ArchiveReadCost {

    static final String STORED_ZIP = "big.zip";
    static final String DEFLATED_ZIP = "deflated.zip";
    static final int MEMBERS = 50;
    static final int MEMBER_SIZE = 4 << 20;
    static final int DEFLATED_MEMBERS = 8;
    /** The most that opening (listing) a zip may fetch: its central directory is a few KiB. */
    static final long OPENING_SLACK = 2L << 20;

    /** A server's count of the bytes it sent since it started (or since some fixed point). */
    @FunctionalInterface
    interface SentBytes {
        long total() throws IOException;
    }

    /** What a server sent for opening a zip, and then for reading one of its members. */
    private record Cost(long opening, long member) {
    }

    /** What a server sent for reading one member, and that member's bytes in its zip (compressed, if deflated). */
    record MemberCost(long sent, long memberBytes) {
    }

    /** The size of {@value #STORED_ZIP}, and the compressed size of every member of {@value #DEFLATED_ZIP} by name. */
    record Zips(long storedZipSize, Map<String, Long> deflatedSizes) {
    }

    private ArchiveReadCost() {
    }

    /**
     * Writes {@value #STORED_ZIP} and {@value #DEFLATED_ZIP} into {@code served} (created),
     * using {@code scratch} for their members; they, {@code served} and its parent are made
     * readable by the servers' unprivileged users.
     */
    static Zips writeZips(Path scratch, Path served) throws IOException, InterruptedException {
        Path src = Files.createDirectories(scratch);
        Files.createDirectories(served);
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(storedName(i)), member(i));
        }
        run(src, "zip", "-q", "-0", "-r", served.resolve(STORED_ZIP).toString(), ".");
        clear(src);
        for (int i = 0; i < DEFLATED_MEMBERS; i++) {
            Files.write(src.resolve(deflatedName(i)), compressible(i));
        }
        run(src, "zip", "-q", "-6", "-r", served.resolve(DEFLATED_ZIP).toString(), ".");
        clear(src);
        Map<String, Long> deflatedSizes = new HashMap<>();
        try (ZipFile z = new ZipFile(served.resolve(DEFLATED_ZIP).toFile())) {
            z.stream().forEach(e -> deflatedSizes.put(e.getName(), e.getCompressedSize()));
        }
        for (Path p : List.of(served.getParent(), served)) { // nginx's workers and vsftpd's sessions drop root
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        for (String zip : List.of(STORED_ZIP, DEFLATED_ZIP)) {
            Files.setPosixFilePermissions(served.resolve(zip), PosixFilePermissions.fromString("rw-r--r--"));
        }
        return new Zips(Files.size(served.resolve(STORED_ZIP)), Map.copyOf(deflatedSizes));
    }

    /** Returns the name of stored member {@code i}, whose bytes are {@link #member}. */
    static String storedName(int i) {
        return String.format("m%02d.bin", i);
    }

    /** Returns the name of deflated member {@code i}, whose bytes are {@link #compressible}. */
    static String deflatedName(int i) {
        return String.format("t%02d.txt", i);
    }

    /** Returns the bytes of stored member {@code i}: random, {@value #MEMBER_SIZE} of them. */
    static byte[] member(int i) {
        byte[] b = new byte[MEMBER_SIZE];
        new Random(i).nextBytes(b);
        return b;
    }

    /** Returns the bytes of deflated member {@code i}: text-like (16 letters, random), deflating to about 60%. */
    static byte[] compressible(int i) {
        byte[] b = new byte[MEMBER_SIZE];
        Random r = new Random(1000 + i);
        for (int j = 0; j < b.length; j++) {
            b[j] = (byte) ('a' + r.nextInt(16));
        }
        return b;
    }

    /**
     * Reads stored member 37 of {@value #STORED_ZIP} (checking the zip is over 200 MB) as
     * {@link #openAndRead} does, and checks that opening the zip fetched less than
     * {@link #OPENING_SLACK}.
     */
    static MemberCost storedMember(Zips zips, String url, CacheConfig config, SentBytes server) throws Exception {
        assertTrue(zips.storedZipSize() > 200_000_000L, "zip of " + zips.storedZipSize() + " bytes");
        int which = 37;
        Cost cost = openAndRead(url, config, STORED_ZIP, MEMBERS, storedName(which), member(which), server);
        assertTrue(cost.opening() < OPENING_SLACK,
                "opening the zip fetched " + cost.opening() + " bytes of " + zips.storedZipSize());
        return new MemberCost(cost.member(), MEMBER_SIZE);
    }

    /**
     * Reads deflated member 5 of {@value #DEFLATED_ZIP} (checking it compressed to less than 3/4 of
     * its size) as {@link #openAndRead} does.
     */
    static MemberCost deflatedMember(Zips zips, String url, CacheConfig config, SentBytes server) throws Exception {
        int which = 5;
        String name = deflatedName(which);
        long compressed = zips.deflatedSizes().get(name);
        assertTrue(compressed < MEMBER_SIZE * 3L / 4, "member compressed to " + compressed + " bytes");
        Cost cost = openAndRead(url, config, DEFLATED_ZIP, DEFLATED_MEMBERS, name, compressible(which), server);
        return new MemberCost(cost.member(), compressed);
    }

    /**
     * In a mirror assembled over {@code url} as the mount does, lists {@code zip} (which holds
     * {@code members} members), then reads its member {@code name} whole and checks it is
     * {@code expected}. The member's cost is counted after the mirror closed, so a transfer still
     * running then (a parked FTP {@code RETR}, which the server logs only when it ends) is counted
     * too, and charged to the member.
     */
    private static Cost openAndRead(String url, CacheConfig config, String zip, int members, String name, byte[] expected,
            SentBytes server) throws Exception {
        long start = settled(server);
        long opening;
        try (Vfs mirror = MirrorAssembly.assemble(List.of(SourceSpec.parse("/=" + url)), SourceOptions.DEFAULTS,
                config, ArchiveOptions.defaults(), Clock.systemUTC())) {
            assertEquals(members, mirror.list(VfsPath.parse("/" + zip + "#")).size());
            opening = settled(server) - start;
            assertArrayEquals(expected, readAll(mirror, VfsPath.parse("/" + zip + "#/" + name)));
        }
        return new Cost(opening, settled(server) - start - opening);
    }

    /**
     * Returns the most a member read of {@code memberBytes} may cost: the member, a block of
     * rounding at each end (the cache fetches whole blocks), the random-read fetches made before
     * the reader looks sequential (the local header, the first 128 KiB read: 3 x 64 KiB), and
     * {@code stoppedInFlight}, what a source sends past the member's end before it stops.
     */
    static long bound(long memberBytes, CacheConfig config, long stoppedInFlight) {
        return memberBytes + 2L * config.blockSize() + 3L * config.randomFetchSize() + stoppedInFlight;
    }

    /**
     * Checks {@code memberBytes <= sent <=} {@link #bound}{@code (memberBytes, config, stoppedInFlight)};
     * {@code log} is what the server logged, for the message.
     */
    static void assertAboutTheMember(MemberCost cost, CacheConfig config, long stoppedInFlight, Object log) {
        long sent = cost.sent();
        long memberBytes = cost.memberBytes();
        long bound = bound(memberBytes, config, stoppedInFlight);
        System.out.printf("member of %d bytes: the server sent %d (%.1fx; bound %d, read-ahead %d)%n", memberBytes, sent,
                (double) sent / memberBytes, bound, config.readAheadBlocks());
        assertTrue(sent >= memberBytes && sent <= bound, "reading a member of " + memberBytes + " bytes fetched " + sent
                + " bytes (bound " + bound + "); the server logged: " + log);
    }

    /** Returns the server's count once it stopped growing: no read-ahead or stopping transfer is still adding to it. */
    static long settled(SentBytes server) throws IOException, InterruptedException {
        long last = -1;
        long now = server.total();
        for (int i = 0; i < 50 && now != last; i++) {
            Thread.sleep(200);
            last = now;
            now = server.total();
        }
        return now;
    }

    /** Reads {@code p} whole in 128 KiB reads, as FUSE would. */
    static byte[] readAll(Vfs vfs, VfsPath p) throws IOException {
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

    private static void clear(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
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
