package io.mirrorfs.fuse;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Removes the dead mount that libfuse's mount helper leaves behind when the daemon is killed
 * while the helper is mounting (issue 21).
 *
 * <p>libfuse 2 mounts with {@code auto_unmount} by running {@code fusermount}, which mounts, sends
 * the {@code /dev/fuse} descriptor to the daemon over a socket and then waits to unmount when the
 * daemon dies. If the daemon dies (SIGKILL) after the helper started but before it sent the
 * descriptor, the send fails with EPIPE: fusermount3 3.14 (Debian 12) dies of SIGPIPE with the
 * mount in place and nobody left to unmount it, so the mount point answers "Transport endpoint is
 * not connected" until someone runs {@code fusermount -u}. Reproduced without mirrorfs by running
 * {@code fusermount3} with {@code _FUSE_COMMFD} set to a socket whose peer is closed (exit by
 * signal 13, mount left). libfuse fixed it upstream in 3.18 (a lazy unmount when the send fails);
 * Debian 12 does not have that, and KillAnyMomentTest hit the window once in 50 kills.
 *
 * <p>So, just before the kernel mount starts, the daemon starts this watchdog: a shell whose
 * standard input is a pipe from the daemon. Once the daemon has the descriptor (FUSE_INIT
 * arrived, or mounting ended either way) it {@link #dismiss dismisses} the watchdog; from then on
 * {@code auto_unmount} covers its death. If instead the pipe closes without a word, the daemon
 * died during the mount: for up to {@link #WATCH_SECONDS} s the watchdog looks for a dead FUSE
 * mount (ENOTCONN) on the mount point and detaches it. It never touches a live mount, so a new
 * daemon that mounted meanwhile is safe. The watchdog ignores SIGINT, SIGTERM and SIGHUP (a Ctrl-C
 * in the terminal reaches the whole process group; the daemon handles those itself and dismisses
 * it). It is a shell and not a second JVM: it costs about 1 MiB and no start-up time.
 */
final class MountWatchdog {

    private static final System.Logger LOG = System.getLogger(MountWatchdog.class.getName());
    /** How long after the daemon's death a helper still mounting may take to leave its mount. */
    static final int WATCH_SECONDS = 10;

    /** The mount point is passed in the environment, so no quoting of the path can go wrong. */
    private static final String SCRIPT = """
            trap '' INT TERM HUP PIPE
            IFS= read -r word && exit 0
            i=0
            while [ "$i" -lt %d ]; do
              if ! [ -e "$MIRRORFS_MOUNT_POINT" ] \\
                 && LC_ALL=C stat -- "$MIRRORFS_MOUNT_POINT" 2>&1 | grep -q 'not connected'; then
                fusermount -u -z -- "$MIRRORFS_MOUNT_POINT" 2>/dev/null || umount -l -- "$MIRRORFS_MOUNT_POINT"
                echo "mirrorfs: removed the dead mount at $MIRRORFS_MOUNT_POINT left by a daemon killed while mounting" >&2
                exit 0
              fi
              sleep 0.05
              i=$((i + 1))
            done
            """.formatted(WATCH_SECONDS * 20);

    private final Process process;

    private MountWatchdog(Process process) {
        this.process = process;
    }

    /**
     * Starts a watchdog for {@code mountPoint}; if no shell can be started, logs why and returns
     * one that does nothing (the mount still works, only this rare window stays uncovered).
     */
    static MountWatchdog start(Path mountPoint) {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", SCRIPT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("MIRRORFS_MOUNT_POINT", mountPoint.toString());
        try {
            return new MountWatchdog(pb.start());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "no mount watchdog (" + e.getMessage() + "): a daemon killed while mounting may leave a dead mount");
            return new MountWatchdog(null);
        }
    }

    /** Tells the watchdog the daemon has the mount (or mounting ended): it exits at once. */
    void dismiss() {
        send("done\n");
    }

    /** Closes the pipe without a word, as the daemon's death does. For tests. */
    void abandon() {
        send("");
    }

    /** Returns whether the watchdog process is still running. */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    private void send(String word) {
        if (process == null) {
            return;
        }
        try (OutputStream in = process.getOutputStream()) {
            in.write(word.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "mount watchdog already gone: " + e.getMessage());
        }
    }
}
