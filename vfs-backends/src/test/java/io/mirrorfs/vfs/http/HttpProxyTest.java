package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.SquidProxy;
import io.mirrorfs.testing.VfsReads;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.ProxySettings;
import io.mirrorfs.vfs.SourceMetrics;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP source through a real Squid on 127.0.0.1: plain HTTP with the absolute URL in the
 * request line, HTTPS tunnelled with CONNECT (the origin's certificate still verified),
 * {@code no_proxy} bypassing the proxy, and a proxy that is down failing fast with its name.
 */
class HttpProxyTest {

    private static final SourceOptions FAST = SourceOptions.builder()
            .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)).retries(1).build();

    @TempDir
    static Path tmp;
    static Path tree;
    static byte[] big;
    static SquidProxy squid;
    static NginxServer nginx;
    static NginxServer tls;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        tree = Files.createDirectories(tmp.resolve("tree"));
        big = new byte[(3 << 20) + 123];
        new Random(16).nextBytes(big);
        Files.createDirectories(tree.resolve("sub dir"));
        Files.write(tree.resolve("sub dir/big.bin"), big);
        Files.writeString(tree.resolve("hello.txt"), "through the proxy\n");
        new ProcessBuilder("chmod", "-R", "a+rX", tmp.toString()).start().waitFor();
        squid = SquidProxy.launch();
        nginx = NginxServer.start(tree, NginxServer.Listing.EXACT);
        tls = NginxServer.withTls(tree, NginxServer.Listing.EXACT);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {tls, nginx, squid}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the others still close
            }
        }
    }

    private static HttpSource source(String url, ProxySettings proxies, SSLContext ctx) throws IOException {
        return source(url, proxies, ctx, SourceMetrics.NONE);
    }

    private static HttpSource source(String url, ProxySettings proxies, SSLContext ctx, SourceMetrics metrics) throws IOException {
        return HttpSourceFactory.create(URI.create(url), FAST.toBuilder().proxies(proxies).metrics(metrics).build(), HttpSettings.DEFAULTS, ctx);
    }

    private static ProxySettings viaSquid(String noProxy) {
        return ProxySettings.fromEnvironment(Map.of("http_proxy", squid.url(), "https_proxy", squid.url(), "no_proxy", noProxy));
    }

    private static long squidLines(String needle) throws IOException {
        return squid.accessLog().stream().filter(l -> l.contains(needle)).count();
    }

    @Test
    void plainHttpGoesThroughSquidWithEveryByteIntact() throws Exception {
        long before = squidLines(nginx.url());
        try (HttpSource http = source(nginx.url(), viaSquid(""), HttpSourceFactory.defaultTls())) {
            List<String> names = http.list(VfsPath.ROOT).stream().map(DirEntry::name).sorted().toList();
            assertEquals(List.of("hello.txt", "sub dir"), names);
            assertArrayEquals(big, VfsReads.readAll(http, "/sub dir/big.bin", 128 << 10, 0));
            assertArrayEquals("through the proxy\n".getBytes(), VfsReads.readAll(http, "/hello.txt", 4096, 0));
        }
        // Squid logs "GET http://127.0.0.1:PORT/..." for each request it forwarded.
        assertTrue(squidLines(nginx.url()) - before >= 4, "Squid's log: " + squid.accessLog());
        assertTrue(squid.accessLog().stream().anyMatch(l -> l.contains(" GET " + nginx.url() + "sub%20dir/big.bin")),
                "Squid's log: " + squid.accessLog());
    }

    @Test
    void httpsIsTunnelledWithConnectAndTheOriginCertificateIsVerified() throws Exception {
        String hostPort = "127.0.0.1:" + tls.port();
        RecordingMetrics metrics = new RecordingMetrics();
        try (HttpSource https = source(tls.url(), viaSquid(""), tls.certificate().trustingContext(), metrics)) {
            assertArrayEquals(big, VfsReads.readAll(https, "/sub dir/big.bin", 128 << 10, 0));
        }
        // Requests through the CONNECT tunnel are counted where they are sent, like direct ones.
        assertTrue(metrics.answered(SourceMetrics.RequestKind.HTTP_RANGE_GET) >= 1);
        assertTrue(metrics.answered(SourceMetrics.RequestKind.HTTP_LISTING) >= 1);
        assertEquals(0, metrics.failures());
        // Squid logs a tunnel when it closes, a moment after the client closed it.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (squid.accessLog().stream().noneMatch(l -> l.contains(" CONNECT " + hostPort)) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(squid.accessLog().stream().anyMatch(l -> l.contains(" CONNECT " + hostPort)), "Squid's log: " + squid.accessLog());
        // Through the same tunnel, a client that does not trust the certificate gets no bytes.
        try (HttpSource untrusted = source(tls.url(), viaSquid(""), HttpSourceFactory.defaultTls())) {
            IOException e = assertThrows(IOException.class, () -> untrusted.list(VfsPath.ROOT));
            assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("certif")
                    || String.valueOf(e.getMessage()).contains("PKIX"), e.getMessage());
        }
    }

    @Test
    void proxyCredentialsComeFromTheCredentialsFileAndAreSentOnlyWhenAsked() throws Exception {
        try (SquidProxy guarded = SquidProxy.launchWithBasicAuth("alice", "pr0xy-s3cret")) {
            ProxySettings proxies = ProxySettings.NONE.withProxy(URI.create(guarded.url()));
            Path creds = tmp.resolve("credentials");
            Files.writeString(creds, "# the proxy's login\n" + guarded.url() + " alice pr0xy-s3cret\n");
            SourceOptions withLogin = FAST.toBuilder().proxies(proxies).credentialsFile(creds).build();
            try (HttpSource http = HttpSourceFactory.create(URI.create(nginx.url()), withLogin, HttpSettings.DEFAULTS,
                    HttpSourceFactory.defaultTls());
                    HttpSource https = HttpSourceFactory.create(URI.create(tls.url()), withLogin, HttpSettings.DEFAULTS,
                            tls.certificate().trustingContext())) {
                assertArrayEquals(big, VfsReads.readAll(http, "/sub dir/big.bin", 1 << 20, 0));
                assertArrayEquals(big, VfsReads.readAll(https, "/sub dir/big.bin", 1 << 20, 0));
            }
            // Squid's log names the authenticated user for the forwarded requests.
            assertTrue(guarded.accessLog().stream().anyMatch(l -> l.contains(" GET " + nginx.url()) && l.contains(" alice ")),
                    "Squid's log: " + guarded.accessLog());
            // Without the login: 407, an error that never shows a password.
            try (HttpSource anonymous = source(nginx.url(), proxies, HttpSourceFactory.defaultTls())) {
                IOException e = assertThrows(IOException.class, () -> anonymous.list(VfsPath.ROOT));
                assertTrue(e.getMessage().contains("407"), e.getMessage());
                assertFalse(e.getMessage().contains("pr0xy-s3cret"));
            }
        }
    }

    @Test
    void aHostInNoProxyBypassesSquid() throws Exception {
        long before = squidLines(nginx.url());
        try (HttpSource http = source(nginx.url(), viaSquid("localhost, 127.0.0.1"), HttpSourceFactory.defaultTls())) {
            assertArrayEquals(big, VfsReads.readAll(http, "/sub dir/big.bin", 1 << 20, 0));
        }
        assertEquals(before, squidLines(nginx.url()), "Squid's log: " + squid.accessLog());
    }

    @Test
    void aProxyThatIsDownFailsWithinTheTimeoutsNamingTheProxy() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free again once closed: connections are refused
        }
        ProxySettings down = new ProxySettings(Optional.of(URI.create("http://127.0.0.1:" + closed)), Optional.empty(), List.of());
        RecordingMetrics metrics = new RecordingMetrics();
        try (HttpSource http = source(nginx.url(), down, HttpSourceFactory.defaultTls(), metrics)) {
            IOException e = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> assertThrows(IOException.class,
                    () -> http.list(VfsPath.ROOT)));
            assertTrue(e.getMessage().contains("proxy http://127.0.0.1:" + closed), e.getMessage());
        }
        // Each attempt (retries 1: two) is a refused connection to the proxy: errors, no request answered.
        assertEquals(2, metrics.failed(SourceMetrics.ErrorClass.REFUSED));
        assertEquals(0, metrics.answered(SourceMetrics.RequestKind.HTTP_LISTING));
    }

    @Test
    void aBlackholedProxyFailsWithinTheTimeoutsInsteadOfHanging() throws Exception {
        // Accepts connections and never answers: the read timeout, not the OS, ends each attempt.
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            ProxySettings mute = ProxySettings.NONE.withProxy(URI.create("http://127.0.0.1:" + silent.getLocalPort()));
            try (HttpSource http = source(nginx.url(), mute, HttpSourceFactory.defaultTls())) {
                long t0 = System.nanoTime();
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(IOException.class, () -> http.list(VfsPath.ROOT)));
                // (retries + 1) x read timeout plus backoff: about 4.1 s here.
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(12).toNanos());
            }
        }
    }
}
