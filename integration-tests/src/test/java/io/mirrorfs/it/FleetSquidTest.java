package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Squid fleet recipe (#17), with the shipped {@code squid-fleet.conf}: three
 * mirrorfs daemons with separate cache directories read one file and walk one tree at the same
 * time through Squid as their proxy, every byte checked, and the upstream nginx's access log shows each
 * file sent about once and one listing per directory for the whole fleet; a fourth daemon started
 * afterwards reads it all with no upstream request.
 *
 * <p>Sizes: the issue names a 256 MiB file and a 10,000-file tree; on the 2-core test machine
 * this class uses a 48 MiB file and a 321-file tree in 10 directories (2.4 minutes here under
 * the load of parallel builds; integration-tests/bench/fleet-bench.sh takes the full sizes).
 */
class FleetSquidTest {

    static final String ALL = FleetTree.ALL;

    @TempDir
    static Path tmp;
    static FleetTree tree;
    static NginxServer upstream;
    static SquidCache tier;

    @BeforeAll
    static void start() throws Exception {
        tree = FleetTree.create(tmp.resolve("tree"), 48 << 20, 8, 40);
        Shell.ok(tmp, "chmod a+rx ."); // nginx's workers run as another user
        upstream = NginxServer.start(tree.root(), NginxServer.Listing.EXACT);
        tier = SquidCache.launch();
    }

    @AfterAll
    static void stop() {
        if (tier != null) {
            tier.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @Test
    void threeNodesFetchEachUpstreamByteOnceAndAFourthNodeNone() throws Exception {
        try (Fleet fleet = Fleet.start(3, tmp.resolve("caches"), List.of("--proxy", tier.url()), upstream.url())) {
            upstream.resetCounters();
            List<String> sums = fleet.everywhere(ALL);
            for (String s : sums) {
                assertEquals(tree.expectedSums(), s, fleet.logs());
            }
            List<String> log = upstream.accessLogLines();
            long fileBytes = FleetTree.bytesOfFiles(log);
            assertTrue(fileBytes <= 1.1 * tree.fileBytes(),
                    "upstream sent " + fileBytes + " bytes of files for " + tree.fileBytes() + ": " + log.size() + " requests");
            long listings = FleetTree.listingRequests(log);
            System.out.printf("fleet of 3 via Squid: upstream sent %.3fx the file bytes, %d listings for %d directories%n",
                    (double) fileBytes / tree.fileBytes(), listings, tree.directories());
            assertTrue(listings <= 1.1 * tree.directories(), listings + " listing requests for " + tree.directories()
                    + " directories: " + log.stream().filter(l -> l.contains("/ HTTP")).toList());

            upstream.resetCounters();
            MountedMirror fourth = fleet.add(upstream.url(), List.of("--proxy", tier.url()));
            assertEquals(tree.expectedSums(), Shell.ok(fourth.root().resolve("web"), ALL), fourth.log());
            assertEquals(0, upstream.requestCount(), "a node joining later is served by the tier: "
                    + upstream.accessLogLines().subList(0, Math.min(20, upstream.accessLogLines().size())) + "\nSquid: "
                    + tier.accessLog().subList(Math.max(0, tier.accessLog().size() - 30), tier.accessLog().size()) + tier.diagnostics());
        }
    }
}
