package io.mirrorfs.vfs.archive;

import java.util.function.Supplier;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an {@link ArchiveLayer} did: indexes built by a pass or loaded from disk, bytes
 * decompressed (indexing passes and member reads), and the indexing passes running now with how
 * far they are. Plain counters, read by the cache layer for the stats file and the metrics
 * endpoint. Thread-safe; an update is an adder increment (a pass also adds itself to a set).
 */
public final class ArchiveMetrics {

    private final LongAdder built = new LongAdder();
    private final LongAdder loaded = new LongAdder();
    private final LongAdder decoded = new LongAdder();
    private final Set<IndexProgress> running = ConcurrentHashMap.newKeySet();
    /** The member decoders' own counters (read at scrape time, so a member read counts once). */
    private final Supplier<DecoderStats> members;

    /** Counters with no member decoders behind them (tests, and layers that read no member). */
    public ArchiveMetrics() {
        this(() -> DecoderStats.NONE);
    }

    /** Counters that add what the member decoders of {@code members} did. */
    ArchiveMetrics(Supplier<DecoderStats> members) {
        this.members = members;
    }

    /** Returns how many archive indexes were built by a pass over the archive. */
    public long indexesBuilt() {
        return built.sum();
    }

    /** Returns how many archive indexes were loaded from the index directory instead. */
    public long indexesLoaded() {
        return loaded.sum();
    }

    /** Returns how many bytes were decompressed, by indexing passes and by reads of members. */
    public long bytesDecoded() {
        return decoded.sum() + members.get().decodedBytes();
    }

    /** Returns what the member decoders did: decoders started, bytes decoded, bytes decoded ahead of readers. */
    public DecoderStats memberDecoders() {
        return members.get();
    }

    /** Returns how many indexing passes are running now. */
    public int indexingInProgress() {
        return running.size();
    }

    /**
     * Returns how far the running indexing passes are together, from 0 to 1: compressed bytes
     * read over compressed bytes to read; 0 when none runs.
     */
    public double indexingProgressRatio() {
        long done = 0;
        long total = 0;
        for (IndexProgress p : running) {
            done += p.done();
            total += p.total();
        }
        return total <= 0 ? 0 : Math.min(1, (double) done / total);
    }

    void passStarted(IndexProgress pass) {
        running.add(pass);
    }

    /** Ends {@code pass}; {@code decodedBytes} it decompressed, counted only if it produced an index. */
    void passEnded(IndexProgress pass, boolean indexed, long decodedBytes) {
        running.remove(pass);
        if (indexed) {
            built.increment();
            decoded.add(decodedBytes);
        }
    }

    void indexLoaded() {
        loaded.increment();
    }

    void decoded(long bytes) {
        decoded.add(bytes);
    }
}
