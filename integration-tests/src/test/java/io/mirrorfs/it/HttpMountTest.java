package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** An nginx-served tree mounted through the real kernel: find, sizes and sha256 of every file match the disk. */
class HttpMountTest {

    @Test
    void findSizesAndHashesMatchTheServedTree() throws Exception {
        try (GeneratedTree tree = GeneratedTree.create(false);
                NginxServer nginx = NginxServer.start(tree.root(), NginxServer.Listing.EXACT);
                MountedMirror m = MountedMirror.start("--source", "/web=" + nginx.url())) {
            Path web = m.root().resolve("web");
            String listing = "find . -printf '%y %s %p\\n' | grep -v '^d' | sort";
            assertEquals(Shell.ok(tree.root(), listing), Shell.ok(web, listing));
            String dirs = "find . -type d | sort";
            assertEquals(Shell.ok(tree.root(), dirs), Shell.ok(web, dirs));
            // ls -l sizes, file by file, as a user would see them.
            String lsSizes = "find . -type f -print0 | sort -z | xargs -0 ls -l | awk '{print $5}'";
            assertEquals(Shell.ok(tree.root(), lsSizes), Shell.ok(web, lsSizes));
            String hashes = "find . -type f -print0 | sort -z | xargs -0 sha256sum";
            assertEquals(Shell.ok(tree.root(), hashes), Shell.ok(web, hashes));
            assertTrue(Files.isDirectory(web.resolve("empty-dir")));
        }
    }
}
