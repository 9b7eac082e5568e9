package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPointsTest {

    @Test
    void mountinfoEscapesAreDecoded() {
        List<String> lines = List.of(
                "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw",
                "40 35 0:40 / /srv/back\\134slash ro - fuse.mirrorfs mirrorfs ro",
                "short line");
        assertEquals(List.of("/mnt/with space", "/srv/back\\slash"), MountPoints.mountedPaths(lines));
        assertEquals(java.util.Map.of("/mnt/with space", "ext3", "/srv/back\\slash", "fuse.mirrorfs"), MountPoints.fileSystemTypes(lines));
        assertEquals("plain", MountPoints.unescape("plain"));
        assertEquals("a\\09", MountPoints.unescape("a\\09"), "an incomplete escape stays as it is");
    }

    @Test
    void checksNameTheProblem(@TempDir Path tmp) throws Exception {
        assertMessage(tmp.resolve("missing"), "does not exist");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertMessage(file, "is not a directory");
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("x"), "x");
        assertMessage(full, "is not empty");
        MountPoints.check(full, true);
        MountPoints.check(Files.createDirectories(tmp.resolve("empty")), false);
        assertMessage(Path.of("/proc"), "already mounted");
    }

    private static void assertMessage(Path p, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MountPoints.check(p, false));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
