package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.TestCertificate;
import io.mirrorfs.testing.VsftpdServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An explicit-FTPS source through the real kernel: vsftpd requiring TLS for logins and data,
 * with a self-signed certificate. Trusted through the JVM's trust store settings, the tree reads
 * back exactly; without them the certificate is refused and the mount answers EIO.
 */
class FtpsMountTest {

    @TempDir
    Path tmp;

    @Test
    void ftpsTreeMatchesWhenTrustedAndIsRefusedWhenNot() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(tree.resolve("sub dir"));
        byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        Files.write(tree.resolve("sub dir/data.bin"), data);
        Files.writeString(tree.resolve("hello.txt"), "over FTPS\n");
        Shell.ok(tmp, "chmod -R a+rX ."); // vsftpd serves anonymous users as 'ftp'
        try (VsftpdServer ftps = VsftpdServer.withTls(tree)) {
            assertTrue(ftps.url().startsWith("ftps://127.0.0.1:"), ftps.url());
            List<String> trust = TestCertificate.trustingJvmOptions(ftps.trustStore());
            try (MountedMirror m = MountedMirror.start(Files.createTempDirectory("mirrorfs-it-"), trust, "mount",
                    "--source", "/tls=" + ftps.url())) {
                Path ftp = m.root().resolve("tls");
                String hashes = "find . -type f -print0 | sort -z | xargs -0 sha256sum";
                assertEquals(Shell.ok(tree, hashes), Shell.ok(ftp, hashes), "daemon log: " + m.log());
                assertEquals("over FTPS\n", Files.readString(ftp.resolve("hello.txt")));
            }
            try (MountedMirror untrusted = MountedMirror.start("--source", "/tls=" + ftps.url(), "--retries", "0")) {
                Shell.Result r = Shell.bash(untrusted.root(), "ls tls");
                assertNotEquals(0, r.exitCode(), "an untrusted certificate must not be accepted");
                assertTrue(r.stderr().contains("Input/output error") || r.stderr().contains("Permission denied"), r.stderr());
                assertTrue(untrusted.awaitLog(log -> log.contains("PKIX") || log.toLowerCase().contains("certificat"),
                        java.time.Duration.ofSeconds(10)), "the log names the certificate problem: " + untrusted.log());
            }
        }
    }
}
