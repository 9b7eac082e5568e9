package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input on the command line: one clear line on stderr, a non-zero exit, no mount left. */
class CliErrorTest {

    @TempDir
    Path tmp;

    /** Runs the jar and returns exit status and stderr. */
    private Shell.Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(MountedMirror.javaCommand());
        cmd.add(args[0]);
        cmd.addAll(MountedMirror.withCacheChoice(args[0], java.util.Arrays.copyOfRange(args, 1, args.length)));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Shell.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private void assertOneLineError(Shell.Result r, String expectedFragment, Path mountPoint) throws Exception {
        assertNotEquals(0, r.exitCode(), r.stderr());
        String err = r.stderr().strip();
        assertTrue(err.contains(expectedFragment), "stderr was: " + err);
        assertEquals(1, err.lines().count(), "expected one line, got: " + err);
        assertFalse(MountedMirror.isMounted(mountPoint));
    }

    @Test
    void missingMountPoint() throws Exception {
        Path mp = tmp.resolve("nope");
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri()), "does not exist", mp);
    }

    @Test
    void mountPointIsAFile() throws Exception {
        Path mp = Files.writeString(tmp.resolve("file"), "x");
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri()), "is not a directory", mp);
    }

    @Test
    void nonEmptyMountPoint() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(mp.resolve("x"), "x");
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri()), "is not empty", mp);
    }

    @Test
    void alreadyMountedMountPoint() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        try (MountedMirror m = MountedMirror.start("--source", "/=" + src.toUri())) {
            Shell.Result r = run("mount", m.root().toString(), "--source", "/=" + src.toUri());
            assertNotEquals(0, r.exitCode());
            assertTrue(r.stderr().contains("already mounted"), r.stderr());
            assertTrue(m.isMounted(), "the first mount must survive");
        }
    }

    /** A local path the daemon would read while mounted must not lie on its own mount (issue 21). */
    @Test
    void sourceOrCacheDirectoryInsideTheMountPoint() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("self"));
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + mp.resolve("sub").toUri()),
                "is inside the mount point", mp);
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri(), "--cache-dir", mp.resolve("cache").toString()),
                "cache directory " + mp.resolve("cache") + " is inside the mount point", mp);
        assertFalse(Files.exists(mp.resolve("cache")), "nothing created inside the mount point");
    }

    /** One daemon per disk-tier directory (#15): the second is refused in one line; the lock goes with the first. */
    @Test
    void aSecondDaemonOnTheSameCacheDirectoryIsRefused() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path cache = tmp.resolve("cache");
        Path mp = Files.createDirectories(tmp.resolve("second"));
        try (MountedMirror m = MountedMirror.start("--source", "/=" + src.toUri(), "--cache-dir", cache.toString())) {
            assertOneLineError(run("mount", mp.toString(), "--source", "/=" + src.toUri(), "--cache-dir", cache.toString()),
                    "cache directory " + cache + " is in use by another mirrorfs (pid " + m.pid() + ")", mp);
        }
        try (MountedMirror again = MountedMirror.start(mp, "mount", "--source", "/=" + src.toUri(), "--cache-dir", cache.toString())) {
            assertTrue(again.isMounted(), "the lock went with the first daemon");
        }
    }

    /** Without --cache-dir a mount keeps its disk tier under /var/cache/mirrorfs/ID (root), ID from the set of sources (#15). */
    @Test
    void theDefaultDiskTierIsPerSetOfSourcesAndLocked() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("default-src"));
        Path mp = Files.createDirectories(tmp.resolve("default-second"));
        Path dir = null;
        try (MountedMirror m = MountedMirror.start("--source", "/=" + src.toUri(), MountedMirror.DEFAULT_CACHE_DIR)) {
            java.util.regex.Matcher match = java.util.regex.Pattern.compile("; disk tier (/var/cache/mirrorfs/[0-9a-f]{16})$").matcher(m.out().strip());
            assertTrue(match.find(), m.out());
            dir = Path.of(match.group(1));
            assertTrue(Files.isDirectory(dir.resolve("v2")), dir.toString());
            assertOneLineError(run("mount", mp.toString(), "--source", "/=" + src.toUri(), MountedMirror.DEFAULT_CACHE_DIR),
                    "cache directory " + dir + " is in use by another mirrorfs", mp);
            Path other = Files.createDirectories(tmp.resolve("other-src"));
            try (MountedMirror second = MountedMirror.start(mp, "mount", "--source", "/=" + other.toUri(), MountedMirror.DEFAULT_CACHE_DIR)) {
                assertFalse(second.out().contains(dir.toString()), "another set of sources, another directory: " + second.out());
                deleteDefaultDir(second.out());
            }
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    @Test
    void noCacheDirConflictsWithCacheDirectoryOptions() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("conflict"));
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri(), "--no-cache-dir", "--cache-dir", tmp.resolve("c").toString()),
                "--no-cache-dir and --cache-dir", mp);
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri(), "--no-cache-dir", "--disk-cache-size", "1G"),
                "--disk-cache-size", mp);
    }

    private static void deleteDefaultDir(String readyLine) throws IOException {
        java.util.regex.Matcher match = java.util.regex.Pattern.compile("; disk tier (/var/cache/mirrorfs/[0-9a-f]{16})").matcher(readyLine);
        if (match.find()) {
            deleteTree(Path.of(match.group(1)));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void unknownScheme() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("mp1"));
        assertOneLineError(run("mount", mp.toString(), "--source", "/=gopher://host/"), "unknown URL scheme 'gopher'", mp);
    }

    @Test
    void malformedSource() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("mp2"));
        assertOneLineError(run("mount", mp.toString(), "--source", "no-equals-sign"), "expected /PATH=URL", mp);
        assertOneLineError(run("mount", mp.toString(), "--source", "/a/../b=" + tmp.toUri()), "bad mirror path", mp);
        assertOneLineError(run("mount", mp.toString(), "--source", "/=http://bad host/"), "malformed URL", mp);
    }

    @Test
    void missingLocalDirectory() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("mp3"));
        assertOneLineError(run("mount", mp.toString(), "--source", "/=file:///does/not/exist"), "does not exist", mp);
    }

    @Test
    void writableMountRefused() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("mp4"));
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri(), "-o", "rw"), "read-only", mp);
    }

    @Test
    void checkpointMemoryBeyondHalfTheCacheRefused() throws Exception {
        Path mp = Files.createDirectories(tmp.resolve("mp5"));
        assertOneLineError(run("mount", mp.toString(), "--source", "/=" + tmp.toUri(), "--cache-size", "64M", "--archive-index-memory", "40M"),
                "--archive-index-memory 40M must be at most half of --cache-size 64M (32M)", mp);
    }

    @Test
    void helpDocumentsEveryOption() throws Exception {
        Shell.Result r = run("mount", "--help");
        assertEquals(0, r.exitCode());
        for (String opt : new String[] {"--source", "-o", "--uid", "--gid", "--connect-timeout", "--read-timeout", "--retries",
                "--max-connections", "--credentials-file", "--verbose"}) {
            assertTrue(r.stdout().contains(opt), "help lacks " + opt);
        }
    }
}
