package io.mirrorfs.cache;

/**
 * Bytes of one cached range, starting at file offset {@code offset}. Holds fewer bytes than the
 * key's nominal length only at the end of the file. Never modified after construction, so
 * readers share one instance without copying or locking.
 *
 * @param offset the file offset of {@code data[0]}
 * @param data   the bytes; owned by the block, never written after construction
 */
record Block(long offset, byte[] data) {

    /** Per-entry bookkeeping bytes added to the weight (key, record, map node), roughly. */
    static final int OVERHEAD = 256;

    /** Returns the number of bytes held. */
    int length() {
        return data.length;
    }

    /** Returns the weight charged against the cache budget. */
    int weight() {
        return data.length + OVERHEAD;
    }

    /** Returns whether file offset {@code position} lies in this block. */
    boolean contains(long position) {
        return position >= offset && position < offset + data.length;
    }
}
