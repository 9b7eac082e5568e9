package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight processes each read a different 32 MiB file through one mount at the same time, as
 * http-bench.sh's parallel readers do: every byte is checked, and nginx sends each byte about
 * once, in a few requests per file. A regression of #19 made the readers' read-ahead stop
 * (each handle kept pins for all the lanes it might use, eight handles spent the pinned budget,
 * and each reader grew lanes on CPU contention as if the link were long): in this test nginx
 * then sent 1.257x the files with the pins fixed alone and 1.093x with the lane budget alone;
 * 1.000x with both (http-bench.sh's eight 128 MiB readers: 7x the requests, 40 % slower).
 */
class ParallelReadersTest {

    private static final int FILES = 8;
    private static final int SIZE = 32 << 20;

    @TempDir
    Path tmp;

    @Test
    void eightReadersOfOneSourceGetEachByteFetchedOnce() throws Exception {
        Path served = tmp.resolve("served");
        java.nio.file.Files.createDirectories(served);
        Random random = new Random(8);
        for (int i = 0; i < FILES; i++) {
            byte[] data = new byte[SIZE];
            random.nextBytes(data);
            java.nio.file.Files.write(served.resolve("p" + i + ".bin"), data);
        }
        Shell.ok(tmp, "chmod -R a+rX . && cd served && sha256sum p*.bin > ../expected && sha256sum --quiet -c ../expected");
        String expected = java.nio.file.Files.readString(tmp.resolve("expected"));
        try (NginxServer nginx = NginxServer.start(served, NginxServer.Listing.EXACT);
             MountedMirror m = MountedMirror.start("--source", "/=" + nginx.url())) {
            nginx.resetCounters();
            String sums = Shell.ok(m.root(), "for i in 0 1 2 3 4 5 6 7; do sha256sum p$i.bin > /tmp/mirrorfs-par-$$-$i & done; wait; "
                    + "cat /tmp/mirrorfs-par-$$-*; rm -f /tmp/mirrorfs-par-$$-*");
            assertEquals(sorted(expected), sorted(sums), m.log());
            List<String> log = nginx.accessLogLines();
            long sent = FleetTree.bytesOfFiles(log);
            long gets = log.stream().filter(l -> l.contains("\"GET /p")).count();
            System.out.printf("8 parallel readers of 32 MiB: nginx sent %.3fx the files in %d GETs%n", (double) sent / (FILES * (long) SIZE), gets);
            // Up to 1.08x: nginx counts the bytes already in flight on a stream the daemon closes
            // (a socket buffer, a few MiB on loopback), and CI runs measured 1.012x, 1.039x and
            // 1.064x with 51-54 GETs, no more requests than usual. The regressions this guards
            // against sent 1.093x (pins spent by eight handles, without the fix of the pins) and
            // 1.257x (each reader growing lanes, without the shared lane budget), blocks fetched again.
            assertTrue(sent <= 1.08 * FILES * SIZE, "nginx sent " + sent + " bytes for " + FILES * (long) SIZE + " in " + gets + " GETs");
            assertTrue(gets <= 12L * FILES, gets + " GETs for " + FILES + " files of 32 MiB (the stream opens a few growing windows per file)");
        }
    }

    private static String sorted(String lines) {
        return String.join("\n", lines.lines().sorted().toList());
    }
}
