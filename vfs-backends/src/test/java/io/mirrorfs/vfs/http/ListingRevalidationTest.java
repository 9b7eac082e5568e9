package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mirrorfs.testing.fault.KeepAliveHttpServer;
import io.mirrorfs.testing.fault.KeepAliveHttpServer.Reply;
import io.mirrorfs.testing.fault.KeepAliveHttpServer.Request;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsPath;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Conditional revalidation of listings (#17): an expired listing whose page came with an ETag or
 * Last-Modified is asked for again with If-None-Match / If-Modified-Since, a 304 keeps its entries
 * for another TTL, a 200 replaces them; a page without validators is fetched plainly. The server
 * is a recording HTTP/1.1 server on 127.0.0.1; time is a fake clock.
 */
class ListingRevalidationTest {

    private static final String PAGE_V1 = "<html><body><pre><a href=\"a.txt\">a.txt</a> 01-Jan-2024 00:00 5\n</pre></body></html>";
    private static final String PAGE_V2 = "<html><body><pre><a href=\"b.txt\">b.txt</a> 01-Jan-2024 00:00 7\n</pre></body></html>";

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2024-01-01T00:00:00Z"));
    private final InstantSource clock = () -> now.get();

    private HttpSource source(KeepAliveHttpServer server) throws Exception {
        HttpSettings settings = new HttpSettings(32L << 20, 1000, Duration.ofSeconds(30), 5, clock);
        return HttpSourceFactory.create(URI.create(server.origin() + "/"), SourceOptions.DEFAULTS, settings,
                HttpSourceFactory.defaultTls());
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).toList();
    }

    @Test
    void anUnchangedPageCostsA304AndKeepsItsEntries() throws Exception {
        AtomicReference<String> page = new AtomicReference<>(PAGE_V1);
        try (KeepAliveHttpServer server = KeepAliveHttpServer.start()) {
            server.route("/", (Request r) -> {
                String etag = "\"" + page.get().hashCode() + "\"";
                if (etag.equals(r.headers().get("if-none-match"))) {
                    return new Reply(("HTTP/1.1 304 Not Modified\r\nETag: " + etag + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), false);
                }
                return Reply.of(200, page.get().getBytes(StandardCharsets.UTF_8), "Content-Type: text/html", "ETag: " + etag,
                        "Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT");
            });
            try (HttpSource http = source(server)) {
                assertEquals(List.of("a.txt"), names(http.list(VfsPath.ROOT)));
                assertFalse(server.requests("/").get(0).headers().containsKey("if-none-match"), "the first fetch is plain");

                now.set(now.get().plusSeconds(31));
                assertEquals(List.of("a.txt"), names(http.list(VfsPath.ROOT)));
                Request second = server.requests("/").get(1);
                assertEquals("\"" + PAGE_V1.hashCode() + "\"", second.headers().get("if-none-match"), second.toString());
                assertEquals("Mon, 01 Jan 2024 00:00:00 GMT", second.headers().get("if-modified-since"), second.toString());

                assertEquals(List.of("a.txt"), names(http.list(VfsPath.ROOT)));
                assertEquals(2, server.requests("/").size(), "the 304 renewed the listing's TTL");

                page.set(PAGE_V2);
                now.set(now.get().plusSeconds(31));
                assertEquals(List.of("b.txt"), names(http.list(VfsPath.ROOT)), "a changed page is answered 200 and replaces it");
                assertEquals(3, server.requests("/").size());
            }
        }
    }

    @Test
    void aPageWithoutValidatorsIsFetchedPlainly() throws Exception {
        try (KeepAliveHttpServer server = KeepAliveHttpServer.start()) {
            server.route("/", r -> Reply.of(200, PAGE_V1.getBytes(StandardCharsets.UTF_8), "Content-Type: text/html"));
            try (HttpSource http = source(server)) {
                http.list(VfsPath.ROOT);
                now.set(now.get().plusSeconds(31));
                http.list(VfsPath.ROOT);
                for (Request r : server.requests("/")) {
                    assertFalse(r.headers().containsKey("if-none-match") || r.headers().containsKey("if-modified-since"), r.toString());
                }
                assertEquals(2, server.requests("/").size());
            }
        }
    }
}
