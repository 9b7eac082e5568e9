package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local directory mounted through the real kernel, checked with real clients. */
class LocalMountTest {

    private static Path tree;
    private static Path outside;

    @BeforeAll
    static void makeTree(@TempDir Path tmp) throws IOException {
        tree = tmp.resolve("tree");
        outside = tmp.resolve("outside");
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.createDirectories(tree.resolve("empty"));
        Files.createDirectories(tree.resolve("sub/dir"));
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret.txt"), "host file that must not be reachable\n");
        Files.write(tree.resolve("zero.bin"), new byte[0]);
        Files.write(tree.resolve("one.bin"), new byte[] {42});
        writeRandom(tree.resolve("a/five-MiB.bin"), 5L << 20, 1);
        writeRandom(tree.resolve("a/b/hundred-MiB.bin"), 100L << 20, 2);
        Files.writeString(tree.resolve("name with spaces.txt"), "spaces\n");
        Files.writeString(tree.resolve("a/b/c/ünïcødé ✓.txt"), "utf-8\n");
        Files.writeString(tree.resolve("sub/dir/deep.txt"), "deep\n");
        Files.createSymbolicLink(tree.resolve("inside-link"), Path.of("a/five-MiB.bin"));
        Files.createSymbolicLink(tree.resolve("outside-link"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(tree.resolve("a/escape-link"), Path.of("../../outside/secret.txt"));
        Files.setLastModifiedTime(tree.resolve("one.bin"), FileTime.from(Instant.parse("2001-02-03T04:05:06.789Z")));
    }

    @AfterAll
    static void noStrayMounts() throws IOException, InterruptedException {
        String mounts = Shell.ok(Path.of("/"), "grep mirrorfs-it- /proc/self/mountinfo || true");
        assertEquals("", mounts, "a test left a mount behind");
    }

    private static void writeRandom(Path file, long size, long seed) throws IOException {
        Random r = new Random(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += buf.length) {
                r.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
    }

    private static String fileUrl(Path dir) {
        return dir.toUri().toString();
    }

    @Test
    void findSizesMtimesAndHashesMatchTheSource() throws Exception {
        try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree))) {
            // The symlinks leaving the source are hidden; everything else matches find on the source.
            String expected = Shell.ok(tree, "find . ! -name outside-link ! -name escape-link -printf '%y %s %T@ %p\\n' | grep -v '^d' | sort");
            String actual = Shell.ok(m.root(), "find . -printf '%y %s %T@ %p\\n' | grep -v '^d' | sort");
            assertEquals(expected, actual);
            String dirsExpected = Shell.ok(tree, "find . -type d | sort");
            String dirsActual = Shell.ok(m.root(), "find . -type d | sort");
            assertEquals(dirsExpected, dirsActual);
            String hashesExpected = Shell.ok(tree, "find . -type f -print0 | sort -z | xargs -0 sha256sum");
            String hashesActual = Shell.ok(m.root(), "find . -type f -print0 | sort -z | xargs -0 sha256sum");
            assertEquals(hashesExpected, hashesActual);
            assertEquals("a/five-MiB.bin", Files.readSymbolicLink(m.root().resolve("inside-link")).toString());
            assertEquals(Files.size(tree.resolve("a/five-MiB.bin")), Files.size(m.root().resolve("inside-link")));
            assertFalse(Files.exists(m.root().resolve("outside-link"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertFalse(Files.exists(m.root().resolve("a/escape-link"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
            assertEquals(Instant.parse("2001-02-03T04:05:06.789Z"), Files.getLastModifiedTime(m.root().resolve("one.bin")).toInstant());
            String modes = Shell.ok(m.root(), "stat -c '%A' one.bin a; stat -c '%A' -L inside-link");
            assertEquals("-r--r--r--\ndr-xr-xr-x\n-r--r--r--\n", modes);
        }
    }

    /**
     * The start-up warm-up walks a synthetic tree at /.mirrorfs/warmup by calling the FUSE
     * callbacks directly, before the kernel mount exists (see StatsFileVfs.serveWarmupTree and
     * CallbackWarmup), then takes it away: the log (with -v) counts its lookups, and afterwards
     * /.mirrorfs lists only the stats file.
     */
    @Test
    void theWarmupWalksItsTreeBeforeMountingAndLeavesNothing() throws Exception {
        try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree), "-v")) {
            Pattern line = Pattern.compile("warm-up before mounting: listed \\d+ directories, looked up (\\d+) entries");
            assertTrue(m.awaitLog(log -> line.matcher(log).find(), Duration.ofSeconds(10)), "no warm-up line in the log:\n" + m.log());
            Matcher walked = line.matcher(m.log());
            assertTrue(walked.find());
            assertEquals(15_150, Long.parseLong(walked.group(1)), "150 directories and their 15,000 files");
            assertEquals(".\n..\nstats", Shell.ok(m.root(), "ls -a .mirrorfs").strip());
            assertFalse(Shell.ok(m.root(), "ls -a").contains(".mirrorfs"));
        }
    }

    @Test
    void thousandRandomReadsMatchTheSource() throws Exception {
        Path source = tree.resolve("a/b/hundred-MiB.bin");
        try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree));
             FileChannel expected = FileChannel.open(source);
             FileChannel actual = FileChannel.open(m.root().resolve("a/b/hundred-MiB.bin"))) {
            Random r = new Random(7);
            long size = expected.size();
            for (int i = 0; i < 1000; i++) {
                int len = 1 + r.nextInt(300_000);
                long off = (long) (r.nextDouble() * (size + 1000)); // some reads start past the end
                ByteBuffer e = ByteBuffer.allocate(len);
                ByteBuffer a = ByteBuffer.allocate(len);
                int en = Math.max(0, expected.read(e, off));
                int an = Math.max(0, readFully(actual, a, off));
                assertEquals(en, an, "bytes read at " + off);
                assertArrayEquals(e.array(), a.array(), "content at " + off + "+" + len);
            }
        }
    }

    /**
     * {@code -o direct_io} (README: bulk single-pass reads) bypasses the kernel's page cache: reads
     * of any size at any offset, sha256 of whole files and private mappings (what exec and the
     * dynamic loader use) still give the source's bytes; a shared mapping is refused by the
     * kernel (ENODEV: libfuse 2 cannot ask for FUSE_DIRECT_IO_ALLOW_MMAP), as the README says.
     */
    @Test
    void directIoMountsReadTheSameBytes() throws Exception {
        Path source = tree.resolve("a/b/hundred-MiB.bin");
        try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree), "-o", "direct_io");
             FileChannel expected = FileChannel.open(source);
             FileChannel actual = FileChannel.open(m.root().resolve("a/b/hundred-MiB.bin"))) {
            assertTrue(Shell.ok(Path.of("/"), "grep ' " + m.root() + " ' /proc/self/mountinfo").contains("fuse.mirrorfs"));
            Random r = new Random(8);
            for (int i = 0; i < 300; i++) {
                int len = 1 + r.nextInt(600_000);
                long off = (long) (r.nextDouble() * (expected.size() + 1000));
                ByteBuffer e = ByteBuffer.allocate(len);
                ByteBuffer a = ByteBuffer.allocate(len);
                assertEquals(Math.max(0, expected.read(e, off)), Math.max(0, readFully(actual, a, off)), "bytes read at " + off);
                assertArrayEquals(e.array(), a.array(), "content at " + off + "+" + len);
            }
            assertEquals(Shell.ok(tree, "sha256sum < a/b/hundred-MiB.bin"), Shell.ok(m.root(), "sha256sum < a/b/hundred-MiB.bin"));
            assertEquals(Shell.ok(tree, "sha256sum < a/five-MiB.bin"), Shell.ok(m.root(), "dd if=a/five-MiB.bin bs=4k status=none | sha256sum"));
            String mapped = Shell.ok(m.root(), "python3 -c \"import hashlib, mmap; f = open('a/five-MiB.bin', 'rb'); "
                    + "print(hashlib.sha256(mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ)).hexdigest())\"");
            assertEquals(Shell.ok(tree, "sha256sum < a/five-MiB.bin").split(" ")[0], mapped.trim());
            Shell.Result shared = Shell.bash(m.root(), "python3 -c \"import mmap; f = open('a/five-MiB.bin', 'rb'); "
                    + "mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ)\"");
            assertTrue(shared.exitCode() != 0 && shared.stderr().contains("No such device"), shared.stderr());
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer dst, long off) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, off + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Test
    void everyWriteFailsWithReadOnlyAndChangesNothing() throws Exception {
        try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree))) {
            String before = Shell.ok(tree, "find . -printf '%p %s %T@\\n' | sort");
            String[] attempts = {
                "touch new.txt", "touch one.bin", "mkdir newdir", "rm one.bin", "rmdir empty",
                "mv one.bin moved.bin", "echo more >> name\\ with\\ spaces.txt", "echo x > one.bin",
                "ln -s one.bin newlink", "ln one.bin hardlink", "chmod 777 one.bin", "truncate -s 0 one.bin",
            };
            for (String cmd : attempts) {
                Shell.Result r = Shell.bash(m.root(), cmd);
                assertNotEquals(0, r.exitCode(), cmd + " succeeded");
                assertTrue(r.stderr().contains("Read-only file system"), cmd + " said: " + r.stderr());
            }
            assertEquals(before, Shell.ok(tree, "find . -printf '%p %s %T@\\n' | sort"));
            assertTrue(m.log().isEmpty() || !m.log().contains("ERROR"), m.log());
        }
    }

    @Test
    void sourcesAtRootAndDeeperAreBothVisible(@TempDir Path other) throws Exception {
        Files.writeString(other.resolve("from-other.txt"), "other source\n");
        try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree), "--source", "/sub/dir=" + fileUrl(other),
                "--source", "/new/parent/leaf=" + fileUrl(other))) {
            assertEquals("other source\n", Files.readString(m.root().resolve("sub/dir/from-other.txt")));
            // The deeper mount hides what the root source has at the same path.
            assertFalse(Files.exists(m.root().resolve("sub/dir/deep.txt")));
            assertEquals("dir\n", Shell.ok(m.root(), "ls sub"));
            assertEquals("parent\n", Shell.ok(m.root(), "ls new"));
            assertEquals("from-other.txt\n", Shell.ok(m.root(), "ls new/parent/leaf"));
            assertTrue(Shell.ok(m.root(), "ls").contains("new\n"));
        }
    }

    @Test
    void fusermountEndsTheProcessWithExitZero() throws Exception {
        try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree))) {
            Files.readAllBytes(m.root().resolve("one.bin"));
            long start = System.nanoTime();
            assertEquals(0, m.unmount(Duration.ofSeconds(5)));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5);
            assertFalse(m.isMounted());
        }
    }

    @Test
    void sigtermAndSigintUnmountAndExitZero() throws Exception {
        for (String signal : new String[] {"TERM", "INT"}) {
            try (MountedMirror m = MountedMirror.start("--source", "/=" + fileUrl(tree))) {
                Shell.ok(Path.of("/"), "kill -" + signal + " " + m.pid());
                assertTrue(m.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "no exit after SIG" + signal);
                assertEquals(0, m.process().exitValue(), "exit status after SIG" + signal + "; log: " + m.log());
                assertFalse(m.isMounted(), "still mounted after SIG" + signal);
            }
        }
    }

    @Test
    void killMinusNineLeavesNoStaleMountAndRemountWorks() throws Exception {
        Path mp = Files.createTempDirectory("mirrorfs-it-");
        try (MountedMirror m = MountedMirror.start(mp, "mount", "--source", "/=" + fileUrl(tree))) {
            Shell.ok(Path.of("/"), "kill -9 " + m.pid());
            m.process().waitFor();
            // auto_unmount: fusermount's watchdog unmounts once the daemon's /dev/fuse closes.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (MountedMirror.isMounted(mp) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertFalse(MountedMirror.isMounted(mp), "stale mount after kill -9");
        }
        Files.createDirectories(mp);
        try (MountedMirror again = MountedMirror.start(mp, "mount", "--source", "/=" + fileUrl(tree))) {
            assertEquals("spaces\n", Files.readString(again.root().resolve("name with spaces.txt")));
        }
    }
}
