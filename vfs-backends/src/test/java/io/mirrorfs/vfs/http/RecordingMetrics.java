package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.SourceMetrics;
import java.util.EnumMap;
import java.util.Map;

/** A {@link SourceMetrics} that counts what a source reports, by request kind and error class. Thread-safe. */
final class RecordingMetrics implements SourceMetrics {

    private final Map<RequestKind, Long> answered = new EnumMap<>(RequestKind.class);
    private final Map<ErrorClass, Long> failed = new EnumMap<>(ErrorClass.class);

    @Override
    public synchronized void answered(RequestKind kind, long nanos) {
        answered.merge(kind, 1L, Long::sum);
    }

    @Override
    public synchronized void failed(RequestKind kind, ErrorClass error) {
        failed.merge(error, 1L, Long::sum);
    }

    @Override
    public void retried(RequestKind kind) {
    }

    /** Returns the answered requests of {@code kind} so far. */
    synchronized long answered(RequestKind kind) {
        return answered.getOrDefault(kind, 0L);
    }

    /** Returns the failed attempts of class {@code error} so far. */
    synchronized long failed(ErrorClass error) {
        return failed.getOrDefault(error, 0L);
    }

    /** Returns all failed attempts so far. */
    synchronized long failures() {
        return failed.values().stream().mapToLong(Long::longValue).sum();
    }
}
