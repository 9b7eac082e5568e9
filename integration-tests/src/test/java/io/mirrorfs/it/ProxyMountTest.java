package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.SquidProxy;
import io.mirrorfs.testing.TestCertificate;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mounts through a real Squid on 127.0.0.1 (#16): the tree read through the kernel with every
 * byte checked and Squid's access log showing the requests; HTTPS through CONNECT to a TLS nginx
 * with its certificate verified; {@code no_proxy} bypassing Squid; a proxy that is down answering
 * EIO within the timeouts. Squid, nginx and the mounts are stopped after, also on failure.
 */
class ProxyMountTest {

    private static final String HASHES = "find . -type f -print0 | sort -z | xargs -0 sha256sum";

    @TempDir
    static Path tmp;
    static Path tree;
    static SquidProxy squid;
    static NginxServer nginx;

    @BeforeAll
    static void start() throws Exception {
        tree = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(tree.resolve("sub dir/deeper"));
        Random r = new Random(16);
        for (String name : List.of("a.bin", "sub dir/b.bin", "sub dir/deeper/c.bin")) {
            byte[] data = new byte[(1 << 20) + r.nextInt(1 << 20)];
            r.nextBytes(data);
            Files.write(tree.resolve(name), data);
        }
        Files.writeString(tree.resolve("hello.txt"), "through squid\n");
        Shell.ok(tmp, "chmod -R a+rX .");
        squid = SquidProxy.launch();
        nginx = NginxServer.start(tree, NginxServer.Listing.EXACT);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (squid != null) {
            squid.close();
        }
    }

    private static long squidLines(String needle) throws Exception {
        return squid.accessLog().stream().filter(l -> l.contains(needle)).count();
    }

    @Test
    void aTreeReadThroughSquidMatchesByteForByte() throws Exception {
        long before = squidLines(" GET " + nginx.url());
        try (MountedMirror m = MountedMirror.start(Files.createTempDirectory("mirrorfs-it-"), List.of(), Map.of(), "mount",
                "--source", "/web=" + nginx.url(), "--proxy", squid.url())) {
            Path web = m.root().resolve("web");
            assertEquals(Shell.ok(tree, HASHES), Shell.ok(web, HASHES), "daemon log: " + m.log());
            String stats = Files.readString(m.root().resolve(".mirrorfs/stats"));
            assertTrue(stats.matches("(?s).*source /web=" + nginx.url() + " proxy +" + squid.url() + "\n.*"), stats);
        }
        assertTrue(squidLines(" GET " + nginx.url()) - before >= 7, "listings and ranged reads went through Squid: " + squid.accessLog());
        assertTrue(squidLines(" GET " + nginx.url() + "sub%20dir/deeper/c.bin") >= 1, "Squid's log: " + squid.accessLog());
    }

    @Test
    void httpsGoesThroughConnectWithTheCertificateVerified() throws Exception {
        try (NginxServer tls = NginxServer.withTls(tree, NginxServer.Listing.EXACT)) {
            String hostPort = "127.0.0.1:" + tls.port();
            List<String> trust = TestCertificate.trustingJvmOptions(tls.trustStore());
            // From the environment, as curl reads it.
            try (MountedMirror m = MountedMirror.start(Files.createTempDirectory("mirrorfs-it-"), trust,
                    Map.of("https_proxy", squid.url(), "no_proxy", ""), "mount", "--source", "/tls=" + tls.url())) {
                assertEquals(Shell.ok(tree, HASHES), Shell.ok(m.root().resolve("tls"), HASHES), "daemon log: " + m.log());
            }
            awaitSquid(" CONNECT " + hostPort);
            // The tunnel carries TLS end to end: without trusting the certificate, nothing is read.
            try (MountedMirror untrusted = MountedMirror.start(Files.createTempDirectory("mirrorfs-it-"), List.of(),
                    Map.of("https_proxy", squid.url()), "mount", "--source", "/tls=" + tls.url(), "--retries", "0")) {
                Shell.Result r = Shell.bash(untrusted.root(), "ls tls");
                assertNotEquals(0, r.exitCode(), "an untrusted certificate must not be accepted");
                assertTrue(r.stderr().contains("Input/output error"), r.stderr());
            }
        }
    }

    private static void awaitSquid(String needle) throws Exception {
        // Squid logs a tunnel when it closes, a moment after the daemon unmounted.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (squidLines(needle) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(squidLines(needle) > 0, "Squid's log: " + squid.accessLog());
    }

    @Test
    void aHostInNoProxyBypassesSquid() throws Exception {
        long before = squidLines(nginx.url());
        try (MountedMirror m = MountedMirror.start(Files.createTempDirectory("mirrorfs-it-"), List.of(),
                Map.of("http_proxy", squid.url(), "no_proxy", "localhost,127.0.0.1"), "mount", "--source", "/web=" + nginx.url())) {
            assertEquals(Shell.ok(tree, HASHES), Shell.ok(m.root().resolve("web"), HASHES), "daemon log: " + m.log());
            String stats = Files.readString(m.root().resolve(".mirrorfs/stats"));
            assertTrue(stats.matches("(?s).*source /web=" + nginx.url() + " proxy +direct\n.*"), stats);
        }
        assertEquals(before, squidLines(nginx.url()), "Squid saw none of it: " + squid.accessLog());
    }

    @Test
    void aProxyThatIsDownGivesEioWithinTheTimeoutsAndOneLogLine() throws Exception {
        int down;
        try (ServerSocket s = new ServerSocket(0)) {
            down = s.getLocalPort(); // nothing listens there once closed
        }
        try (MountedMirror m = MountedMirror.start(Files.createTempDirectory("mirrorfs-it-"), List.of(), Map.of(), "mount",
                "--source", "/web=" + nginx.url(), "--proxy", "http://127.0.0.1:" + down, "--connect-timeout", "2s",
                "--read-timeout", "3s")) {
            long t0 = System.nanoTime();
            Shell.Result r = Shell.bash(m.root(), "cat web/hello.txt");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertNotEquals(0, r.exitCode());
            assertTrue(r.stderr().contains("Input/output error"), r.stderr());
            // Refused connections fail at once; three attempts with 0.1 s and 0.2 s back-off.
            assertTrue(ms < 5_000, "EIO after " + ms + " ms");
            String needle = "proxy http://127.0.0.1:" + down + " unreachable";
            assertTrue(m.awaitLog(log -> log.contains(needle), Duration.ofSeconds(5)), m.log());
            // No line per attempt (three were made): the source's summary after its retries, the
            // one line saying the source went offline (stale-if-error, #15), and the FUSE edge's
            // EIO line, each naming the proxy as the cause.
            List<String> lines = m.log().lines().filter(l -> l.contains("127.0.0.1:" + down)).toList();
            assertTrue(!lines.isEmpty() && lines.size() <= 3, "log lines for the failed access: " + lines);
            assertTrue(lines.stream().allMatch(l -> l.contains(needle)), "each names the proxy as the cause: " + lines);
            assertFalse(m.log().contains(squid.url()), m.log());
        }
    }
}
