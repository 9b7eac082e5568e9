package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.VsftpdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiered-mirror recipe for FTP upstreams (#17): vsftpd -> node A (mirrorfs over FTP, its mount
 * re-served by nginx with exact-size JSON listings, {@code -o allow_other}) -> the shipped nginx
 * slice cache -> nodes B and C. B and C read the whole tree at the same time; their checksums
 * match the original and vsftpd's transfer log shows the files' bytes sent about once.
 *
 * <p>The tier in front of node A uses 32 MiB slices, as fleet.md recommends for this recipe: each
 * slice request opens the file on A anew, and an FTP download that A stops early has already
 * pushed several MiB into loopback socket buffers (measured with 1 MiB slices: vsftpd sent 4.1x
 * the tree, big.bin in aborted RETRs of 4-7 MiB each).
 * Sizes: a 24 MiB file and 80 small files (the full sizes are for the bench script).
 */
class FleetFtpTest {

    @TempDir
    Path tmp;

    @Test
    void nodesBehindATieredFtpMirrorReadEveryFileWhileVsftpdSendsItOnce() throws Exception {
        FleetTree tree = FleetTree.create(tmp.resolve("tree"), 24 << 20, 4, 20);
        Shell.ok(tmp, "chmod a+rx .");
        Path mountA = Files.createDirectories(tmp.resolve("node-a"));
        Files.setPosixFilePermissions(mountA, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (VsftpdServer vsftpd = VsftpdServer.start(tree.root());
                MountedMirror a = MountedMirror.start(mountA, "mount", "--source", "/ftp=" + vsftpd.url(), "-o", "allow_other",
                        "--cache-dir", Files.createDirectories(tmp.resolve("cache-a")).toString());
                NginxServer reserve = NginxServer.start(mountA.resolve("ftp"), NginxServer.Listing.JSON);
                NginxSliceCache tier = NginxSliceCache.start(reserve, Duration.ofMinutes(10), "32m");
                Fleet fleet = Fleet.start(2, tmp.resolve("caches"), List.of(), tier.url())) {
            vsftpd.resetCounters();
            List<String> sums = fleet.everywhere(FleetTree.ALL);
            for (String s : sums) {
                assertEquals(tree.expectedSums(), s, "node A: " + a.log() + "\n" + fleet.logs());
            }
            long sent = vsftpd.bytesSent();
            System.out.printf("tiered FTP: vsftpd sent %.3fx the tree's bytes in %d RETRs for %d files%n",
                    (double) sent / tree.fileBytes(), vsftpd.retrCount(), 1 + 4 * 20);
            // Every file went out whole exactly once, and nothing else: RETR has no end offset, so a
            // second transfer of big.bin would show as a RETR of its own of several MiB. Before a
            // reader stopped taking a queued read-ahead block while the one stream was moving
            // toward it (CachedFile.stealQueuedReadAhead), node A started one to three of them in
            // every run logged here (82-84 RETRs, 1.16-1.48x the tree).
            List<String> log = vsftpd.downloadLogLines();
            assertEquals(1, log.stream().filter(l -> l.contains("OK DOWNLOAD") && l.contains("\"/big.bin\"")).count(),
                    "big.bin sent once: " + log);
            assertEquals(4 * 20, log.stream().filter(l -> l.contains("OK DOWNLOAD") && l.contains("\"/t/")).count(),
                    "each small file once: " + log);
            assertEquals(1 + 4 * 20, vsftpd.retrCount(), "one RETR per file: " + log);
            assertTrue(sent <= 1.1 * tree.fileBytes(), "vsftpd sent " + sent + " bytes for " + tree.fileBytes() + ": " + log);
        }
    }
}
