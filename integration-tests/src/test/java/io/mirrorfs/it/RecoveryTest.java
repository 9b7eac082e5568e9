package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.VsftpdServer;
import io.mirrorfs.testing.fault.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Servers that fail and come back, through the kernel: a refused or unknown server at mount
 * time still mounts (its directory fails with EIO and one log line) and is used once it
 * answers; a server stopped and restarted is used again without remounting; connections reset
 * every MiB still deliver every byte (reads resume); and {@code kill -9} of a daemon with
 * network sources leaves no stale mount (the local case is LocalMountTest's).
 */
class RecoveryTest {

    private static Path dir;
    private static byte[] file;
    private static NginxServer nginx;
    private static VsftpdServer vsftpd;

    @BeforeAll
    static void servers() throws Exception {
        dir = ResilienceSupport.servedDir("mirrorfs-recovery-");
        file = ResilienceSupport.write(dir, "file.bin", 24 << 20);
        nginx = NginxServer.start(dir, NginxServer.Listing.EXACT);
        vsftpd = VsftpdServer.start(dir);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (vsftpd != null) {
            vsftpd.close();
        }
        GeneratedTree.deleteRecursively(dir);
    }

    @Test
    void refusedAndUnknownServersAtMountTimeStillMountAndRecover() throws Exception {
        try (FaultProxy http = FaultProxy.tcp(nginx.port()); FaultProxy ftp = FaultProxy.ftp(vsftpd.port())) {
            http.refuse();
            ftp.refuse();
            try (MountedMirror m = MountedMirror.start("--source", "/http=" + http.url("http", "/"), "--source",
                    "/ftp=" + ftp.url("ftp", "/"), "--source", "/nowhere=http://no-such-host.invalid/pub/",
                    "--source", "/ok=" + nginx.url(), "--retries", "1")) {
                assertEquals("ftp\nhttp\nnowhere\nok\n", Shell.ok(m.root(), "ls"), "every source shows as a directory");
                for (String s : new String[] {"http", "ftp", "nowhere"}) {
                    Shell.Result r = Shell.bash(m.root(), "ls " + s);
                    assertNotEquals(0, r.exitCode(), s);
                    assertTrue(r.stderr().contains("Input/output error"), s + ": " + r.stderr());
                }
                assertTrue(Shell.ok(m.root(), "ls ok").contains("file.bin"), "a healthy source next to dead ones");
                assertTrue(m.awaitLog(log -> log.contains("no-such-host.invalid"), Duration.ofSeconds(10)),
                        "the log names the unknown host: " + m.log());

                http.heal();
                ftp.heal();
                assertArrayEquals(file, Files.readAllBytes(m.root().resolve("http/file.bin")), "HTTP used again, no remount");
                assertArrayEquals(file, Files.readAllBytes(m.root().resolve("ftp/file.bin")), "FTP used again, no remount");
            }
        }
    }

    @Test
    void serverStoppedAndRestartedIsUsedAgain() throws Exception {
        for (String scheme : new String[] {"http", "ftp"}) {
            try (FaultProxy p = scheme.equals("http") ? FaultProxy.tcp(nginx.port()) : FaultProxy.ftp(vsftpd.port());
                    MountedMirror m = MountedMirror.start("--source", "/s=" + p.url(scheme, "/"), "--retries", "1",
                            "--dir-cache-ttl", "2s", "--cache-size", "16M", "--read-ahead", "0")) {
                Path f = m.root().resolve("s/file.bin");
                assertEquals(file.length, Files.size(f));
                p.refuse();
                p.resetAll();
                Shell.Result r = Shell.bash(m.root(), "dd if=s/file.bin of=/dev/null bs=1M skip=8 count=4");
                assertNotEquals(0, r.exitCode(), scheme + ": reading from a stopped server fails");
                assertTrue(r.stderr().contains("Input/output error"), r.stderr());
                assertTrue(m.process().isAlive(), "the daemon keeps running");
                p.heal();
                assertArrayEquals(file, Files.readAllBytes(f), scheme + ": the restarted server is read again");
            }
        }
    }

    @Test
    void connectionsResetEveryMibStillDeliverEveryByte() throws Exception {
        for (String scheme : new String[] {"http", "ftp"}) {
            try (FaultProxy p = scheme.equals("http") ? FaultProxy.tcp(nginx.port()) : FaultProxy.ftp(vsftpd.port());
                    MountedMirror m = MountedMirror.start("--source", "/s=" + p.url(scheme, "/"), "--retries", "3")) {
                p.resetAfter(3 << 20); // every connection dies mid-body after 3 MiB
                String sum = Shell.ok(m.root(), "sha256sum < s/file.bin").split(" ")[0];
                assertEquals(sha256(file), sum, scheme + ": resumed reads deliver the right bytes");
                assertTrue(p.accepted() > 8, scheme + ": the read really went through resets (" + p.accepted() + " connections)");
            }
        }
    }

    @Test
    void killMinusNineWithNetworkSourcesLeavesNoStaleMountAndRemountWorks() throws Exception {
        Path mnt = Files.createTempDirectory("mirrorfs-it-kill-");
        try {
            String[] args = {"--source", "/http=" + nginx.url(), "--source", "/ftp=" + vsftpd.url()};
            try (MountedMirror m = MountedMirror.start(mnt, "mount", args)) {
                // Busy with open network connections and a reader in flight when killed.
                Process reader = new ProcessBuilder("cat", mnt.resolve("ftp/file.bin").toString())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                Files.readAllBytes(mnt.resolve("http/file.bin"));
                new ProcessBuilder("kill", "-9", String.valueOf(m.pid())).start().waitFor();
                m.process().waitFor();
                reader.waitFor();
                for (int i = 0; i < 50 && MountedMirror.isMounted(mnt); i++) {
                    Thread.sleep(100); // auto_unmount: fusermount's watcher unmounts once the daemon is gone
                }
                assertTrue(!MountedMirror.isMounted(mnt), "no stale mount after kill -9");
            }
            Files.createDirectories(mnt);
            try (MountedMirror again = MountedMirror.start(mnt, "mount", args)) {
                assertArrayEquals(file, Files.readAllBytes(mnt.resolve("ftp/file.bin")), "remounted on the same mount point");
            }
        } finally {
            Files.deleteIfExists(mnt);
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
