package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.fault.HostileHttpServer;
import io.mirrorfs.testing.fault.HostileHttpServer.Route;
import io.mirrorfs.testing.fault.ScriptedFtpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Lying and malicious servers through the kernel: every case ends in a clear error (EIO) or a
 * skipped entry; the daemon never dies, never shows a path outside the mount, and its peak
 * memory stays bounded (VmHWM printed, sanity-bounded).
 */
class HostileUpstreamTest {

    private static final String LONG_NAME = "n".repeat(100_000);

    @Test
    void hostileHttpListingsAndLyingBodies() throws Exception {
        byte[] body = GeneratedTree.contentFor("body", 3 << 20);
        try (HostileHttpServer s = HostileHttpServer.start();
                MountedMirror m = startWith(s.url(), "/web")) {
            s.route("/", Route.listing("ok.bin", "a%2Fb", "%2E%2E", "..%2F..%2Fetc%2Fpasswd", "x%00y", "ctl%01%1B%5B31m",
                    LONG_NAME, "huge/", "many/", "endless/", "norange.bin", "cl-long.bin", "cl-short.bin",
                    "wrong-start.bin", "wrong-total.bin", "garbage-range.bin", "gone.bin", "error.bin", "stall.bin"));
            s.route("/ok.bin", Route.file(body));
            s.route("/huge/", Route.hugePage(50L << 20));
            s.route("/many/", Route.manyEntries(1_000_000));
            s.route("/endless/", Route.endlessListing());
            s.route("/norange.bin", Route.ignoresRange(body));
            s.route("/cl-long.bin", Route.contentLengthLonger(body, 1 << 20));
            s.route("/cl-short.bin", Route.contentLengthShorter(body, 1000));
            s.route("/wrong-start.bin", Route.wrongRangeStart(body));
            s.route("/wrong-total.bin", Route.wrongRangeTotal(body));
            s.route("/garbage-range.bin", Route.garbageContentRange(body));
            s.route("/error.bin", Route.status(500));
            s.route("/stall.bin", Route.stall());
            s.route("/ctl%01%1B%5B31m", Route.file("control characters are legal in names\n".getBytes(StandardCharsets.UTF_8)));

            Shell.Result ls = Shell.bash(m.root(), "ls -1 web");
            assertEquals(0, ls.exitCode(), "hostile names are skipped, the listing still works: " + ls.stderr());
            assertTrue(ls.stdout().contains("ok.bin"), ls.stdout());
            for (String bad : new String[] {"passwd", "a/b", "x\0y"}) {
                assertFalse(ls.stdout().contains(bad), "no entry " + bad + " in " + ls.stdout());
            }
            assertFalse(ls.stdout().lines().anyMatch(l -> l.equals("..") || l.length() > 255), "no '..' or over-long entry");
            assertEquals("control characters are legal in names\n", Shell.ok(m.root(), "cat web/ctl$'\\001\\033'[31m"));
            assertEquals(m.root().resolve("web").toString() + "\n", Shell.ok(m.root(), "realpath web/ok.bin/.. 2>/dev/null || realpath web"),
                    "nothing resolves outside the mount");

            assertArrayEquals(body, Files.readAllBytes(m.root().resolve("web/ok.bin")));
            assertArrayEquals(body, Files.readAllBytes(m.root().resolve("web/norange.bin")), "Range ignored: still right");
            for (String lie : new String[] {"cl-long.bin", "cl-short.bin", "wrong-start.bin", "wrong-total.bin",
                    "garbage-range.bin", "error.bin", "stall.bin"}) {
                Shell.Result r = Shell.bash(m.root(), "cat web/" + lie + " > /dev/null");
                assertNotEquals(0, r.exitCode(), lie + " must not read as if fine");
                assertTrue(r.stderr().contains("Input/output error"), lie + ": " + r.stderr());
            }
            for (String dir : new String[] {"huge", "many", "endless"}) {
                Shell.Result r = Shell.bash(m.root(), "ls web/" + dir + " | wc -l");
                assertTrue(r.stderr().contains("Input/output error"), dir + ": a listing over the page limit is refused: " + r.stderr());
            }
            Shell.Result gone = Shell.bash(m.root(), "cat web/gone.bin");
            assertTrue(gone.stderr().contains("No such file") || gone.stderr().contains("Input/output error"), gone.stderr());

            long hwm = ResilienceSupport.statusKiB(m.pid(), "VmHWM");
            System.out.printf("hostile http: daemon VmHWM %d MiB after 50 MB, 1,000,000-entry and endless listings%n", hwm >> 10);
            assertTrue(m.process().isAlive(), "the daemon survives");
            assertTrue(hwm < (1 << 20), "peak RSS " + (hwm >> 10) + " MiB");
        }
    }

    @Test
    void hostileFtpListingLines() throws Exception {
        try (ScriptedFtpServer ftp = ScriptedFtpServer.start()) {
            ftp.listing("/",
                    "-rw-r--r--   1 ftp ftp          6 Jan 01  2024 ok.txt",
                    "this is not a LIST line at all",
                    "",
                    "-rw-r--r--   1 ftp ftp          6 Jan 01  2024 ../../etc/passwd",
                    "-rw-r--r--   1 ftp ftp          6 Jan 01  2024 ..",
                    "-rw-r--r--   1 ftp ftp          6 Jan 01  2024 ctl\u0001\u001b[31m",
                    "-rw-r--r--   1 ftp ftp 99999999999999999999999 Jan 01  2024 bigsize",
                    "-rw-r--r--   1 ftp ftp         -5 Jan 01  2024 negsize",
                    "lrwxrwxrwx   1 ftp ftp          4 Jan 01  2024 escape -> /etc/passwd",
                    "lrwxrwxrwx   1 ftp ftp          4 Jan 01  2024 escape2 -> ../../../../etc/passwd",
                    "drwxr-xr-x   1 ftp ftp          0 Jan 01  2024 sub",
                    "-rw-r--r--   1 ftp ftp          6 Jan 01  2024 " + LONG_NAME);
            ftp.listing("/sub", "-rw-r--r--   1 ftp ftp          6 Jan 01  2024 inner.txt");
            ftp.file("/ok.txt", "hello\n".getBytes(StandardCharsets.UTF_8));
            ftp.file("/sub/inner.txt", "inner\n".getBytes(StandardCharsets.UTF_8));
            try (MountedMirror m = startWith(ftp.url(), "/ftp")) {
                Shell.Result ls = Shell.bash(m.root(), "ls -1 ftp");
                assertEquals(0, ls.exitCode(), "malformed lines are skipped: " + ls.stderr());
                assertTrue(ls.stdout().contains("ok.txt") && ls.stdout().contains("sub"), ls.stdout());
                assertFalse(ls.stdout().lines().anyMatch(l -> l.contains("passwd") || l.equals("..") || l.equals("escape2")),
                        "no traversal names and no symlinks climbing out of the source: " + ls.stdout());
                // The server's root is the source's root: /etc/passwd there is inside it, so the link
                // stays, rewritten relative, and resolves inside the mount (to nothing), never to the host's file.
                String target = Shell.ok(m.root(), "realpath -m ftp/escape").trim();
                assertTrue(target.startsWith(m.root().toString() + "/"), "escape resolves inside the mount: " + target);
                assertEquals("hello\n", Shell.ok(m.root(), "cat ftp/ok.txt"));
                assertEquals("inner\n", Shell.ok(m.root(), "cat ftp/sub/inner.txt"));
                assertNotEquals(0, Shell.bash(m.root(), "cat ftp/escape ftp/escape2").exitCode());
                Shell.bash(m.root(), "ls -l ftp; stat ftp/bigsize ftp/negsize"); // whatever they show, no crash
                assertTrue(m.process().isAlive(), "the daemon survives");
                assertEquals("hello\n", Shell.ok(m.root(), "cat ftp/ok.txt"));
            }
        }
    }

    private static MountedMirror startWith(String url, String at) throws Exception {
        return MountedMirror.start("--source", at + "=" + url, "--read-timeout", "2s", "--retries", "1", "--cache-size", "64M");
    }
}
