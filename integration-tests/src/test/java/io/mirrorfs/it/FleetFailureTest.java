package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet through the shipped nginx slice-cache recipe when things change or break (#17): a file
 * replaced upstream while the tier holds part of the old version is never read as a mix by any
 * node, and after the TTLs every node reads the new one; the tier stopped in the middle of a
 * read gives the reader EIO within 5 s, the node keeps serving what it holds locally, stays up,
 * and reads again once the tier is back. Files of 8-32 MiB (the class took 2.5 minutes here under the load of parallel builds).
 */
class FleetFailureTest {

    private static final String V = "v.bin";

    @TempDir
    Path tmp;

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path tree() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Shell.ok(tmp, "chmod a+rx . tree"); // nginx's workers run as another user
        return tree;
    }

    @Test
    void aFileReplacedUpstreamIsNeverReadMixedAndEveryNodeGetsTheNewOneAfterTheTtl() throws Exception {
        Path tree = tree();
        byte[] a = random(8 << 20, 1);
        byte[] b = random(8 << 20, 2);
        Files.write(tree.resolve(V), a);
        Shell.ok(tree, "chmod a+r " + V + " && touch -d '2024-01-01 00:00:00' " + V);
        String sumA = Shell.ok(tree, "sha256sum " + V);
        try (NginxServer upstream = NginxServer.start(tree, NginxServer.Listing.EXACT);
                NginxSliceCache tier = NginxSliceCache.start(upstream, Duration.ofSeconds(4));
                Fleet fleet = Fleet.start(3, tmp.resolve("caches"), List.of("--dir-cache-ttl", "1s"), tier.url())) {
            // The tier holds the first slices of the old version only.
            assertEquals(sumA.substring(0, 64), Shell.ok(fleet.nodes().get(0).root().resolve("web"),
                    "head -c 2097152 " + V + " >/dev/null && sha256sum " + V).substring(0, 64), fleet.logs());
            Shell.ok(fleet.nodes().get(1).root().resolve("web"), "head -c 1048576 " + V + " >/dev/null");
            Path next = tree.resolve(".next");
            Files.write(next, b);
            Shell.ok(tree, "chmod a+r .next && touch -d '2024-06-01 00:00:00' .next");
            Files.move(next, tree.resolve(V), StandardCopyOption.ATOMIC_MOVE);
            String sumB = Shell.ok(tree, "sha256sum " + V);

            Set<String> seen = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            boolean[] done = new boolean[fleet.nodes().size()];
            int doneCount = 0;
            while (doneCount < done.length && System.nanoTime() < deadline) {
                for (int i = 0; i < done.length; i++) {
                    if (done[i]) {
                        continue;
                    }
                    Shell.Result r = Shell.bash(fleet.nodes().get(i).root().resolve("web"), "sha256sum " + V);
                    if (r.exitCode() != 0) {
                        assertTrue(r.stderr().contains("Input/output error") || r.stderr().contains("Stale"), r.stderr());
                        seen.add("error");
                        continue;
                    }
                    assertTrue(r.stdout().equals(sumA) || r.stdout().equals(sumB),
                            "node " + i + " read a mix of the old and the new file: " + r.stdout() + "\n" + fleet.logs());
                    seen.add(r.stdout().equals(sumA) ? "old" : "new");
                    if (r.stdout().equals(sumB)) {
                        done[i] = true;
                        doneCount++;
                    }
                }
                Thread.sleep(500);
            }
            System.out.println("replaced upstream: the nodes read " + seen + " before all read the new file");
            assertEquals(done.length, doneCount, "every node reads the new file after the TTLs: " + seen + "\n" + fleet.logs());
        }
    }

    @Test
    void theTierStoppedMidReadGivesEioWithinFiveSecondsAndTheNodeRecovers() throws Exception {
        Path tree = tree();
        byte[] big = random(32 << 20, 3);
        byte[] small = random(1 << 20, 4);
        Files.write(tree.resolve("big.bin"), big);
        Files.write(tree.resolve("small.bin"), small);
        Shell.ok(tree, "chmod a+r *.bin");
        try (NginxServer upstream = NginxServer.start(tree, NginxServer.Listing.EXACT);
                NginxSliceCache tier = NginxSliceCache.start(upstream, Duration.ofMinutes(10));
                Fleet fleet = Fleet.start(1, tmp.resolve("caches"), List.of("--connect-timeout", "2s", "--read-timeout", "3s"),
                        tier.url())) {
            MountedMirror node = fleet.nodes().get(0);
            Path web = node.root().resolve("web");
            assertArrayEquals(small, Files.readAllBytes(web.resolve("small.bin")));

            List<String> outcome = new ArrayList<>();
            long failedAfterMs = -1;
            long stoppedAt = 0;
            try (FileChannel ch = FileChannel.open(web.resolve("big.bin"))) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 20);
                long pos = 0;
                while (pos < big.length) {
                    if (pos == 4L << 20) {
                        tier.stop();
                        stoppedAt = System.nanoTime();
                    }
                    buf.clear();
                    int n;
                    try {
                        n = ch.read(buf, pos);
                    } catch (IOException e) {
                        failedAfterMs = (System.nanoTime() - stoppedAt) / 1_000_000;
                        outcome.add(e.getMessage());
                        break;
                    }
                    assertTrue(n > 0, "short read at " + pos);
                    assertArrayEquals(Arrays.copyOfRange(big, (int) pos, (int) pos + n), Arrays.copyOf(buf.array(), n), "at " + pos);
                    pos += n;
                    Thread.sleep(50); // a slow reader: the tier stops mid-read
                }
            }
            System.out.println("tier stopped mid-read: reader got " + outcome + " after " + failedAfterMs + " ms");
            assertTrue(failedAfterMs >= 0, "the reader read past what the node could hold without the tier");
            assertTrue(failedAfterMs < 5_000, "EIO after " + failedAfterMs + " ms");
            assertTrue(outcome.get(0).contains("Input/output error"), outcome.toString());

            // What the node holds is still served; the daemon is up.
            assertArrayEquals(small, Files.readAllBytes(web.resolve("small.bin")));
            assertTrue(node.process().isAlive() && node.isMounted(), node.log());

            tier.start();
            String expected = Shell.ok(tree, "sha256sum big.bin");
            String got = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!got.equals(expected) && System.nanoTime() < deadline) {
                got = Shell.bash(web, "sha256sum big.bin").stdout();
            }
            assertEquals(expected, got, "the node reads again once the tier is back: " + node.log());
        }
    }
}
