package io.mirrorfs.it.wan;

import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket: {@link #acquire} takes bytes and sleeps the caller for as long as the bucket
 * runs behind, so the bytes passing through average at most {@code rate} per second, with bursts
 * of at most {@code burst} bytes. Thread-safe (one bucket is shared by all connections for the
 * total cap); the sleep happens outside the lock.
 */
final class TokenBucket {

    private final double bytesPerNano;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    TokenBucket(long bytesPerSecond) {
        this.bytesPerNano = bytesPerSecond / 1e9;
        // Two milliseconds of traffic, at least 64 KiB: small enough that a 50 MiB/s cap shows
        // within a few ms, large enough that one socket read of a fast stream never waits twice.
        this.burst = Math.max(64 << 10, bytesPerSecond / 500.0);
        this.tokens = burst;
    }

    /** Takes {@code n} bytes, sleeping until the bucket has paid for them. */
    void acquire(int n) {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) * bytesPerNano) - n;
            last = now;
            wait = tokens >= 0 ? 0 : (long) (-tokens / bytesPerNano);
        }
        sleepUntil(System.nanoTime() + wait);
    }

    /** Sleeps until {@code deadline} of {@link System#nanoTime}; parkNanos may return early. */
    static void sleepUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
