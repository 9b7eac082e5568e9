package io.mirrorfs.cache;

/**
 * Tells sequential from random reading on one open handle.
 *
 * <p>A read is "near" when it starts within {@code tolerance} bytes of where the previous one
 * ended (FUSE issues a sequential reader's 128 KiB requests in parallel and slightly out of
 * order, so exact adjacency is too strict); the first read counts as near when it starts at 0.
 * The result is the run of consecutive near reads: 0 means random, 1 or more sequential.
 * Thread-safe; the state is tiny and guarded by this object.
 */
final class AccessPattern {

    private final long tolerance;
    private long nextExpected;
    private int streak;

    AccessPattern(long tolerance) {
        this.tolerance = tolerance;
    }

    /** Takes the next read at {@code offset} for the continuation of a sequential run (a reader's advice). */
    synchronized void expect(long offset) {
        nextExpected = offset;
        streak = Math.max(streak, 1);
    }

    /** Records a read of {@code length} bytes at {@code offset}; returns the run of near reads it extends (0: random). */
    synchronized int record(long offset, int length) {
        boolean near = Math.abs(offset - nextExpected) <= tolerance && (streak > 0 || offset == nextExpected);
        streak = near ? Math.min(streak + 1, 1_000_000) : 0;
        nextExpected = offset + length;
        return streak;
    }
}
