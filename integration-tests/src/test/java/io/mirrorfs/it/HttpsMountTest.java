package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.TestCertificate;
import io.mirrorfs.testing.NginxServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS source through the real kernel: nginx with a self-signed certificate. Trusted through
 * the JVM's trust store settings (as an administrator adds a private CA), the tree reads back
 * exactly; without them the certificate is refused and the mount answers EIO, never plaintext.
 */
class HttpsMountTest {

    @TempDir
    Path tmp;

    @Test
    void httpsTreeMatchesWhenTrustedAndIsRefusedWhenNot() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(tree.resolve("sub dir"));
        byte[] data = new byte[3 << 20];
        new Random(3).nextBytes(data);
        Files.write(tree.resolve("sub dir/data.bin"), data);
        Files.writeString(tree.resolve("hello.txt"), "over TLS\n");
        // nginx's workers run as nobody: the tree must be world-readable.
        Shell.ok(tmp, "chmod -R a+rX .");
        try (NginxServer nginx = NginxServer.withTls(tree, NginxServer.Listing.EXACT)) {
            assertTrue(nginx.url().startsWith("https://127.0.0.1:"), nginx.url());
            List<String> trust = TestCertificate.trustingJvmOptions(nginx.trustStore());
            try (MountedMirror m = MountedMirror.start(Files.createTempDirectory("mirrorfs-it-"), trust, "mount",
                    "--source", "/tls=" + nginx.url())) {
                Path web = m.root().resolve("tls");
                String hashes = "find . -type f -print0 | sort -z | xargs -0 sha256sum";
                assertEquals(Shell.ok(tree, hashes), Shell.ok(web, hashes), "daemon log: " + m.log());
                assertEquals("over TLS\n", Files.readString(web.resolve("hello.txt")));
            }
            try (MountedMirror untrusted = MountedMirror.start("--source", "/tls=" + nginx.url(), "--retries", "0")) {
                Shell.Result r = Shell.bash(untrusted.root(), "ls tls");
                assertNotEquals(0, r.exitCode(), "an untrusted certificate must not be accepted");
                assertTrue(r.stderr().contains("Input/output error"), r.stderr());
                assertTrue(untrusted.awaitLog(log -> log.contains("PKIX") || log.toLowerCase().contains("certificat"),
                        java.time.Duration.ofSeconds(10)), "the log names the certificate problem: " + untrusted.log());
            }
        }
    }
}
