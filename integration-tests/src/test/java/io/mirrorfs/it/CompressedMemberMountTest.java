package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed archive members of three ratios (1:1, about 11:1, about 1000:1) read through the
 * kernel over nginx on 127.0.0.1, sequentially and at 200 random offsets, every byte compared with
 * what {@code unzip -p} and {@code tar -xzO} give; a sequential read keeps one decoder (counted in
 * {@code /.mirrorfs/stats}) and decodes each byte once, whatever order FUSE delivers its requests in.
 */
class CompressedMemberMountTest {

    private static final List<String> MEMBERS = List.of("stored.bin", "text.log", "zeros.bin");
    private static final int RANDOM_READS = 200;
    private static final int READ = 4096;

    private static Path docs;
    private static Path expected;

    @BeforeAll
    static void makeArchives(@TempDir Path tmp) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        docs = Files.createDirectories(tmp.resolve("docs"));
        expected = Files.createDirectories(tmp.resolve("expected"));
        byte[] random = new byte[8 << 20];
        new Random(11).nextBytes(random);
        Files.write(src.resolve("stored.bin"), random);
        Files.write(src.resolve("text.log"), logText(24 << 20));
        Files.write(src.resolve("zeros.bin"), new byte[32 << 20]);
        // stored.bin is stored in the zip (1:1); in the tar.gz it is deflated random data (1:1 too).
        Shell.ok(src, "zip -q -0 " + docs.resolve("m.zip") + " stored.bin && zip -q -6 " + docs.resolve("m.zip") + " text.log zeros.bin"
                + " && tar -czf " + docs.resolve("m.tar.gz") + " stored.bin text.log zeros.bin"
                + " && gzip -c text.log > " + docs.resolve("text.log.gz") + " && chmod -R a+rX " + tmp);
        for (String m : MEMBERS) {
            Shell.ok(docs, "unzip -p m.zip " + m + " > " + expected.resolve("zip-" + m)
                    + " && tar -xzOf m.tar.gz " + m + " > " + expected.resolve("tgz-" + m));
        }
        String ratios = Shell.ok(docs, "unzip -v m.zip | awk '$1 ~ /^[0-9]+$/ && NF == 8 {print $8, $1 / ($3 > 0 ? $3 : 1)}'");
        assertTrue(ratios.matches("(?s)stored\\.bin 1\\n.*"), ratios);
        double text = ratio(ratios, "text.log");
        double zeros = ratio(ratios, "zeros.bin");
        assertTrue(text > 7 && text < 15, "text.log compresses about 10:1: " + ratios);
        assertTrue(zeros > 500, "zeros.bin compresses about 1000:1: " + ratios);
    }

    @AfterAll
    static void noStrayMounts() throws IOException, InterruptedException {
        assertEquals("", Shell.ok(Path.of("/"), "grep mirrorfs-it- /proc/self/mountinfo || true"), "a test left a mount behind");
    }

    @Test
    void aSequentialReadKeepsOneDecoderAndMatchesUnzipAndTar() throws Exception {
        try (NginxServer nginx = NginxServer.start(docs, NginxServer.Listing.EXACT);
             MountedMirror m = MountedMirror.start("--source", "/web=" + nginx.url(), "--cache-size", "64M")) {
            Path web = m.root().resolve("web");
            Shell.ok(web, "ls 'm.zip#/' 'm.tar.gz#/' 'text.log.gz#/' > /dev/null"); // opened and indexed first
            long tgzDecoded = 0;
            for (String member : MEMBERS) {
                long size = Files.size(expected.resolve("zip-" + member));
                Decoders before = Decoders.of(m);
                Shell.ok(web, "unzip -p m.zip " + member + " | cmp - 'm.zip#/" + member + "'");
                Decoders zip = Decoders.of(m).minus(before);
                if (member.equals("stored.bin")) {
                    assertEquals(0, zip.starts, "a stored member is read in place: " + zip);
                } else {
                    assertEquals(1, zip.starts, "one decoder for " + member + ": " + zip);
                    assertEquals(size, zip.bytes, "each byte of " + member + " decoded once: " + zip);
                }

                before = Decoders.of(m);
                Shell.ok(web, "tar -xzOf m.tar.gz " + member + " | cmp - 'm.tar.gz#/" + member + "'");
                Decoders tgz = Decoders.of(m).minus(before);
                // Members read in archive order continue the decoder the previous one used.
                assertTrue(tgz.starts <= 1, "no decoder restarted in " + member + " of the tar.gz: " + tgz);
                tgzDecoded += tgz.bytes;
            }
            long tar = Long.parseLong(Shell.ok(docs, "gunzip -c m.tar.gz | wc -c").trim());
            // Each byte of the tar decoded once, plus what read-ahead decoded past the last member (2 MiB and a piece).
            assertTrue(tgzDecoded >= tar - (1 << 20) && tgzDecoded <= tar + (3 << 20), tgzDecoded + " bytes decoded for a tar of " + tar);

            Decoders before = Decoders.of(m);
            Shell.ok(web, "gunzip -c text.log.gz | cmp - 'text.log.gz#/text.log'");
            Decoders gz = Decoders.of(m).minus(before);
            assertEquals(1, gz.starts, "one decoder for text.log.gz#: " + gz);
            assertEquals(Files.size(expected.resolve("zip-text.log")), gz.bytes, "text.log.gz#: " + gz);
        }
    }

    @Test
    void twoHundredRandomReadsMatchUnzipAndTar() throws Exception {
        try (NginxServer nginx = NginxServer.start(docs, NginxServer.Listing.EXACT);
             MountedMirror m = MountedMirror.start("--source", "/web=" + nginx.url(), "--cache-size", "64M")) {
            Path web = m.root().resolve("web");
            Random random = new Random(22);
            for (String member : MEMBERS) {
                long bound = member.equals("zeros.bin") ? 6L << 20 : 2L << 20;
                Decoders before = Decoders.of(m);
                randomReads(web.resolve("m.zip#/" + member), expected.resolve("zip-" + member), random);
                Decoders zip = Decoders.of(m).minus(before);
                // A zip has no index pass: the entry is decoded up to the furthest read once,
                // learning checkpoints, and each read then decodes from the one before it.
                long size = Files.size(expected.resolve("zip-" + member));
                assertTrue(zip.bytes <= (member.equals("stored.bin") ? 0 : size + RANDOM_READS * bound), member + " in the zip: " + zip);

                Shell.ok(web, "ls 'm.tar.gz#/' > /dev/null"); // indexed before counting
                before = Decoders.of(m);
                randomReads(web.resolve("m.tar.gz#/" + member), expected.resolve("tgz-" + member), random);
                Decoders tgz = Decoders.of(m).minus(before);
                // Each read decodes from the checkpoint before it: 512 KiB apart, but only at deflate
                // block ends, which deflate -6 puts up to 16 Ki symbols (4 MiB of zeros) apart. From the
                // archive's start it would be 20 MiB (text.log) and 48 MiB (zeros.bin) on average.
                assertTrue(tgz.bytes <= RANDOM_READS * bound, member + " in the tar.gz: " + tgz);
            }
        }
    }

    /** Reads {@link #READ} bytes at {@link #RANDOM_READS} random offsets of {@code file}, comparing each with {@code expectedFile}. */
    private static void randomReads(Path file, Path expectedFile, Random random) throws IOException {
        try (RandomAccessFile mounted = new RandomAccessFile(file.toFile(), "r");
             RandomAccessFile local = new RandomAccessFile(expectedFile.toFile(), "r")) {
            long size = local.length();
            assertEquals(size, mounted.length(), file.toString());
            for (int i = 0; i < RANDOM_READS; i++) {
                long at = (long) (random.nextDouble() * (size - READ));
                byte[] want = new byte[READ];
                byte[] got = new byte[READ];
                local.seek(at);
                local.readFully(want);
                mounted.seek(at);
                mounted.readFully(got);
                assertArrayEquals(want, got, file + " at " + at);
            }
        }
    }

    /** Lines of an application log, about 11:1 under deflate -6. */
    private static byte[] logText(int size) {
        Random r = new Random(7);
        String[] levels = {"INFO", "INFO", "INFO", "WARN", "DEBUG"};
        String[] paths = {"/api/v1/items", "/api/v1/users", "/login", "/static/app.js", "/health"};
        StringBuilder sb = new StringBuilder(size + 200);
        int t = 0;
        while (sb.length() < size) {
            t += r.nextInt(3);
            sb.append(String.format("2026-12-07T%02d:%02d:%02d %s GET %s status=%s latency=%dms%n", t / 3600 % 24, t / 60 % 60, t % 60,
                    levels[r.nextInt(levels.length)], paths[r.nextInt(paths.length)], r.nextDouble() < 0.95 ? "200" : "404",
                    r.nextInt(100)));
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static double ratio(String unzipRatios, String member) {
        Matcher mt = Pattern.compile("(?m)^" + Pattern.quote(member) + " ([0-9.]+)$").matcher(unzipRatios);
        assertTrue(mt.find(), unzipRatios);
        return Double.parseDouble(mt.group(1));
    }

    /** The decoder counters of {@code /.mirrorfs/stats}. */
    private record Decoders(long starts, long bytes) {
        static Decoders of(MountedMirror m) throws IOException, InterruptedException {
            // The kernel keeps the file's pages while it trusts its attributes (attr_timeout=5): drop them first.
            String stats = Shell.ok(m.root(), "dd if=.mirrorfs/stats iflag=nocache count=0 status=none && cat .mirrorfs/stats");
            return new Decoders(counter(stats, "archive_decoder_starts"), counter(stats, "archive_member_decoded"));
        }

        Decoders minus(Decoders before) {
            return new Decoders(starts - before.starts, bytes - before.bytes);
        }

        private static long counter(String stats, String name) {
            Matcher mt = Pattern.compile("(?m)^" + name + " +(\\d+)$").matcher(stats);
            assertTrue(mt.find(), name + " in\n" + stats);
            return Long.parseLong(mt.group(1));
        }
    }
}
