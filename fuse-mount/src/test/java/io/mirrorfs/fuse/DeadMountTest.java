package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dead mounts left by a daemon killed while libfuse's helper was mounting (issue 21): the
 * {@link MountWatchdog} removes them, and a new {@code mirrorfs mount} on such a mount point
 * removes one of mirrorfs's own. The dead mount is made the way the helper leaves it:
 * {@code fusermount} is run with its control socket's peer already closed, so it mounts, fails to
 * hand the descriptor over and exits (SIGPIPE, or EPIPE where SIGPIPE is ignored) with the
 * mount in place. Needs root and
 * /dev/fuse, as every kernel mount of the suite does.
 */
class DeadMountTest {

    private Path dir;

    @BeforeEach
    void mountPoint() throws IOException {
        dir = Files.createTempDirectory("mirrorfs-dead-");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String[] cmd : new String[][] {{"fusermount", "-u", "-z", dir.toString()}, {"umount", "-l", dir.toString()}}) {
            while (MountPoints.isMounted(dir) && run(cmd) == 0) {
                // a tmpfs below a dead mount, say: detach until nothing is left
            }
        }
        Files.deleteIfExists(dir);
    }

    @Test
    void theHelpersFailureLeavesADeadMount() throws Exception {
        leaveDeadMount("mirrorfs");
        assertTrue(MountPoints.isMounted(dir), "fusermount left its mount");
        assertFalse(Files.exists(dir), "and nobody answers it (ENOTCONN)");
    }

    @Test
    void anAbandonedWatchdogRemovesADeadMountThatAppearsAfterTheDaemonDied() throws Exception {
        MountWatchdog watchdog = MountWatchdog.start(dir);
        watchdog.abandon(); // the daemon is killed ...
        Thread.sleep(300);
        leaveDeadMount("mirrorfs"); // ... and the helper, still running, mounts afterwards
        assertGoneWithin(3, "the watchdog detaches the dead mount");
        assertTrue(waitForExit(watchdog, 2), "and exits");
    }

    @Test
    void anAbandonedWatchdogLeavesALiveMountAlone() throws Exception {
        MountWatchdog watchdog = MountWatchdog.start(dir);
        assertEquals(0, run("mount", "-t", "tmpfs", "-o", "size=1m", "mirrorfs-test", dir.toString()));
        watchdog.abandon();
        Thread.sleep(1000);
        assertTrue(MountPoints.isMounted(dir) && Files.isDirectory(dir), "a live mount (a new daemon's, say) is not touched");
        assertTrue(watchdog.isAlive(), "the watchdog is still watching");
        assertEquals(0, run("umount", dir.toString()));
        leaveDeadMount("mirrorfs");
        assertGoneWithin(3, "a dead mount appearing later is still removed");
    }

    @Test
    void aDismissedWatchdogExitsAndTouchesNothing() throws Exception {
        MountWatchdog watchdog = MountWatchdog.start(dir);
        watchdog.dismiss();
        assertTrue(waitForExit(watchdog, 2), "a dismissed watchdog exits at once");
        leaveDeadMount("mirrorfs");
        Thread.sleep(500);
        assertTrue(MountPoints.isMounted(dir), "nothing removes the mount once the daemon said it holds /dev/fuse");
    }

    @Test
    void mountingOverADeadMirrorfsMountRemovesIt() throws Exception {
        leaveDeadMount("mirrorfs");
        MountPoints.check(dir, false);
        assertFalse(MountPoints.isMounted(dir), "the dead mirrorfs mount is gone, the mount point usable");
        assertTrue(Files.isDirectory(dir));
    }

    @Test
    void aDeadMountOfAnotherFileSystemIsNamedAndLeftAlone() throws Exception {
        leaveDeadMount("otherfs");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MountPoints.check(dir, false));
        assertEquals("mount point " + dir + " is a dead fuse.otherfs mount (Transport endpoint is not connected); unmount it with: fusermount -u "
                + dir, e.getMessage());
        assertTrue(MountPoints.isMounted(dir), "not ours: not touched");
    }

    /** Runs fusermount with a control socket whose peer is closed, as after the daemon's death. */
    private void leaveDeadMount(String subtype) throws Exception {
        String python = "import os, socket, sys\n"
                + "ours, peer = socket.socketpair()\n"
                + "peer.close()\n"
                + "os.set_inheritable(ours.fileno(), True)\n"
                + "os.environ['_FUSE_COMMFD'] = str(ours.fileno())\n"
                + "os.execvp('fusermount', ['fusermount', '-o', 'ro,fsname=mirrorfs,subtype=' + sys.argv[2], '--', sys.argv[1]])\n";
        int status = run("python3", "-c", python, dir.toString(), subtype);
        // Killed by SIGPIPE (141), or exit 1 where SIGPIPE is ignored (EPIPE): the mount stays either way.
        assertTrue(status == 128 + 13 || status == 1, "fusermount fails to hand the descriptor over, status " + status);
        assertTrue(MountPoints.isMounted(dir), "fusermount mounted before it failed");
    }

    private void assertGoneWithin(int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (MountPoints.isMounted(dir)) {
            assertTrue(System.nanoTime() < deadline, what + " within " + seconds + " s");
            Thread.sleep(20);
        }
        assertTrue(Files.isDirectory(dir), what + ": the mount point is usable again");
    }

    private static boolean waitForExit(MountWatchdog watchdog, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (watchdog.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return !watchdog.isAlive();
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
