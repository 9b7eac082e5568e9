package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two fleet recipes of #17, each with its shipped config: the nginx slice cache
 * ({@code nginx-slice-cache.conf}) as the nodes' source, and Squid ({@code squid-fleet.conf}) as
 * their proxy. Three mirrorfs daemons with separate cache directories read one file and walk one
 * tree at the same time through the tier ({@link FleetTree#WALK}: every name and size, and every
 * tenth file's bytes), every byte read checked, and the upstream nginx's access log shows each
 * file sent about once and one listing per directory for the whole fleet; a fourth daemon started
 * afterwards does it all with no upstream request.
 *
 * <p>Sizes as in the issue: a 256 MiB file and a tree of 10,000 files (1-4 KiB, so that the walk
 * is about listings and requests, not bytes) in 100 directories.
 */
class FleetTierTest {

    static final String WALK = FleetTree.WALK;

    @TempDir
    static Path tmp;
    static FleetTree tree;

    @BeforeAll
    static void start() throws Exception {
        tree = FleetTree.create(tmp.resolve("tree"), 256 << 20, 100, 100, 4096);
        Shell.ok(tmp, "chmod a+rx ."); // nginx's workers run as another user
    }

    // Each recipe has an upstream of its own: its access log then holds that recipe's requests only.

    @Test
    void nginxSliceCacheAsTheSource() throws Exception {
        try (NginxServer upstream = NginxServer.start(tree.root(), NginxServer.Listing.EXACT);
             NginxSliceCache tier = NginxSliceCache.start(upstream, Duration.ofMinutes(10))) {
            threeNodesFetchEachUpstreamByteOnceAndAFourthNodeNone(upstream, "nginx slice cache", tier.url(), List.of(), () -> "");
        }
    }

    @Test
    void squidAsTheProxy() throws Exception {
        try (NginxServer upstream = NginxServer.start(tree.root(), NginxServer.Listing.EXACT);
             SquidCache tier = SquidCache.launch()) {
            threeNodesFetchEachUpstreamByteOnceAndAFourthNodeNone(upstream, "Squid", upstream.url(), List.of("--proxy", tier.url()),
                    () -> "\nSquid: " + tail(tier.accessLog(), 30) + tier.diagnostics());
        }
    }

    private void threeNodesFetchEachUpstreamByteOnceAndAFourthNodeNone(NginxServer upstream, String recipe, String source,
                                                                       List<String> nodeOptions, Callable<String> tierDiagnostics)
            throws Exception {
        Path caches = tmp.resolve("caches-" + recipe.replace(' ', '-'));
        try (Fleet fleet = Fleet.start(3, caches, nodeOptions, source)) {
            upstream.resetCounters();
            List<String> sums = fleet.everywhere(WALK);
            for (String s : sums) {
                assertEquals(tree.expectedWalk(), s, fleet.logs());
            }
            List<String> log = upstream.accessLogLines();
            long fileBytes = FleetTree.bytesOfFiles(log);
            assertTrue(fileBytes <= 1.1 * tree.walkBytes(),
                    "upstream sent " + fileBytes + " bytes of files for " + tree.walkBytes() + ": " + log.size() + " requests");
            long listings = FleetTree.listingRequests(log);
            System.out.printf("fleet of 3 via %s: upstream sent %.3fx the file bytes, %d listings for %d directories%n",
                    recipe, (double) fileBytes / tree.walkBytes(), listings, tree.directories());
            assertTrue(listings <= 1.1 * tree.directories(), listings + " listing requests for " + tree.directories()
                    + " directories: " + log.stream().filter(l -> l.contains("/ HTTP")).toList());

            upstream.resetCounters();
            MountedMirror fourth = fleet.add(source, nodeOptions);
            assertEquals(tree.expectedWalk(), Shell.ok(fourth.root().resolve("web"), WALK), fourth.log());
            assertEquals(0, upstream.requestCount(), "a node joining later is served by the tier: "
                    + tail(upstream.accessLogLines(), 20) + tierDiagnostics.call());
        }
    }

    private static List<String> tail(List<String> lines, int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
