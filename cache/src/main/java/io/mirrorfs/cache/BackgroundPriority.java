package io.mirrorfs.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import jnr.ffi.LibraryLoader;

/**
 * Lowers the calling thread to the lowest scheduling priority (nice 19), for work that must stay
 * off the readers' path: the disk tier's write-behind.
 *
 * <p>Why: on a 2-core machine a cold random read passes through four threads in turn (the
 * reader, the FUSE worker, nginx, the FUSE worker again), and each hand-off waits for a free
 * core. A write-behind thread creating one file per fetched piece (ext4 inode allocation is most
 * of its cost) took that core at equal priority: with the disk tier, 2,000 cold random 4 KiB
 * reads had a median 1.5-1.7x that of {@code --no-cache-dir} on a warm daemon. At nice 19 the
 * scheduler preempts the writer whenever a reader's thread wakes, and the writer still gets the
 * idle time between reads. Java has no per-thread priority on Linux (Thread.setPriority is
 * ignored unless the JVM runs with -XX:ThreadPriorityPolicy=1, and then maps to nice 4 at the
 * lowest), so this calls setpriority(2) through jnr-ffi, which the archive layer already uses;
 * on Linux setpriority with a thread id affects that thread only. Where either is unavailable the
 * thread keeps its priority: only speed depends on it.
 */
final class BackgroundPriority {

    private static final int PRIO_PROCESS = 0;
    private static final int LOWEST = 19;

    /** The one libc call used. */
    public interface LibC {
        int setpriority(int which, int who, int prio);
    }

    private static final class Holder {
        static final Optional<LibC> LIBC = load();

        private static Optional<LibC> load() {
            try {
                return Optional.of(LibraryLoader.create(LibC.class).failImmediately().load("c"));
            } catch (LinkageError | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private BackgroundPriority() {
    }

    /** Lowers the calling thread to nice 19; returns whether it could. */
    static boolean lowerCurrentThread() {
        Optional<Integer> tid = currentThreadId();
        if (tid.isEmpty() || Holder.LIBC.isEmpty()) {
            return false;
        }
        return Holder.LIBC.get().setpriority(PRIO_PROCESS, tid.get(), LOWEST) == 0;
    }

    /** The kernel's id of the calling thread, from {@code /proc/thread-self} ("PID/task/TID"). */
    static Optional<Integer> currentThreadId() {
        try {
            return Optional.of(Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString()));
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
