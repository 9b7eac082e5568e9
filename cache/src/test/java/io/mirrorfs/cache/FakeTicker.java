package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to: as a ticker (nanoseconds from 0) and as a wall clock
 * (from 2026-01-01), so one fake dates both in-memory and persisted metadata. Thread-safe.
 */
final class FakeTicker implements Ticker, java.time.InstantSource {

    private static final java.time.Instant START = java.time.Instant.parse("2026-01-01T00:00:00Z");

    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
        return nanos.get();
    }

    @Override
    public java.time.Instant instant() {
        return START.plusNanos(nanos.get());
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}
