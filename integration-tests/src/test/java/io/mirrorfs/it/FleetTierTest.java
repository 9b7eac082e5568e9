package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import java.nio.file.Files;
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

    /**
     * Listings revalidate through the tier with 304s (#17, point 1), on a mirror that publishes
     * index.html pages (nginx serves them with an ETag; autoindex pages carry no validator):
     * once the node's {@code --dir-cache-ttl} is over it asks the tier with If-None-Match and gets
     * a 304 from the tier's copy; once the tier's own lifetime is over too, the tier revalidates
     * with the upstream ({@code proxy_cache_revalidate on} in the recipe), which answers 304 as well.
     */
    @Test
    void listingsRevalidateThroughTheTierWith304s() throws Exception {
        Path site = Files.createDirectories(tmp.resolve("indexed"));
        Files.writeString(site.resolve("index.html"), "<html><body><a href=\"a.txt\">a.txt</a> <a href=\"b.txt\">b.txt</a></body></html>");
        Files.writeString(site.resolve("a.txt"), "a");
        Files.writeString(site.resolve("b.txt"), "b");
        Shell.ok(site, "chmod -R a+rX .");
        String root = "\"GET / HTTP/1.1\" ";
        try (NginxServer upstream = NginxServer.start(site, NginxServer.Listing.EXACT);
             NginxSliceCache tier = NginxSliceCache.start(upstream, Duration.ofSeconds(5));
             Fleet fleet = Fleet.start(1, tmp.resolve("caches-304"), List.of("--dir-cache-ttl", "1s"), tier.url())) {
            Path web = fleet.nodes().get(0).root().resolve("web");
            assertEquals("a.txt\nb.txt\n", Shell.ok(web, "ls"));
            Thread.sleep(1500); // the node's listing is over its TTL, the tier's copy is not
            int tierMark = tier.accessLogLines().size();
            int upstreamMark = upstream.accessLogLines().size();
            assertEquals("a.txt\nb.txt\n", Shell.ok(web, "ls"));
            List<String> fromTier = linesOf(since(tier, tierMark), root);
            assertTrue(!fromTier.isEmpty() && fromTier.stream().allMatch(l -> l.contains(root + "304 ")),
                    "the node revalidated with the tier and got 304s only: " + since(tier, tierMark));
            assertEquals(List.of(), linesOf(since(upstream, upstreamMark), root), "the tier answered from its copy");

            Thread.sleep(5500); // now the tier's copy is over its lifetime too
            tierMark = tier.accessLogLines().size();
            upstreamMark = upstream.accessLogLines().size();
            assertEquals("a.txt\nb.txt\n", Shell.ok(web, "ls"));
            fromTier = linesOf(since(tier, tierMark), root);
            assertTrue(!fromTier.isEmpty() && fromTier.stream().allMatch(l -> l.startsWith("REVALIDATED " + root + "304 ")),
                    "the tier revalidated with the upstream and passed the 304 on: " + since(tier, tierMark));
            List<String> fromUpstream = linesOf(since(upstream, upstreamMark), root);
            assertTrue(!fromUpstream.isEmpty() && fromUpstream.stream().allMatch(l -> l.contains(root + "304 ")),
                    "the upstream answered the tier's conditional request with 304: " + since(upstream, upstreamMark));
        }
    }

    /** Returns the access-log lines of {@code server} after the first {@code mark}, once its log has settled. */
    private static List<String> since(io.mirrorfs.testing.TestHttpServer server, int mark) throws java.io.IOException {
        server.requestCount(); // waits until the log stops growing: servers log after answering
        List<String> all = server.accessLogLines();
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    private static List<String> linesOf(List<String> log, String request) {
        return log.stream().filter(l -> l.contains(request)).toList();
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
