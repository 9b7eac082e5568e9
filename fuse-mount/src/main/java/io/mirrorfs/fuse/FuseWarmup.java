package io.mirrorfs.fuse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.System.Logger.Level;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings libfuse's worker threads past jffi's attach threshold before the first real request.
 *
 * <p>Why: libfuse 2 calls back on native threads it creates itself. jffi (under jnr-ffi) attaches
 * such a thread to the JVM for each callback and detaches it afterwards, until that thread has
 * attached {@code THREAD_ATTACH_THRESHOLD} (1000) times; only then does it stay attached (jffi
 * {@code ClosureMagazine.c}, {@code closure_begin}). Each attach/detach creates and retires a
 * {@code java.lang.Thread}, which measured here as most of the cost of a fresh mount's first
 * thousands of requests: a cold {@code find} over 10,000 HTTP-listed files spent about 2.6 s in
 * its first 1,000 files and 0.05 s per 1,000 after. Rounds of {@code statfs} calls (which the
 * kernel never caches and {@link MirrorFs#statfs} answers without touching a source) from several
 * threads at once make libfuse start its workers and push each past the threshold, so users'
 * first reads and lookups run at steady-state speed.
 *
 * <p>Then, when the mirror shows its synthetic warm-up tree ({@code StatsFileVfs.serveWarmupTree}),
 * it walks that tree through the kernel like {@code find}, so the lookup and listing code is
 * compiled (JIT) before the first user request rather than during it.
 */
final class FuseWarmup {

    private static final System.Logger LOG = System.getLogger(FuseWarmup.class.getName());

    /**
     * Parallel callers. libfuse starts a worker whenever all are busy and retires one whenever
     * more than 10 are idle, so the callers must stay well below 10: with 9 (plus the odd kernel
     * request) the pool churned between 11 and 14 workers, fresh threads kept arriving and the
     * rounds rarely settled (measured: 11-35 rounds, 1.1-5.6 s, 1.9-9.5 CPU-s, up to 160,000
     * thread attaches, while the kernel mount was already live). With 6 the pool stays put and
     * the rounds settle in 7-8 (0.62-0.65 s, 1.0-1.1 CPU-s), after which 2,000 random reads
     * attached no thread at all.
     */
    static final int THREADS = 6;
    /** statfs calls per caller and round. */
    static final int CALLS_PER_ROUND = 500;
    /** A round that attaches fewer new JVM threads than this means the workers stay attached. */
    static final int SETTLED_ATTACHES = 50;
    /**
     * At most this many rounds, a bound of the cost (about 0.15 CPU-s per round) should the pool
     * churn anyway; see {@link #THREADS}. Stopping after 3 rounds with 9 callers instead left
     * 1,600-1,900 attaches to the first user requests (random 4 KiB reads right after: median
     * 324-350 us instead of 278-280 us with 6 callers, same run).
     */
    static final int MAX_ROUNDS = 10;

    private FuseWarmup() {
    }

    /**
     * Runs warm-up rounds against {@code mountPoint} until a round no longer makes the JVM attach
     * new threads (every worker is past the threshold), giving up after {@link #MAX_ROUNDS} rounds
     * or {@code limit}; then, given a synthetic {@code tree} inside the mount, walks it (see
     * {@link #walk}) within what is left of {@code limit}. Never throws: a failed warm-up only
     * costs speed.
     */
    static void run(Path mountPoint, Duration limit, Optional<Path> tree) {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        FileStore store;
        try {
            store = Files.getFileStore(mountPoint);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "warm-up skipped: " + e);
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int rounds = 0;
        long attached;
        do {
            long before = threads.getTotalStartedThreadCount();
            if (!round(store, deadline)) {
                break;
            }
            rounds++;
            // Our own THREADS callers count as started threads too.
            attached = threads.getTotalStartedThreadCount() - before - THREADS;
        } while (attached >= SETTLED_ATTACHES && rounds < MAX_ROUNDS && System.nanoTime() < deadline);
        long statfsDone = System.nanoTime();
        long lookups = tree.isPresent() ? walk(tree.get(), deadline) : 0;
        LOG.log(Level.DEBUG, "FUSE warm-up: " + rounds + " statfs rounds in " + (statfsDone - start) / 1_000_000 + " ms, "
                + lookups + " lookups in " + (System.nanoTime() - statfsDone) / 1_000_000 + " ms");
    }

    /**
     * Walks {@code tree} two levels deep as {@code find -printf '%s %T@'} would (a listing per
     * directory, an {@code lstat} per entry, each a FUSE lookup the first time), until done or
     * {@code deadline}. So the first user requests find the daemon's lookup and listing paths
     * already compiled (see {@code StatsFileVfs.serveWarmupTree}). Returns the entries looked up;
     * a failure ends the walk early (logged at DEBUG).
     */
    static long walk(Path tree, long deadline) {
        long lookups = 0;
        try (DirectoryStream<Path> top = Files.newDirectoryStream(tree)) {
            for (Path p : top) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                lookups++;
                if (a.isDirectory()) {
                    try (DirectoryStream<Path> dir = Files.newDirectoryStream(p)) {
                        for (Path q : dir) {
                            Files.readAttributes(q, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                            lookups++;
                        }
                    }
                }
                if (System.nanoTime() >= deadline) {
                    return lookups;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "warm-up walk of " + tree + " ended early: " + e);
        }
        return lookups;
    }

    /** Runs one round of parallel statfs calls; returns false if statfs failed or time ran out. */
    private static boolean round(FileStore store, long deadline) {
        AtomicBoolean failed = new AtomicBoolean();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread caller = new Thread(() -> {
                for (int i = 0; i < CALLS_PER_ROUND && System.nanoTime() < deadline && !failed.get(); i++) {
                    try {
                        store.getTotalSpace(); // one statvfs(2), one FUSE_STATFS
                    } catch (IOException e) {
                        failed.set(true);
                    }
                }
            }, "fuse-warmup-" + t);
            caller.setDaemon(true);
            caller.start();
            callers.add(caller);
        }
        for (Thread caller : callers) {
            try {
                caller.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !failed.get() && System.nanoTime() < deadline;
    }
}
