package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ownership and modes as Apache and vsftpd see them: files 0444 (plus the source's execute
 * bits), directories 0555, owned by --uid/--gid or the mounting user; with {@code allow_other}
 * a mount made by root is readable by www-data and ftp, without it by nobody else.
 */
class ServePermissionsTest {

    @TempDir
    Path tmp;

    private String stat(Path root, String format, String path) throws Exception {
        return Shell.ok(root, "stat -c '" + format + "' '" + path + "'").strip();
    }

    @Test
    void modesAndOwnerAcrossHttpFtpAndLocalSources() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try (ServedMirror served = ServedMirror.start(tmp, mnt, false)) {
            String me = Shell.ok(tmp, "id -u").strip() + ":" + Shell.ok(tmp, "id -g").strip();
            String[][] expected = {
                {".", "555"}, {"http", "555"}, {"http/data", "555"}, {"ftp/pub", "555"}, {"local/private-dir", "555"},
                {"http/hello.txt", "444"}, {"ftp/pub/file-2m.bin", "444"}, {"local/private.txt", "444"},
                {"ftp/pub/tool.sh", "555"}, {"local/script.sh", "554"},
            };
            for (String[] e : expected) {
                assertEquals(e[1] + " " + me, stat(mnt, "%a %u:%g", e[0]), e[0]);
            }
            // allow_other: the users Apache and vsftpd run as can read everything, even files that were private upstream.
            for (String user : List.of("www-data", "ftp")) {
                assertEquals("hello from nginx", Shell.ok(mnt, "runuser -u " + user + " -- cat http/hello.txt").strip());
                assertEquals("hello from vsftpd", Shell.ok(mnt, "runuser -u " + user + " -- cat ftp/hello.txt").strip());
                assertEquals("only root upstream", Shell.ok(mnt, "runuser -u " + user + " -- cat local/private.txt").strip());
                assertEquals("inner.txt", Shell.ok(mnt, "runuser -u " + user + " -- ls local/private-dir").strip());
                assertEquals("tool", Shell.ok(mnt, "runuser -u " + user + " -- ./ftp/pub/tool.sh").strip());
                // script.sh was rwxr-x--- upstream: only its owner and group may execute it here too.
                assertNotEquals(0, Shell.bash(mnt, "runuser -u " + user + " -- ./local/script.sh").exitCode());
                Shell.Result write = Shell.bash(mnt, "runuser -u " + user + " -- touch http/new");
                assertNotEquals(0, write.exitCode());
            }
        }
    }

    @Test
    void uidAndGidOptionsSetTheOwner() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/dir"));
        Files.writeString(src.resolve("f.txt"), "x\n");
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try (MountedMirror m = MountedMirror.start(mnt, "mount", "--source", "/=" + tmp.resolve("src").toUri(), "--uid", "33", "--gid", "33",
                "-o", "allow_other")) {
            assertEquals("www-data:www-data 555", stat(mnt, "%U:%G %a", "dir"));
            assertEquals("www-data:www-data 444", stat(mnt, "%U:%G %a", "dir/f.txt"));
            assertEquals("x", Shell.ok(mnt, "runuser -u ftp -- cat dir/f.txt").strip());
        }
    }

    @Test
    void withoutAllowOtherOnlyTheMountingUserGetsIn() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("f.txt"), "x\n");
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Files.setPosixFilePermissions(mnt, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (MountedMirror m = MountedMirror.start(mnt, "mount", "--source", "/=" + src.toUri())) {
            assertEquals("x", Files.readString(mnt.resolve("f.txt")).strip());
            Shell.Result denied = Shell.bash(tmp, "runuser -u www-data -- cat " + mnt.resolve("f.txt"));
            assertNotEquals(0, denied.exitCode());
            assertTrue(denied.stderr().contains("Permission denied"), denied.stderr());
        }
    }
}
