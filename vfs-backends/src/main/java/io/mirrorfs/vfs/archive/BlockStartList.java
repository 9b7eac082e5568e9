package io.mirrorfs.vfs.archive;

import java.util.ArrayList;
import java.util.List;

/**
 * The block starts an indexing pass keeps: one at the first block boundary after every
 * {@code interval} decompressed bytes. Each is taken from the shared {@link CheckpointMemory};
 * when one does not fit, every other one is dropped and the interval doubles, as for gzip
 * checkpoints, so memory stays bounded for any file size. The first entry is always the start of
 * the file (which costs nothing). Not thread-safe.
 */
final class BlockStartList {

    private final CheckpointMemory.Account memory;
    private final List<BlockStart> starts = new ArrayList<>();
    private long interval;
    private long lastRecorded;

    /** Creates a list holding the file start, recording every {@code interval} bytes with memory from {@code memory}. */
    BlockStartList(long interval, CheckpointMemory.Account memory) {
        this.interval = interval;
        this.memory = memory;
        starts.add(BlockStart.fileStart());
    }

    /** Returns whether a block starting at decompressed offset {@code decoded} is due to be recorded. */
    boolean due(long decoded) {
        return decoded - lastRecorded >= interval;
    }

    /**
     * Records {@code start}, thinning the earlier ones when memory is short; returns false (the
     * interval then starts over) when there is no memory for even this one.
     */
    boolean add(BlockStart start) {
        lastRecorded = start.decodedOffset();
        if (start.weight() > memory.cap()) {
            return false;
        }
        while (!memory.tryTake(start.weight())) {
            if (starts.size() < 2) {
                return false;
            }
            List<BlockStart> kept = new ArrayList<>();
            for (int i = 0; i < starts.size(); i += 2) {
                kept.add(starts.get(i));
            }
            memory.give((starts.size() - kept.size()) * BlockStart.WEIGHT);
            starts.clear();
            starts.addAll(kept);
            interval *= 2;
        }
        starts.add(start);
        return true;
    }

    /** Removes the most recent entry (it failed verification); never the file start. */
    void dropLast() {
        if (starts.size() > 1) {
            memory.give(starts.remove(starts.size() - 1).weight());
            lastRecorded = starts.get(starts.size() - 1).decodedOffset();
        }
    }

    /** Keeps only the file start: random access is given up for this file. */
    void clear() {
        List<BlockStart> dropped = starts.subList(1, starts.size());
        memory.give(dropped.size() * BlockStart.WEIGHT);
        dropped.clear();
    }

    /** Gives the entries recorded since the last stream end (the open stream's) that stream's end. */
    void endStream(long end, long next) {
        for (int i = starts.size() - 1; i >= 1 && starts.get(i).streamEnd() == Long.MAX_VALUE; i--) {
            starts.set(i, starts.get(i).inStream(end, next));
        }
    }

    /** Returns how many entries there are. */
    int size() {
        return starts.size();
    }

    /** Returns a copy of the entries. */
    List<BlockStart> toList() {
        return List.copyOf(starts);
    }
}
