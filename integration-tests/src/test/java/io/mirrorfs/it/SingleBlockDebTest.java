package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.ServerProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ghc-like case of #15: a Debian package whose {@code data.tar.xz} is one xz block (it cannot
 * be entered at random), walked with a checksum of every member through
 * {@code pkg.deb#/data.tar.xz#/}, over a server that ignores Range (python's http.server) and
 * over nginx, with the disk tier and with {@code --no-cache-dir}. Before the decoded copy, each
 * member was decoded from the start of the stream: the walk of a 72 MB package was still running
 * after 15 minutes. Every member's checksum must match {@code tar -xJf}'s, the archive must be
 * decoded about once (not once per member), and the package fetched in a few dozen requests at most.
 * (The time against {@code tar -xJf} is measured by hand, see the README: not asserted here.)
 */
class SingleBlockDebTest {

    private static final String WALK = "find . -type f | sort | xargs sha256sum";

    @TempDir
    static Path tmp;
    private static Path served;
    private static String expected;
    private static long tarBytes;

    @BeforeAll
    static void buildPackage() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("pkg/usr/lib/ghc"));
        Random r = new Random(15);
        String[] words = new String[3000];
        for (int i = 0; i < words.length; i++) {
            words[i] = Long.toString(r.nextLong() & Long.MAX_VALUE, 36).substring(0, 2 + r.nextInt(8));
        }
        for (int d = 0; d < 20; d++) {
            Path dir = Files.createDirectories(tree.resolve("m" + d));
            for (int f = 0; f < 60; f++) {
                try (Writer w = Files.newBufferedWriter(dir.resolve("f" + f + ".hs"))) {
                    for (int n = 2000 + r.nextInt(30_000); n > 0; n -= 6) {
                        w.write(words[r.nextInt(words.length)]);
                        w.write(n % 96 < 6 ? '\n' : ' ');
                    }
                }
            }
        }
        served = Files.createDirectories(tmp.resolve("served"));
        // xz -T1: one block for the whole stream (multi-threaded xz would cut blocks), as in the
        // packages of the issue; ar puts the members in the .deb as they are.
        Shell.ok(tmp, "tar -C pkg -cf data.tar . && xz -6 -T1 -k data.tar && echo 2.0 > debian-binary"
                + " && mkdir -p ctl && printf 'Package: ghc-like\\nVersion: 1\\nArchitecture: amd64\\n' > ctl/control"
                + " && tar -C ctl -cJf control.tar.xz . && ar rc served/ghc-like.deb debian-binary control.tar.xz data.tar.xz"
                + " && chmod -R a+rX served . && test \"$(xz -l --robot data.tar.xz | awk '$1 == \"totals\" {print $3}')\" = 1");
        tarBytes = Files.size(tmp.resolve("data.tar"));
        Path extracted = Files.createDirectories(tmp.resolve("extracted"));
        Shell.ok(tmp, "tar -C extracted -xJf data.tar.xz");
        expected = Shell.ok(extracted, WALK);
    }

    @Test
    void overAServerThatIgnoresRangeWithTheDiskTier() throws Exception {
        try (PythonHttpServer python = PythonHttpServer.serving(served)) {
            walk(python.url(), "--cache-dir", tmp.resolve("cache-python").toString());
        }
    }

    @Test
    void overAServerThatIgnoresRangeWithoutADiskTier() throws Exception {
        try (PythonHttpServer python = PythonHttpServer.serving(served)) {
            walk(python.url(), "--no-cache-dir");
        }
    }

    @Test
    void overNginxWithTheDiskTierAndWithout() throws Exception {
        try (NginxServer nginx = NginxServer.start(served, NginxServer.Listing.EXACT)) {
            walk(nginx.url(), "--cache-dir", tmp.resolve("cache-nginx").toString());
            walk(nginx.url(), "--no-cache-dir");
        }
    }

    private void walk(String url, String... cacheChoice) throws Exception {
        String[] args = new String[2 + cacheChoice.length];
        args[0] = "--source";
        args[1] = "/pkg=" + url;
        System.arraycopy(cacheChoice, 0, args, 2, cacheChoice.length);
        try (MountedMirror m = MountedMirror.start(args)) {
            long start = System.nanoTime();
            String got = Shell.ok(m.root().resolve("pkg/ghc-like.deb#/data.tar.xz#"), WALK);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(expected, got, "every member's checksum, " + String.join(" ", cacheChoice) + "\n" + m.log());
            String stats = Files.readString(m.root().resolve(".mirrorfs/stats"));
            long decoded = counter(stats, "archive_bytes_decoded") + counter(stats, "archive_member_decoded");
            long gets = counter(stats, "upstream_http_range_get");
            System.out.printf("ghc-like walk over %s %s: %d ms, %d bytes decoded for a %d-byte tar, %d GETs%n",
                    url, String.join(" ", cacheChoice), ms, decoded, tarBytes, gets);
            // Once per member from the start would be about members/2 times the tar (600x here).
            assertTrue(decoded <= 2 * tarBytes, decoded + " bytes decoded for a tar of " + tarBytes + "\n" + stats);
            // 2-7 measured (read-ahead windows over the ar member); a walk that went back to the
            // package for each member would send one or more per member (1,200).
            assertTrue(gets <= 32, gets + " ranged GETs of the package\n" + stats);
        }
    }

    /** Sums the counter {@code name} over the stats file's lines (one per source where it has several). */
    private static long counter(String stats, String name) {
        Matcher m = Pattern.compile("(?m)" + Pattern.quote(name) + "\\s+(\\d+)$").matcher(stats);
        long sum = 0;
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    /** Python's http.server: a real server that answers every GET with the whole file (it ignores Range). */
    static final class PythonHttpServer extends ServerProcess {
        private final Path root;

        private PythonHttpServer(Path root) throws IOException {
            this.root = root;
        }

        static PythonHttpServer serving(Path root) throws IOException {
            return started(new PythonHttpServer(root));
        }

        @Override
        protected List<String> prepare(int port) {
            return List.of("python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", root.toString(), Integer.toString(port));
        }

        @Override
        protected boolean answers(Socket socket) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write("HEAD / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII).equals("HTTP/");
        }

        @Override
        public String url() {
            return "http://127.0.0.1:" + port() + "/";
        }
    }
}
