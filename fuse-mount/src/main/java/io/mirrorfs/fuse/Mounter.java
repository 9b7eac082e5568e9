package io.mirrorfs.fuse;

import io.mirrorfs.cache.StatsFileVfs;
import io.mirrorfs.vfs.Vfs;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one mount from start to end: checks the mount point, warms up, mounts through libfuse on a
 * thread of its own, reports readiness when FUSE_INIT arrives, unmounts on SIGINT/SIGTERM/SIGHUP
 * (at any moment of start-up too) and returns the process exit status once the kernel session is
 * over.
 */
final class Mounter {

    private static final System.Logger LOG = System.getLogger(Mounter.class.getName());

    /** Exit status for a mount that failed or was refused. */
    static final int EXIT_FAILED = 1;
    /** The longest the start-up warm-up may take. */
    private static final Duration WARMUP_LIMIT = Duration.ofSeconds(5);

    private final Path mountPoint;
    private final String fuseOptions;
    private final boolean fuseDebug;
    private final long uid;
    private final long gid;
    private final PrintStream out;
    private final StopSignals signals;
    private final SystemdNotify systemd = SystemdNotify.fromEnvironment();

    /**
     * Prepares a mount of {@code mountPoint} and installs the stop-signal handlers at once, so a
     * signal at any later moment of start-up is handled (see {@link #run}).
     */
    Mounter(Path mountPoint, List<String> userOptions, boolean fuseDebug, long uid, long gid, PrintStream out) {
        this.mountPoint = mountPoint.toAbsolutePath().normalize();
        this.fuseOptions = FuseOptions.merge("mirrorfs", userOptions);
        this.fuseDebug = fuseDebug;
        this.uid = uid;
        this.gid = gid;
        this.out = out;
        this.signals = StopSignals.install();
    }

    /** Checks the mount point; call before building sources so a mistake costs nothing. */
    void checkMountPoint() throws IOException {
        MountPoints.check(mountPoint, FuseOptions.has(fuseOptions, "nonempty"));
    }

    /**
     * Refuses a local path the daemon would read or write while mounted (a {@code file://}
     * source, the cache directory) when it lies inside the mount point: every access to it would
     * be a call of the daemon on its own mount, which waits in the kernel for the daemon itself
     * (a deadlock, and a mount point that hangs forever if the daemon is killed then).
     *
     * @throws IllegalArgumentException naming the path and what it is
     */
    void refuseInsideMountPoint(String what, Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (p.startsWith(mountPoint)) {
            throw new IllegalArgumentException(what + " " + path + " is inside the mount point " + mountPoint
                    + ": mirrorfs would have to read its own mount; use a path outside it");
        }
    }

    /**
     * Mounts {@code vfs}, blocks until it is unmounted, closes it and returns the exit status: 0
     * after an unmount, or after a stop signal once the mount was live; 128 + the signal's number
     * when a signal stopped start-up before the mount was live (the mount, if it had appeared
     * meanwhile, removed); {@link #EXIT_FAILED} when mounting failed.
     *
     * <p>No thread of the daemon ever makes a file system call on the mount: the warm-up calls the
     * FUSE callbacks directly before the kernel mount exists ({@link CallbackWarmup}), and the
     * ready line is printed (and, under systemd's {@code Type=notify}, {@code READY=1} sent) when
     * FUSE_INIT arrives: the mount's appearance, the ready line and readiness are one moment. So a daemon killed at any moment, even with
     * SIGKILL, leaves nothing of its own waiting in the kernel: {@code /dev/fuse} closes with the
     * process and {@code auto_unmount} removes the mount.
     *
     * @param readyMessage printed on stdout, as one line, once the kernel mount is live
     */
    int run(Vfs vfs, String readyMessage) throws InterruptedException {
        return run(vfs, readyMessage, FuseMetrics.disabled());
    }

    /** As {@link #run(Vfs, String)}, counting the FUSE callbacks in {@code metrics}. */
    int run(Vfs vfs, String readyMessage, FuseMetrics metrics) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(1);
        AtomicBoolean ended = new AtomicBoolean();
        MirrorFs fs;
        FuseSession fuse;
        try {
            fs = new MirrorFs(vfs, uid, gid, "mirrorfs", new MirrorFs.MountListener() {
                @Override
                public void mounted() {
                    ready.countDown();
                }

                @Override
                public void unmounted() {
                    ended.set(true);
                }
            }, metrics);
            fuse = new FuseSession(fs);
        } catch (LinkageError e) {
            System.err.println("mirrorfs: cannot load libfuse.so.2 (" + e.getMessage()
                    + "); install it with: apt-get install libfuse2 fuse3");
            closeQuietly(vfs);
            return EXIT_FAILED;
        }
        warmUp(fs, vfs);
        if (signals.stopRequested()) {
            return stoppedBeforeMount(vfs);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        MountWatchdog watchdog = MountWatchdog.start(mountPoint);
        Thread session = new Thread(() -> {
            try {
                fuse.run(mountPoint, fuseOptions, fuseDebug); // false: not mounted, libfuse printed why
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ready.countDown();
            }
        }, "fuse-session");
        session.start();
        ready.await(); // FUSE_INIT, or the session ended (mounting failed); a signal meanwhile waits for either
        watchdog.dismiss(); // this process holds /dev/fuse now (or mounting is over): auto_unmount covers its death
        if (!session.isAlive() && !ended.get()) {
            if (signals.stopRequested()) {
                return stoppedBeforeMount(vfs);
            }
            Throwable t = failure.get();
            System.err.println("mirrorfs: mounting " + mountPoint + " failed"
                    + (t == null ? "" : ": " + rootMessage(t)) + " (libfuse's reason, if any, is above)");
            closeQuietly(vfs);
            return EXIT_FAILED;
        }
        boolean stoppedWhileMounting = signals.stopRequested();
        signals.onStop(() -> {
            systemd.stopping();
            unmount(mountPoint);
        }); // at once if a signal came while mounting
        if (!stoppedWhileMounting) {
            out.println(readyMessage);
            out.flush();
            systemd.ready(readyMessage);
        }
        session.join();
        systemd.stopping();
        LOG.log(Level.INFO, "unmounted " + mountPoint);
        closeQuietly(vfs);
        if (stoppedWhileMounting) {
            System.err.println("mirrorfs: stopped by SIG" + signals.received().orElseThrow().getName()
                    + " while mounting; the mount is removed");
            return signals.exitStatus();
        }
        return failure.get() == null ? 0 : EXIT_FAILED;
    }

    /** Ends a start-up that a signal stopped before the kernel mount existed. */
    private int stoppedBeforeMount(Vfs vfs) {
        closeQuietly(vfs);
        System.err.println("mirrorfs: stopped by SIG" + signals.received().orElseThrow().getName() + " before mounting");
        return signals.exitStatus();
    }

    /**
     * Runs {@link CallbackWarmup} on the synthetic tree of {@link StatsFileVfs#serveWarmupTree},
     * before the kernel mount exists, stopping early on a signal. A warm-up that fails only costs
     * speed, so it is logged and the mount goes on.
     */
    private void warmUp(MirrorFs fs, Vfs vfs) {
        if (!(vfs instanceof StatsFileVfs stats)) {
            return;
        }
        long start = System.nanoTime();
        try (Closeable tree = stats.serveWarmupTree()) {
            CallbackWarmup.Done done = CallbackWarmup.run(fs, StatsFileVfs.WARMUP.toString(), start + WARMUP_LIMIT.toNanos(),
                    signals::stopRequested);
            LOG.log(Level.DEBUG, "warm-up before mounting: listed " + done.directories() + " directories, looked up " + done.lookups()
                    + " entries, read " + done.filesRead() + " files (" + done.callbacks() + " FUSE callbacks, no kernel) in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "no warm-up: " + e);
        }
    }

    /**
     * Detaches the mount (lazily, so a busy mount still goes away); libfuse's loop then ends and
     * the session thread returns. Tries fusermount first (the unprivileged way), then umount(8).
     * Both run as processes of their own, never as a call of this process on the mount.
     */
    static void unmount(Path mountPoint) {
        for (String[] cmd : new String[][] {{"fusermount", "-u", "-z", mountPoint.toString()},
                                            {"umount", "-l", mountPoint.toString()}}) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes()).trim();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return;
                }
                LOG.log(Level.DEBUG, String.join(" ", cmd) + " failed: " + output);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, String.join(" ", cmd) + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.log(Level.WARNING, "could not unmount " + mountPoint);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    private static void closeQuietly(Vfs vfs) {
        try {
            vfs.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "closing the sources failed: " + e);
        }
    }
}
