package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.ApacheServer;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.Listing;
import io.mirrorfs.vfs.SourceMetrics;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Vfs#listIfChanged} over real servers: one 304 for an unchanged page where the server gives a validator. */
class ConditionalListingTest {

    @TempDir
    Path tree;

    @BeforeEach
    void worldReadable() {
        // Servers running as another user (Apache's www-data) must read the tree.
        tree.toFile().setReadable(true, false);
        tree.toFile().setExecutable(true, false);
    }

    @Test
    void apacheTrackModifiedPagesAreComparedByETagInOneRequest() throws Exception {
        Path dir = Files.createDirectories(tree.resolve("d"));
        Files.writeString(dir.resolve("a"), "a");
        Files.setLastModifiedTime(dir, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
        try (ApacheServer apache = ApacheServer.start(tree, ApacheServer.Listing.FANCY);
             Vfs http = Sources.open(apache.url(), SourceOptions.DEFAULTS)) {
            VfsPath d = VfsPath.parse("/d");
            Listing first = http.listIfChanged(d, "").orElseThrow();
            assertFalse(first.validator().isEmpty(), "TrackModified pages carry a validator");
            assertEquals(List.of("a"), names(first.entries()));

            // mod_autoindex sends ETag and Last-Modified but answers 200 to a conditional GET.
            apache.resetCounters();
            assertEquals(Optional.empty(), http.listIfChanged(d, first.validator()));
            assertEquals(1, apache.requestCount(), apache.accessLogLines().toString());

            Files.writeString(dir.resolve("b"), "b");
            Files.setLastModifiedTime(dir, FileTime.from(Instant.parse("2024-01-02T00:00:00Z")));
            Listing changed = http.listIfChanged(d, first.validator()).orElseThrow();
            assertEquals(List.of("a", "b"), names(changed.entries()));
            assertFalse(changed.validator().equals(first.validator()));
        }
    }

    @Test
    void nginxAnswersAStaticIndexPageWith304() throws Exception {
        // Mirrors that publish generated index.html pages: nginx serves them as files, with an
        // ETag and Last-Modified, and answers a conditional GET with 304.
        Files.writeString(tree.resolve("index.html"), "<html><body><a href=\"a\">a</a> <a href=\"b\">b</a></body></html>");
        Files.writeString(tree.resolve("a"), "a");
        Files.writeString(tree.resolve("b"), "b");
        RecordingMetrics metrics = new RecordingMetrics();
        try (NginxServer nginx = NginxServer.start(tree, NginxServer.Listing.EXACT);
             Vfs http = Sources.open(nginx.url(), SourceOptions.builder().metrics(metrics).build())) {
            Listing first = http.listIfChanged(VfsPath.ROOT, "").orElseThrow();
            assertTrue(first.validator().startsWith("etag:"), first.validator());
            assertEquals(List.of("a", "b"), names(first.entries()));
            nginx.resetCounters();
            long before = metrics.answered(SourceMetrics.RequestKind.HTTP_LISTING);
            assertEquals(Optional.empty(), http.listIfChanged(VfsPath.ROOT, first.validator()));
            // nginx writes a request's log line after sending the answer: wait for the fourth line
            // (the first listing's GET and a HEAD per entry, then this request).
            awaitLogLines(nginx, 4);
            List<String> log = nginx.accessLogLines();
            assertEquals(1, nginx.requestCount(), log.toString());
            assertTrue(log.get(log.size() - 1).contains(" 304 "), log.toString());
            assertEquals(1, metrics.answered(SourceMetrics.RequestKind.HTTP_LISTING) - before, "the 304 is one listing request in the metrics, as in nginx's log");
            assertEquals(0, metrics.failures());
        }
    }

    @Test
    void nginxAutoindexGivesNoValidatorSoEveryCheckListsAgain() throws Exception {
        Files.writeString(tree.resolve("a"), "a");
        try (NginxServer nginx = NginxServer.start(tree, NginxServer.Listing.EXACT);
             Vfs http = Sources.open(nginx.url(), SourceOptions.DEFAULTS)) {
            Listing first = http.listIfChanged(VfsPath.ROOT, "").orElseThrow();
            assertEquals("", first.validator());
            assertEquals(List.of("a"), names(first.entries()));
        }
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).sorted().toList();
    }

    /** Waits up to 5 s for {@code nginx}'s access log to hold {@code lines} lines. */
    private static void awaitLogLines(NginxServer nginx, int lines) throws Exception {
        for (int i = 0; i < 100 && nginx.accessLogLines().size() < lines; i++) {
            Thread.sleep(50);
        }
    }
}
