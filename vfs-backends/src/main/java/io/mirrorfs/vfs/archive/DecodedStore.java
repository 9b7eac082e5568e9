package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.util.Optional;

/**
 * Persistent, size-bounded storage where the archive layer keeps decoded copies of compressed
 * archives that have too few places to resume decoding (see {@link ArchiveLayer}). The disk tier
 * of {@code --cache-dir} implements it: entries are checksummed, evicted least recently used
 * first, and survive restarts. A damaged entry reads as absent. Implementations are thread-safe.
 */
public interface DecodedStore {

    /** Returns the payload stored under {@code key}, or empty when absent or damaged. */
    Optional<byte[]> read(String key);

    /** Returns whether an entry is stored under {@code key} (without reading it). */
    boolean contains(String key);

    /** Stores {@code payload} under {@code key}, evicting older entries to stay within {@link #capacity}. */
    void write(String key, byte[] payload) throws IOException;

    /** Returns the most bytes the store holds, all entries together. */
    long capacity();

    /** Returns where the copies are kept, for the log line that tells an administrator what a copy costs. */
    default String description() {
        return "the disk cache";
    }
}
