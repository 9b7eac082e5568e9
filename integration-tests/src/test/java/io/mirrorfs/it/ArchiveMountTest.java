package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives entered as directories through the real kernel: ls, cat, sha256sum, nesting, visibility, damage. */
class ArchiveMountTest {

    private static Path tree;
    private static Path content;

    @BeforeAll
    static void makeArchives(@TempDir Path tmp) throws Exception {
        tree = Files.createDirectories(tmp.resolve("tree"));
        content = Files.createDirectories(tmp.resolve("content"));
        Files.createDirectories(content.resolve("docs/deep"));
        Files.writeString(content.resolve("docs/readme.txt"), "inside an archive\n");
        Files.writeString(content.resolve("docs/deep/leaf.txt"), "leaf\n");
        byte[] data = new byte[5 << 20];
        new Random(3).nextBytes(data);
        Files.write(content.resolve("random.bin"), data);
        Files.createSymbolicLink(content.resolve("docs/link"), Path.of("readme.txt"));
        Shell.ok(content, "tar -czf " + tree.resolve("a.tar.gz") + " . && zip -q -r -y " + tree.resolve("b.zip") + " ."
                + " && cp " + tree.resolve("b.zip") + " inner.zip && tar -cJf " + tree.resolve("outer.tar.xz") + " inner.zip && rm inner.zip"
                + " && head -c 100000 " + tree.resolve("a.tar.gz") + " > " + tree.resolve("broken.tar.gz")
                + " && gzip -c random.bin > " + tree.resolve("random.bin.gz"));
        Files.writeString(tree.resolve("plain.txt"), "plain\n");
    }

    @AfterAll
    static void noStrayMounts() throws IOException, InterruptedException {
        assertEquals("", Shell.ok(Path.of("/"), "grep mirrorfs-it- /proc/self/mountinfo || true"), "a test left a mount behind");
    }

    @Test
    void archivesListAndReadLikeTheExtractedTree() throws Exception {
        try (MountedMirror m = MountedMirror.start("--source", "/=" + tree.toUri())) {
            String expected = Shell.ok(content, "find . -mindepth 1 ! -type d -print0 | sort -z | xargs -0 sha256sum");
            for (String archive : new String[] {"a.tar.gz#", "b.zip#", "outer.tar.xz#/inner.zip#"}) {
                Path dir = m.root().resolve(archive);
                assertEquals(expected, Shell.ok(dir, "find . -mindepth 1 ! -type d -print0 | sort -z | xargs -0 sha256sum"), archive);
                assertEquals(Shell.ok(content, "find . | sort"), Shell.ok(dir, "find . | sort"), archive);
                assertEquals("readme.txt", Files.readSymbolicLink(dir.resolve("docs/link")).toString());
                assertEquals("-r--r--r--", Shell.ok(dir, "stat -c %A docs/readme.txt").trim());
            }
            assertEquals(Shell.ok(content, "sha256sum < random.bin"), Shell.ok(m.root(), "sha256sum < 'random.bin.gz#/random.bin'"));
            assertEquals(Shell.ok(content, "tail -c 1000 random.bin | sha256sum"),
                    Shell.ok(m.root(), "tail -c 1000 'a.tar.gz#/random.bin' | sha256sum"));
        }
    }

    @Test
    void hiddenByDefaultVisibleOnRequestAndDamageIsEioForThatArchiveOnly() throws Exception {
        try (MountedMirror m = MountedMirror.start("--source", "/=" + tree.toUri())) {
            assertFalse(Shell.ok(m.root(), "ls -a").contains("#"));
            Shell.Result broken = Shell.bash(m.root(), "ls broken.tar.gz#/ 2>&1");
            assertNotEquals(0, broken.exitCode());
            assertTrue(broken.stdout().contains("Input/output error"), broken.stdout());
            assertEquals("inside an archive\n", Shell.ok(m.root(), "cat 'a.tar.gz#/docs/readme.txt'"));
            assertNotEquals(0, Shell.bash(m.root(), "ls plain.txt#/").exitCode());
        }
        try (MountedMirror m = MountedMirror.start("--source", "/=" + tree.toUri(), "--archives=visible")) {
            String ls = Shell.ok(m.root(), "ls");
            assertTrue(ls.contains("a.tar.gz#") && ls.contains("b.zip#") && !ls.contains("plain.txt#"), ls);
        }
        try (MountedMirror m = MountedMirror.start("--source", "/=" + tree.toUri(), "--archives=off")) {
            assertNotEquals(0, Shell.bash(m.root(), "ls a.tar.gz#/").exitCode());
        }
    }
}
