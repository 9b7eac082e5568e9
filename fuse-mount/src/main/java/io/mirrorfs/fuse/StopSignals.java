package io.mirrorfs.fuse;

import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * SIGINT, SIGTERM and SIGHUP for the whole life of a mount, from the moment the command starts:
 * the first one is remembered, wakes whoever waits for it, and runs the stop action registered
 * by then (unmounting, once the mount is live).
 *
 * <p>Why from the start: without handlers of our own, a signal during start-up takes the JVM's
 * default path (shutdown hooks, exit status 128+N) while libfuse may be in the middle of mounting,
 * and nothing is left to unmount what appears a moment later. With them, every moment of
 * start-up is handled by {@link Mounter}: before the kernel mount, start-up stops; during it, the
 * mount is removed as soon as it exists; after it, the mount is removed and the daemon exits 0.
 * Thread-safe.
 */
final class StopSignals {

    private static final System.Logger LOG = System.getLogger(StopSignals.class.getName());
    private static final String[] NAMES = {"INT", "TERM", "HUP"};

    private final CountDownLatch stopped = new CountDownLatch(1);
    private Signal first; // guarded by this
    private Runnable action; // guarded by this

    private StopSignals() {
    }

    /** Installs the handlers and returns the object that sees their signals. */
    static StopSignals install() {
        StopSignals s = new StopSignals();
        for (String name : NAMES) {
            try {
                Signal.handle(new Signal(name), s::received);
            } catch (IllegalArgumentException e) {
                LOG.log(Level.DEBUG, "cannot handle SIG" + name + ": " + e.getMessage());
            }
        }
        return s;
    }

    private void received(Signal sig) {
        Runnable run;
        synchronized (this) {
            if (first == null) {
                first = sig;
            }
            run = action;
        }
        LOG.log(Level.INFO, "SIG" + sig.getName() + " received, stopping");
        stopped.countDown();
        if (run != null) {
            run.run();
        }
    }

    /** Returns the first signal received, if any. */
    synchronized Optional<Signal> received() {
        return Optional.ofNullable(first);
    }

    /** Returns whether a stop signal has arrived. */
    boolean stopRequested() {
        return stopped.getCount() == 0;
    }

    /** Waits up to {@code millis} for a stop signal; returns whether one arrived. */
    boolean await(long millis) throws InterruptedException {
        return stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Runs {@code stop} on every later signal, and at once (on this thread) if one has already
     * arrived: so a signal that came between a check and this call is not lost.
     */
    void onStop(Runnable stop) {
        boolean now;
        synchronized (this) {
            action = stop;
            now = first != null;
        }
        if (now) {
            stop.run();
        }
    }

    /** Returns the conventional exit status of a process ended by the first signal: 128 + its number. */
    int exitStatus() {
        return received().map(s -> 128 + s.getNumber()).orElse(0);
    }
}
