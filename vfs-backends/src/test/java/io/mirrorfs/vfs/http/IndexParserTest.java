package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Listing pages of every supported server, saved as the server writes them, parsed offline. */
class IndexParserTest {

    private static final URI PAGE = URI.create("http://127.0.0.1:8080/pub/");

    private static Map<String, IndexEntry> parse(String resource, String contentType) throws IOException {
        try (InputStream in = IndexParserTest.class.getResourceAsStream(resource)) {
            List<IndexEntry> entries = IndexParser.parse(in.readAllBytes(), contentType, PAGE, 1000);
            Map<String, IndexEntry> m = new LinkedHashMap<>();
            entries.forEach(e -> m.put(e.name(), e));
            return m;
        }
    }

    private static void assertFile(IndexEntry e, OptionalLong size, Optional<Instant> mtime) {
        assertEquals(IndexEntry.Kind.FILE, e.kind(), e.name());
        assertEquals(size, e.size(), e.name());
        assertEquals(mtime, e.mtime(), e.name());
    }

    @Test
    void theWarmUpSamplePageParsesCompletely() {
        assertEquals(IndexParser.WARM_UP_PAGES * 100, IndexParser.warmUp(), "every entry of every sample page");
    }

    @Test
    void nginxExactSizesDecodeNamesOnceAndDropSlashes() throws IOException {
        Map<String, IndexEntry> m = parse("nginx-exact.html", "text/html");
        assertEquals(List.of("dir with space #1", "100%.txt", "a+b.txt", "what?.txt", "ünïcödé-日本語.txt", "café.txt",
                "very-long-name-that-nginx-truncates-in-the-text-column-of-its-page.txt"), List.copyOf(m.keySet()));
        assertEquals(IndexEntry.Kind.DIRECTORY, m.get("dir with space #1").kind());
        assertFile(m.get("100%.txt"), OptionalLong.of(1000), Optional.of(Instant.parse("2023-05-17T10:11:00Z")));
        assertEquals(OptionalLong.of(12345678), m.get("very-long-name-that-nginx-truncates-in-the-text-column-of-its-page.txt").size());
        // A Latin-1 name keeps its byte on the way back to the server.
        assertEquals("caf%E9.txt", m.get("café.txt").rawSegment());
        assertEquals("100%25.txt", m.get("100%.txt").rawSegment());
    }

    @Test
    void nginxHumanSizesAreNotExact() throws IOException {
        Map<String, IndexEntry> m = parse("nginx-human.html", "text/html");
        assertEquals(OptionalLong.empty(), m.get("big.iso").size());
        assertEquals(OptionalLong.empty(), m.get("mid.bin").size());
        assertEquals(OptionalLong.of(512), m.get("small.txt").size());
        assertEquals(IndexEntry.Kind.DIRECTORY, m.get("sub").kind());
    }

    @Test
    void nginxJson() throws IOException {
        Map<String, IndexEntry> m = parse("nginx.json", "application/json");
        assertEquals(List.of("sub", "with space.txt", "quote\"d\\.txt"), List.copyOf(m.keySet()));
        assertEquals(IndexEntry.Kind.DIRECTORY, m.get("sub").kind());
        assertFile(m.get("with space.txt"), OptionalLong.of(1000), Optional.of(Instant.parse("2023-05-17T10:11:12Z")));
        assertEquals("with%20space.txt", m.get("with space.txt").rawSegment());
    }

    @Test
    void apachePlain() throws IOException {
        Map<String, IndexEntry> m = parse("apache-plain.html", "text/html;charset=UTF-8");
        assertEquals(List.of("hash#tag.txt", "semi;colon.txt", "sub"), List.copyOf(m.keySet()));
        assertFile(m.get("hash#tag.txt"), OptionalLong.empty(), Optional.empty());
        assertEquals(IndexEntry.Kind.DIRECTORY, m.get("sub").kind());
    }

    @Test
    void apacheFancyIgnoresSortLinksParentAndOtherHosts() throws IOException {
        Map<String, IndexEntry> m = parse("apache-fancy.html", "text/html;charset=UTF-8");
        assertEquals(List.of("sub", "hello.txt", "random-3m.bin"), List.copyOf(m.keySet()));
        assertFile(m.get("hello.txt"), OptionalLong.of(13), Optional.of(Instant.parse("2023-05-17T10:11:00Z")));
        assertFile(m.get("random-3m.bin"), OptionalLong.empty(), Optional.of(Instant.parse("2023-05-17T12:11:00Z")));
    }

    @Test
    void apacheHtmlTable() throws IOException {
        Map<String, IndexEntry> m = parse("apache-table.html", "text/html;charset=UTF-8");
        assertEquals(List.of("sub", "hello.txt", "random-3m.bin"), List.copyOf(m.keySet()));
        assertFile(m.get("hello.txt"), OptionalLong.of(13), Optional.of(Instant.parse("2023-05-17T10:11:00Z")));
        assertFile(m.get("random-3m.bin"), OptionalLong.empty(), Optional.of(Instant.parse("2023-05-17T12:11:00Z")));
    }

    @Test
    void lighttpd() throws IOException {
        Map<String, IndexEntry> m = parse("lighttpd.html", "text/html");
        assertEquals(List.of("sub", "with space.txt"), List.copyOf(m.keySet()));
        assertFile(m.get("with space.txt"), OptionalLong.empty(), Optional.of(Instant.parse("2023-05-17T10:11:12Z")));
    }

    @Test
    void caddyGivesExactSizesAndSeconds() throws IOException {
        Map<String, IndexEntry> m = parse("caddy.html", "text/html; charset=utf-8");
        assertEquals(List.of("sub", "random-3m.bin"), List.copyOf(m.keySet()));
        assertFile(m.get("random-3m.bin"), OptionalLong.of(3145733), Optional.of(Instant.parse("2023-05-17T12:11:12Z")));
        assertEquals(IndexEntry.Kind.DIRECTORY, m.get("sub").kind());
    }

    @Test
    void pythonHttpServer() throws IOException {
        Map<String, IndexEntry> m = parse("python.html", "text/html; charset=utf-8");
        assertEquals(List.of("sub", "with space.txt", "link"), List.copyOf(m.keySet()));
        assertEquals(IndexEntry.Kind.FILE, m.get("link").kind());
    }

    @Test
    void genericPageKeepsSameOriginLinksOneLevelBelow() throws IOException {
        Map<String, IndexEntry> m = parse("generic.html", "text/html");
        assertEquals(List.of("release-1.0.tar.gz", "docs", "archive"), List.copyOf(m.keySet()));
        assertEquals(IndexEntry.Kind.UNKNOWN, m.get("release-1.0.tar.gz").kind());
        assertEquals(IndexEntry.Kind.DIRECTORY, m.get("docs").kind());
        assertEquals(IndexEntry.Kind.UNKNOWN, m.get("archive").kind());
    }

    @Test
    void entriesBeyondTheLimitAreDropped() throws IOException {
        StringBuilder page = new StringBuilder("<html><title>Index of /pub/</title><pre>");
        for (int i = 0; i < 50; i++) {
            page.append("<a href=\"f").append(i).append("\">f").append(i).append("</a>\n");
        }
        List<IndexEntry> entries = IndexParser.parse(page.toString().getBytes(), "text/html", PAGE, 10);
        assertEquals(10, entries.size());
    }

    @Test
    void urlCodecRoundTripsBytes() {
        for (String raw : List.of("a%20b", "100%25", "caf%E9", "%C3%BC", "a+b", "semi%3Bcolon")) {
            assertEquals(raw.replace("+", "%2B").replace("%3B", "%3B"), UrlCodec.encode(UrlCodec.decode(raw)));
        }
        assertEquals("50%25 encoded.txt", UrlCodec.name(UrlCodec.decode("50%2525%20encoded.txt")));
        assertTrue(UrlCodec.name(UrlCodec.decode("bad%2Fslash")).contains("/"));
    }
}
