package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * An nginx tree with {@code autoindex_format json} (read with jackson-jr) mounted through the real
 * kernel: names, sizes, mtimes to the second (the JSON gives seconds) and the bytes of every
 * file match the disk.
 */
class NginxJsonMountTest {

    @Test
    void namesSizesMtimesAndBytesMatchTheServedTree() throws Exception {
        try (GeneratedTree tree = GeneratedTree.create(false);
                NginxServer nginx = NginxServer.start(tree.root(), NginxServer.Listing.JSON);
                MountedMirror m = MountedMirror.start("--source", "/web=" + nginx.url())) {
            Path web = m.root().resolve("web");
            String dirs = "find . -type d | sort";
            assertEquals(Shell.ok(tree.root(), dirs), Shell.ok(web, dirs));
            // stat's %Y is the mtime in whole seconds, as precise as the JSON listing.
            String sizesAndMtimes = "find . -type f -print0 | sort -z | xargs -0 stat -c '%s %Y %n'";
            assertEquals(Shell.ok(tree.root(), sizesAndMtimes), Shell.ok(web, sizesAndMtimes));
            String hashes = "find . -type f -print0 | sort -z | xargs -0 sha256sum";
            assertEquals(Shell.ok(tree.root(), hashes), Shell.ok(web, hashes), m.log());
        }
    }
}
