package io.mirrorfs.vfs.archive;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Logs how an indexing pass advances: bytes done, rate and estimated time left, at most once per
 * {@code every} nanoseconds, and a summary at the end when the pass took long enough to notice.
 * One pass updates it; {@link #done} may be read from any thread.
 */
final class IndexProgress {

    private static final System.Logger LOG = System.getLogger(ArchiveLayer.class.getName());

    private final String what;
    private final long total;
    private final long everyNanos;
    private final long started = System.nanoTime();
    private long lastLog = started;
    private volatile long done;

    /** Starts tracking a pass over {@code total} compressed bytes of {@code what}. */
    IndexProgress(String what, long total, long everyNanos) {
        this.what = what;
        this.total = total;
        this.everyNanos = everyNanos;
    }

    /** Reports that {@code done} compressed bytes have been read. */
    void update(long done) {
        this.done = done;
        long now = System.nanoTime();
        if (now - lastLog < everyNanos) {
            return;
        }
        lastLog = now;
        double seconds = (now - started) / 1e9;
        double rate = done / Math.max(seconds, 1e-3);
        double eta = rate > 0 ? (total - done) / rate : 0;
        LOG.log(Level.INFO, String.format(Locale.ROOT, "indexing %s: %s of %s (%.0f%%), %s/s, about %.0f s left",
                what, mib(done), mib(total), 100.0 * done / Math.max(total, 1), mib((long) rate), eta));
    }

    /** Returns the compressed bytes read so far (from any thread). */
    long done() {
        return done;
    }

    /** Returns the compressed bytes to read. */
    long total() {
        return total;
    }

    /** Logs the summary when the pass took longer than one progress interval. */
    void finished(int entries, int checkpoints) {
        long took = System.nanoTime() - started;
        Level level = took >= everyNanos ? Level.INFO : Level.DEBUG;
        LOG.log(level, String.format(Locale.ROOT, "indexed %s: %d entries, %d checkpoints, %s in %.1f s",
                what, entries, checkpoints, mib(total), took / 1e9));
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
