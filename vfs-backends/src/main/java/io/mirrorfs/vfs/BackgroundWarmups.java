package io.mirrorfs.vfs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Warm-ups that opening a source starts on background threads, once per JVM (HTTP's request path
 * and listing parser: code a fresh JVM would otherwise run interpreted for its first few thousand
 * requests). They run beside the mount's start-up and its first requests.
 *
 * <p>Why not wait for them before mounting: tried, and measured on loopback nginx (2 cores, one
 * run): a fresh daemon's first GiB ran at 412-422 MiB/s waiting against 354-402 not waiting,
 * but launch to the ready line went from 3.2-3.5 s (the old HTTP stack, no such warm-up) to
 * 4.8-5.0 s, which every mount pays (the test suite's hundred-odd mounts, a restart loop) while
 * only a big first read gains. Thread-safe.
 */
public final class BackgroundWarmups {

    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

    private BackgroundWarmups() {
    }

    /** Starts {@code work} on a daemon thread named {@code name}, unless one of that name started before. */
    public static void start(String name, Runnable work) {
        if (!STARTED.add(name)) {
            return;
        }
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
    }
}
