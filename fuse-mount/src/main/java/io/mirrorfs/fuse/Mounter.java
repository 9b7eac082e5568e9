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
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * Runs one mount from start to end: checks the mount point, mounts through libfuse on a thread
 * of its own, reports readiness when FUSE_INIT arrives, unmounts on SIGINT/SIGTERM, and returns
 * the process exit status once the kernel session is over.
 */
final class Mounter {

    private static final System.Logger LOG = System.getLogger(Mounter.class.getName());

    /** Exit status for a mount that failed or was refused. */
    static final int EXIT_FAILED = 1;

    private final Path mountPoint;
    private final String fuseOptions;
    private final boolean fuseDebug;
    private final long uid;
    private final long gid;
    private final PrintStream out;

    Mounter(Path mountPoint, List<String> userOptions, boolean fuseDebug, long uid, long gid, PrintStream out) {
        this.mountPoint = mountPoint.toAbsolutePath().normalize();
        this.fuseOptions = FuseOptions.merge("mirrorfs", userOptions);
        this.fuseDebug = fuseDebug;
        this.uid = uid;
        this.gid = gid;
        this.out = out;
    }

    /** Checks the mount point; call before building sources so a mistake costs nothing. */
    void checkMountPoint() throws IOException {
        MountPoints.check(mountPoint, FuseOptions.has(fuseOptions, "nonempty"));
    }

    /**
     * Mounts {@code vfs}, blocks until it is unmounted, closes it and returns the exit status.
     *
     * @param readyMessage printed on stdout, as one line, once the kernel mount is live
     */
    int run(Vfs vfs, String readyMessage) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(1);
        AtomicBoolean ended = new AtomicBoolean();
        MirrorFs fs;
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
            });
        } catch (LinkageError e) {
            System.err.println("mirrorfs: cannot load libfuse.so.2 (" + e.getMessage()
                    + "); install it with: apt-get install libfuse2 fuse3");
            closeQuietly(vfs);
            return EXIT_FAILED;
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread session = new Thread(() -> {
            try {
                fs.mount(mountPoint, true, fuseDebug, new String[] {"-o", fuseOptions});
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                ready.countDown();
            }
        }, "fuse-session");
        session.start();
        ready.await();
        if (!session.isAlive() && !ended.get()) {
            Throwable t = failure.get();
            System.err.println("mirrorfs: mounting " + mountPoint + " failed"
                    + (t == null ? "" : ": " + rootMessage(t)) + " (libfuse's reason, if any, is above)");
            closeQuietly(vfs);
            return EXIT_FAILED;
        }
        installSignalHandlers();
        warmUp(vfs);
        out.println(readyMessage);
        out.flush();
        session.join();
        LOG.log(Level.INFO, "unmounted " + mountPoint);
        closeQuietly(vfs);
        return failure.get() == null ? 0 : EXIT_FAILED;
    }

    /**
     * Runs {@link FuseWarmup} through the kernel, with the synthetic tree of
     * {@link StatsFileVfs#serveWarmupTree} shown while it runs. A warm-up that fails only costs
     * speed, so it is logged and the mount goes on.
     */
    private void warmUp(Vfs vfs) {
        Closeable tree = null;
        if (vfs instanceof StatsFileVfs stats) {
            try {
                tree = stats.serveWarmupTree();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, "no warm-up tree: " + e);
            }
        }
        try {
            FuseWarmup.run(mountPoint, Duration.ofSeconds(10),
                    tree == null ? Optional.empty() : Optional.of(mountPoint.resolve(StatsFileVfs.WARMUP.toString().substring(1))));
        } finally {
            if (tree != null) {
                try {
                    tree.close();
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.DEBUG, "closing the warm-up tree: " + e);
                }
            }
        }
    }

    private void installSignalHandlers() {
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    LOG.log(Level.INFO, "SIG" + sig.getName() + " received, unmounting " + mountPoint);
                    unmount(mountPoint);
                });
            } catch (IllegalArgumentException e) {
                LOG.log(Level.DEBUG, "cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
    }

    /**
     * Detaches the mount (lazily, so a busy mount still goes away); libfuse's loop then ends and
     * the session thread returns. Tries fusermount first (the unprivileged way), then umount(8).
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
