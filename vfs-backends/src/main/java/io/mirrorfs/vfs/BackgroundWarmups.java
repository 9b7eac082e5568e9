package io.mirrorfs.vfs;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Warm-ups that opening a source starts on background threads, once per JVM (HTTP's request path
 * and listing parser: code a fresh JVM would otherwise run interpreted for its first few thousand
 * requests), and that a mount waits for before it appears.
 *
 * <p>Why wait: measured on loopback nginx, the HTTP warm-up still ran for seconds after the mount
 * was live and took CPU from the user's first read on a 2-core machine (a fresh daemon's first
 * GiB: 314-380 MiB/s against 418-422 for the old HTTP stack, which had no warm-up). Waiting for
 * it behind the start-up warm-up makes the ready line mean "ready at full speed" (#20). A library
 * user (java.nio) does not wait: the threads simply run. Thread-safe.
 */
public final class BackgroundWarmups {

    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
    private static final List<Thread> THREADS = new CopyOnWriteArrayList<>();

    private BackgroundWarmups() {
    }

    /** Starts {@code work} on a daemon thread named {@code name}, unless one of that name started before. */
    public static void start(String name, Runnable work) {
        if (!STARTED.add(name)) {
            return;
        }
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        THREADS.add(t);
        t.start();
    }

    /**
     * Waits until every warm-up started so far has finished, until {@code deadlineNanos} (of
     * {@link System#nanoTime}) or until {@code stop} is true, checked every 50 ms.
     *
     * @return whether all had finished
     */
    public static boolean await(long deadlineNanos, BooleanSupplier stop) throws InterruptedException {
        for (Thread t : THREADS) {
            while (t.isAlive()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || stop.getAsBoolean()) {
                    return false;
                }
                t.join(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
        return true;
    }
}
