package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.VfsReads;
import io.mirrorfs.testing.fault.KeepAliveHttpServer;
import io.mirrorfs.testing.fault.KeepAliveHttpServer.Reply;
import io.mirrorfs.testing.fault.KeepAliveHttpServer.Request;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 behaviours of the source against a scripted keep-alive server: every address of a
 * host tried in turn, chunked framing edge cases, redirects, credentials only for the source's origin, connection reuse and the one
 * resend on a kept-alive connection the server had closed.
 */
class HttpProtocolTest {

    private static final Duration GUARD = Duration.ofSeconds(30);
    private static final SourceOptions NO_RETRIES = SourceOptions.builder()
            .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)).retries(0).build();
    private static final String ETAG = "\"v1\"";

    private final byte[] data = new byte[200_000];
    private KeepAliveHttpServer server;
    private KeepAliveHttpServer other;

    @BeforeEach
    void start() throws IOException {
        new Random(16).nextBytes(data);
        server = KeepAliveHttpServer.start();
        other = KeepAliveHttpServer.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        other.close();
    }

    private HttpSource source(String url, SourceOptions options) throws IOException {
        return HttpSourceFactory.create(URI.create(url), options, HttpSettings.DEFAULTS, HttpSourceFactory.defaultTls());
    }

    private static Function<Request, Reply> listing(String... names) {
        StringBuilder sb = new StringBuilder("<html><body>\n");
        for (String n : names) {
            sb.append("<a href=\"").append(n).append("\">").append(n).append("</a>\n");
        }
        byte[] page = sb.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
        return req -> Reply.of(200, page, "Content-Type: text/html");
    }

    /** An honest file: HEAD and 200 with the whole body, 206 for a range; {@code framing} frames a 206 body. */
    private static Function<Request, Reply> file(byte[] body, Function<byte[], String> framing) {
        return req -> {
            String range = req.headers().get("range");
            if (req.method().equals("HEAD") || range == null) {
                return Reply.of(200, body, "ETag: " + ETAG);
            }
            long from = Long.parseLong(range.substring(6, range.indexOf('-')));
            long to = Math.min(body.length - 1, Long.parseLong(range.substring(range.indexOf('-') + 1)));
            byte[] part = java.util.Arrays.copyOfRange(body, (int) from, (int) to + 1);
            String head = "HTTP/1.1 206 Partial\r\nETag: " + ETAG + "\r\nContent-Range: bytes " + from + "-" + to + "/" + body.length;
            return framing == null ? Reply.of(206, part, "ETag: " + ETAG, "Content-Range: bytes " + from + "-" + to + "/" + body.length)
                    : Reply.chunked(head, framing.apply(part));
        };
    }

    /**
     * Chunks with every legal oddity at once (RFC 9112 section 7.1): a 1-byte chunk with an
     * extension, a quoted extension value, upper-case hex with leading zeros, then the rest, and
     * a last chunk with an extension and two trailer fields.
     */
    private static String oddChunks(byte[] part) {
        String s = new String(part, StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder();
        int[] sizes = {1, 7, 4096};
        int at = 0;
        String[] ext = {";name=value", ";a=\"quoted;value\";b", ""};
        for (int i = 0; i < sizes.length && at < s.length(); i++) {
            int n = Math.min(sizes[i], s.length() - at);
            String hex = i == 2 ? String.format("%08X", n) : Integer.toHexString(n);
            sb.append(hex).append(ext[i]).append("\r\n").append(s, at, at + n).append("\r\n");
            at += n;
        }
        if (at < s.length()) {
            sb.append(Integer.toHexString(s.length() - at)).append("\r\n").append(s.substring(at)).append("\r\n");
        }
        return sb.append("0;last=yes\r\nX-Checksum: none\r\nX-Other: 1\r\n\r\n").toString();
    }

    /** A resolver with one fixed answer: {@code host} has the addresses {@code ips}, in that order. */
    private static DnsResolver resolverOf(String host, String... ips) {
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String name) throws UnknownHostException {
                if (!name.equalsIgnoreCase(host)) {
                    throw new UnknownHostException(name);
                }
                InetAddress[] all = new InetAddress[ips.length];
                for (int i = 0; i < ips.length; i++) {
                    all[i] = InetAddress.getByName(ips[i]);
                }
                return all;
            }

            @Override
            public String resolveCanonicalHostname(String name) {
                return name;
            }
        };
    }

    @Test
    void everyAddressOfAHostIsTriedInTurnUntilOneAnswers() throws Exception {
        server.route("/", listing("data.bin"));
        server.route("/data.bin", file(data, null));
        int port = URI.create(server.origin()).getPort();
        // Nothing listens on 127.0.0.2 and 127.0.0.3 (loopback addresses): each refuses at once.
        HttpSettings settings = HttpSettings.DEFAULTS.withResolver(resolverOf("mirror.test", "127.0.0.2", "127.0.0.3", "127.0.0.1"));
        try (HttpSource http = HttpSourceFactory.create(URI.create("http://mirror.test:" + port + "/"), NO_RETRIES, settings,
                HttpSourceFactory.defaultTls())) {
            assertEquals(List.of("data.bin"), http.list(VfsPath.ROOT).stream().map(DirEntry::name).toList());
            assertArrayEquals(data, VfsReads.readAll(http, "/data.bin", 64 << 10, 0));
        }
        assertEquals("mirror.test:" + port, server.requests("/").get(0).headers().get("host"), "the request names the host, not the address");
    }

    @Test
    void aHostWhoseAddressesAllRefuseFailsWithOneIoError() throws Exception {
        int port = URI.create(server.origin()).getPort();
        HttpSettings settings = HttpSettings.DEFAULTS.withResolver(resolverOf("mirror.test", "127.0.0.2", "127.0.0.3"));
        try (HttpSource http = HttpSourceFactory.create(URI.create("http://mirror.test:" + port + "/"), NO_RETRIES, settings,
                HttpSourceFactory.defaultTls())) {
            IOException e = assertTimeoutPreemptively(GUARD, () -> assertThrows(IOException.class, () -> http.list(VfsPath.ROOT)));
            assertTrue(e.getMessage().contains("mirror.test") && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused"),
                    e.getMessage());
        }
        assertTrue(server.requests("/").isEmpty(), "nothing reached the server");
    }

    @Test
    void chunkedBodiesWithExtensionsTrailersAndOddSizesReadExactly() throws Exception {
        server.route("/", req -> Reply.chunked("HTTP/1.1 200 OK\r\nContent-Type: text/html",
                oddChunks("<html><a href=\"data.bin\">data.bin</a></html>".getBytes(StandardCharsets.ISO_8859_1))));
        server.route("/data.bin", file(data, HttpProtocolTest::oddChunks));
        try (HttpSource http = source(server.origin() + "/", NO_RETRIES)) {
            assertEquals(List.of("data.bin"), http.list(VfsPath.ROOT).stream().map(DirEntry::name).toList());
            assertArrayEquals(data, VfsReads.readAll(http, "/data.bin", 64 << 10, 0));
            // Random reads: each a chunked 206 of its own, the connection reused after each.
            try (VfsFile f = http.open(VfsPath.parse("/data.bin"))) {
                for (int off : new int[] {150_000, 3, 99_999, 0}) {
                    ByteBuffer b = ByteBuffer.allocate(1000);
                    assertEquals(1000, f.read(off, b));
                    assertArrayEquals(java.util.Arrays.copyOfRange(data, off, off + 1000), b.array());
                }
            }
        }
        assertEquals(1, server.connections(), "every chunked body was read to its end, so one connection carried all");
    }

    @Test
    void aRepeatedEqualContentLengthIsAcceptedAndDifferentOnesAreRefused() throws Exception {
        // RFC 9110 section 8.6: the same length twice (two fields, or a list in one) frames the body.
        server.route("/", req -> Reply.of(200, "<html><a href=\"two.bin\">two.bin</a> <a href=\"list.bin\">list.bin</a> <a href=\"bad.bin\">bad.bin</a></html>"
                .getBytes(StandardCharsets.ISO_8859_1), "Content-Type: text/html"));
        byte[] body = java.util.Arrays.copyOf(data, 5000);
        server.route("/two.bin", req -> Reply.of(200, body, "Content-Length: " + body.length, "ETag: " + ETAG));
        server.route("/list.bin", req -> Reply.of(200, body, "Content-Length: " + body.length + ", " + body.length, "ETag: " + ETAG));
        server.route("/bad.bin", req -> Reply.of(200, body, "Content-Length: " + (body.length - 1), "ETag: " + ETAG));
        try (HttpSource http = source(server.origin() + "/", NO_RETRIES)) {
            assertArrayEquals(body, VfsReads.readAll(http, "/two.bin", 64 << 10, 0));
            assertArrayEquals(body, VfsReads.readAll(http, "/list.bin", 64 << 10, 0));
            org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> http.stat(VfsPath.parse("/bad.bin")));
        }
    }

    @Test
    void aMalformedChunkSizeFailsTheReadInsteadOfHanging() throws Exception {
        server.route("/", listing("data.bin"));
        server.route("/data.bin", file(data, part -> "zz\r\nnot a chunk\r\n0\r\n\r\n"));
        try (HttpSource http = source(server.origin() + "/", NO_RETRIES); VfsFile f = http.open(VfsPath.parse("/data.bin"))) {
            IOException e = assertTimeoutPreemptively(GUARD, () -> assertThrows(IOException.class, () -> f.read(0, ByteBuffer.allocate(4096))));
            assertTrue(e.getMessage().contains("/data.bin"), e.getMessage());
        }
    }

    @Test
    void aChunkedBodyCutMidChunkIsResumedFromTheFirstMissingByte() throws Exception {
        AtomicInteger gets = new AtomicInteger();
        Function<Request, Reply> honest = file(data, HttpProtocolTest::oddChunks);
        server.route("/", listing("data.bin"));
        server.route("/data.bin", req -> {
            Reply r = honest.apply(req);
            if (req.method().equals("GET") && gets.incrementAndGet() == 1) {
                // Half of the first answer, cut inside the last chunk, then the connection closes.
                return new Reply(java.util.Arrays.copyOf(r.bytes(), r.bytes().length / 2), true);
            }
            return r;
        });
        SourceOptions oneRetry = NO_RETRIES.toBuilder().retries(1).build();
        try (HttpSource http = source(server.origin() + "/", oneRetry)) {
            assertArrayEquals(data, VfsReads.readAll(http, "/data.bin", 128 << 10, 0));
        }
        List<Request> resumed = server.requests("/data.bin").stream().filter(r -> r.method().equals("GET")).toList();
        assertTrue(resumed.size() >= 2, "the cut body was resumed: " + resumed);
        assertFalse(resumed.get(1).headers().get("range").startsWith("bytes=0-"), "resumed after the bytes delivered: " + resumed);
    }

    @Test
    void redirectsAreFollowedUpToFiveAndLinksResolveAgainstTheFinalUrl() throws Exception {
        int[] statuses = {301, 302, 303, 307, 308};
        for (int i = 0; i < 5; i++) {
            String next = i == 4 ? "/final/" : "/hop" + (i + 1) + "/";
            int status = statuses[i];
            server.route("/hop" + i + "/", req -> Reply.redirect(status, next)); // five redirects in all
            server.route("/hop" + i + "/data.bin", req -> Reply.redirect(status, next + "data.bin"));
        }
        server.route("/final/", listing("data.bin"));
        server.route("/final/data.bin", file(data, null));
        try (HttpSource http = source(server.origin() + "/hop0/", NO_RETRIES)) {
            assertEquals(List.of("data.bin"), http.list(VfsPath.ROOT).stream().map(DirEntry::name).toList());
            assertArrayEquals(data, VfsReads.readAll(http, "/data.bin", 64 << 10, 0));
        }
        server.route("/hop4/", redirectTo("/hop5/"));
        server.route("/hop5/", redirectTo("/final/"));
        other.route("/", listing("data.bin"));
        try (HttpSource http = source(server.origin() + "/hop0/", NO_RETRIES)) {
            IOException e = assertThrows(IOException.class, () -> http.list(VfsPath.ROOT));
            assertTrue(e.getMessage().contains("more than 5 redirects"), e.getMessage());
        }
    }

    private static Function<Request, Reply> redirectTo(String location) {
        return req -> Reply.redirect(302, location);
    }

    @Test
    void aRedirectToAnotherSchemeIsRefused() throws Exception {
        server.route("/", redirectTo("ftp://127.0.0.1/pub/"));
        try (HttpSource http = source(server.origin() + "/", NO_RETRIES)) {
            IOException e = assertThrows(IOException.class, () -> http.list(VfsPath.ROOT));
            assertTrue(e.getMessage().contains("non-HTTP"), e.getMessage());
        }
    }

    @Test
    void credentialsGoToTheSourceOriginOnlyAndAreStrippedOnACrossOriginRedirect() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        server.route("/pub/", redirectTo("/mirror/"));                       // same origin: keeps them
        server.route("/pub/data.bin", redirectTo("/mirror/data.bin"));
        server.route("/mirror/", listing("data.bin"));
        server.route("/mirror/data.bin", req -> Reply.redirect(307, other.origin() + "/cdn/data.bin")); // another port: another origin
        other.route("/cdn/data.bin", file(data, null));
        try (HttpSource http = source("http://alice:s3cret@" + server.origin().substring(7) + "/pub/", NO_RETRIES)) {
            assertArrayEquals(data, VfsReads.readAll(http, "/data.bin", 64 << 10, 0));
        }
        assertFalse(server.requests().isEmpty());
        for (Request r : server.requests()) {
            assertEquals(basic, r.headers().get("authorization"), "the source's origin gets the credentials: " + r);
        }
        assertFalse(other.requests().isEmpty(), "the redirect was followed");
        for (Request r : other.requests()) {
            assertFalse(r.headers().containsKey("authorization"), "another origin never does: " + r);
        }
    }

    @Test
    void keptAliveConnectionsAreReused() throws Exception {
        server.route("/", listing("data.bin", "more.bin"));
        server.route("/data.bin", file(data, null));
        server.route("/more.bin", file(data, null));
        try (HttpSource http = source(server.origin() + "/", NO_RETRIES)) {
            http.list(VfsPath.ROOT);
            for (String name : new String[] {"/data.bin", "/more.bin"}) {
                try (VfsFile f = http.open(VfsPath.parse(name))) {
                    for (int off = 0; off < data.length; off += 50_000) {
                        f.read(off + 7, ByteBuffer.allocate(1000)); // never sequential: one request each
                    }
                }
            }
        }
        assertTrue(server.requests().size() >= 11, "requests: " + server.requests());
        assertEquals(1, server.connections(), "one thread, one kept-alive connection for " + server.requests().size() + " requests");
    }

    @Test
    void aKeptAliveConnectionTheServerClosedIsResentOnceOnANewOne() throws Exception {
        // Every answer is followed by a silent close, as when a server's keep-alive timeout strikes
        // just after the client's request went out: the client cannot know before sending.
        Function<Request, Reply> honest = file(data, null);
        server.route("/", req -> listing("data.bin").apply(req).thenClose());
        server.route("/data.bin", req -> honest.apply(req).thenClose());
        // The control: the same tree on a server that keeps its connections.
        other.route("/", listing("data.bin"));
        other.route("/data.bin", honest);
        for (KeepAliveHttpServer s : List.of(server, other)) {
            // With no retries of our own, only the client's resend can make these succeed.
            try (HttpSource http = source(s.origin() + "/", NO_RETRIES)) {
                assertEquals(List.of("data.bin"), http.list(VfsPath.ROOT).stream().map(DirEntry::name).toList());
                try (VfsFile f = http.open(VfsPath.parse("/data.bin"))) {
                    for (int off : new int[] {0, 100_000, 5}) {
                        ByteBuffer b = ByteBuffer.allocate(1000);
                        assertEquals(1000, f.read(off, b));
                        assertArrayEquals(java.util.Arrays.copyOfRange(data, off, off + 1000), b.array());
                    }
                }
            }
        }
        assertEquals(targets(other), targets(server), "the closing server saw each request once, like the control");
        assertEquals(server.requests().size(), server.connections(), "each on a connection of its own: " + server.requests());
        assertEquals(1, other.connections());
        assertTrue(server.requests().size() >= 5, "requests: " + server.requests());
    }

    private static List<String> targets(KeepAliveHttpServer s) {
        List<String> out = new ArrayList<>();
        s.requests().forEach(r -> out.add(r.method() + " " + r.target()));
        return out;
    }

    @Test
    void aFreshConnectionClosedWithoutAnAnswerIsNotResentByTheClient() throws Exception {
        server.route("/", req -> Reply.hangUp());
        try (HttpSource http = source(server.origin() + "/", NO_RETRIES.toBuilder().retries(1).build())) {
            assertTimeoutPreemptively(GUARD, () -> assertThrows(IOException.class, () -> http.list(VfsPath.ROOT)));
        }
        assertEquals(2, server.requests("/").size(), "one attempt plus one retry of the source's own, nothing more: " + server.requests());
    }
}
