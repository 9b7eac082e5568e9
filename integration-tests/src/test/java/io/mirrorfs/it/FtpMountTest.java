package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.VsftpdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vsftpd-served tree mounted through the real kernel, checked with find, stat and sha256sum. */
class FtpMountTest {

    private static Path tree;
    private static VsftpdServer server;

    @BeforeAll
    static void startServer(@TempDir Path tmp) throws IOException, InterruptedException {
        tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.createDirectories(tree.resolve("empty dir"));
        Files.write(tree.resolve("zero.bin"), new byte[0]);
        Files.write(tree.resolve("a/five-MiB.bin"), GeneratedTree.contentFor("five", 5 << 20));
        Files.write(tree.resolve("a/b/c/deep.bin"), GeneratedTree.contentFor("deep", 123_457));
        Files.writeString(tree.resolve("name with spaces.txt"), "spaces\n");
        Files.writeString(tree.resolve("a/ünïcødé ✓.txt"), "utf-8\n");
        Files.createSymbolicLink(tree.resolve("inside-link"), Path.of("a/five-MiB.bin"));
        Files.createSymbolicLink(tree.resolve("outside-link"), Path.of("/etc/passwd"));
        Files.setLastModifiedTime(tree.resolve("zero.bin"), FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));
        Shell.ok(tmp, "chmod -R a+rX " + tmp);
        server = VsftpdServer.start(tree);
    }

    @AfterAll
    static void stopServer() throws IOException, InterruptedException {
        if (server != null) {
            server.close();
        }
        assertEquals("", Shell.ok(Path.of("/"), "grep mirrorfs-it- /proc/self/mountinfo || true"), "a test left a mount behind");
    }

    @Test
    void findSizesAndHashesMatchTheServedTree() throws Exception {
        try (MountedMirror m = MountedMirror.start("--source", "/ftp=" + server.url())) {
            Path root = m.root().resolve("ftp");
            String expected = Shell.ok(tree, "find . ! -name outside-link -printf '%y %s %p\\n' | grep -v '^d' | sort");
            String actual = Shell.ok(root, "find . ! -name outside-link -printf '%y %s %p\\n' | grep -v '^d' | sort");
            assertEquals(expected, actual);
            assertEquals(Shell.ok(tree, "find . -type d | sort"), Shell.ok(root, "find . -type d | sort"));
            String hashes = "find . -type f -print0 | sort -z | xargs -0 sha256sum";
            assertEquals(Shell.ok(tree, hashes), Shell.ok(root, hashes));
            assertEquals("a/five-MiB.bin", Files.readSymbolicLink(root.resolve("inside-link")).toString());
            // An absolute target is a path on the server (vsftpd chroots anonymous users to the
            // served tree), so it is rewritten relative to the link and never reaches the host's file.
            assertEquals("etc/passwd", Files.readSymbolicLink(root.resolve("outside-link")).toString());
            assertFalse(Files.exists(root.resolve("outside-link")));
            // LIST gives days for old files: the date survives.
            assertTrue(Files.getLastModifiedTime(root.resolve("zero.bin")).toInstant().toString().startsWith("2001-02-03"));
        }
    }
}
