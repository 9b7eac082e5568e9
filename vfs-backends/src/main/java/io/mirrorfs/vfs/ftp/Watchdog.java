package io.mirrorfs.vfs.ftp;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes an FTP connection whose exchange outlives a deadline. Socket timeouts bound only
 * silence: a server trickling its control replies (one byte a second) kept a login or a
 * {@code LIST} waiting for many minutes, and commons-net gives no access to the sockets of its
 * control replies or listing data to bound the rate. Closing the connection from this timer
 * makes the blocked read fail at once. One daemon thread serves every source. Thread-safe.
 */
final class Watchdog {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mirrorfs-ftp-watchdog");
        t.setDaemon(true);
        return t;
    });

    private Watchdog() {
    }

    /** A running deadline; {@link #close} disarms it. */
    static final class Armed implements AutoCloseable {
        private final AtomicBoolean fired = new AtomicBoolean();
        private volatile ScheduledFuture<?> future;

        /** Returns whether the deadline passed and the connection was closed. */
        boolean fired() {
            return fired.get();
        }

        @Override
        public void close() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /** Runs {@code abort} (which must not block) if not disarmed within {@code deadline}. */
    static Armed arm(Runnable abort, Duration deadline) {
        Armed a = new Armed();
        a.future = TIMER.schedule(() -> {
            a.fired.set(true);
            abort.run();
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        return a;
    }
}
