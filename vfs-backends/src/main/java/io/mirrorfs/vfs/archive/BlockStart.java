package io.mirrorfs.vfs.archive;

/**
 * A place where decoding can start without any earlier state: a bzip2 block (blocks are
 * independent; bzip2's block magic 0x314159265359 may sit at any bit) or a zstd frame. Unlike a
 * gzip {@link Checkpoint} it needs no history window, so it weighs a few dozen bytes. Immutable.
 *
 * @param compressedBit bit offset in the compressed file where the block or frame starts (a
 *                      multiple of 8 for zstd)
 * @param decodedOffset decompressed offset of the block's first byte
 * @param streamEnd     for bzip2: the decompressed offset where this block's stream ends, up to
 *                      which a decoder resumed here may read (the stream's combined CRC only
 *                      matches when decoded from its start); {@code Long.MAX_VALUE} for zstd
 * @param nextStream    for bzip2: the byte offset of the next stream, or -1 after the last
 */
record BlockStart(long compressedBit, long decodedOffset, long streamEnd, long nextStream) {

    /** Approximate heap bytes of one block start, for the checkpoint budget. */
    static final long WEIGHT = 48;

    /** Validates the offsets. */
    BlockStart {
        if (compressedBit < 0 || decodedOffset < 0 || streamEnd < decodedOffset || nextStream < -1) {
            throw new IllegalArgumentException("bad block start " + compressedBit + "/" + decodedOffset + "/"
                    + streamEnd + "/" + nextStream);
        }
    }

    /** Returns the start of the file, from which a plain decoder reads everything. */
    static BlockStart fileStart() {
        return new BlockStart(0, 0, Long.MAX_VALUE, -1);
    }

    /** Returns the heap bytes counted for this entry: {@link #WEIGHT}, or 0 for the file start every index has. */
    long weight() {
        return isFileStart() ? 0 : WEIGHT;
    }

    /** Returns whether this is the start of the file. */
    boolean isFileStart() {
        return compressedBit == 0 && decodedOffset == 0;
    }

    /** Returns this block start with its stream's end now known. */
    BlockStart inStream(long end, long next) {
        return new BlockStart(compressedBit, decodedOffset, end, next);
    }

    /**
     * Returns an immutable copy of {@code starts} (sorted by decoded offset) after checking that
     * the first is the start of the file, where any decoding can begin.
     *
     * @param unit what a start marks, for the message ("block", "frame")
     */
    static java.util.List<BlockStart> fromFileStart(java.util.List<BlockStart> starts, String unit) {
        java.util.List<BlockStart> copy = java.util.List.copyOf(starts);
        if (copy.isEmpty() || !copy.get(0).isFileStart()) {
            throw new IllegalArgumentException("the first " + unit + " start must be the start of the file");
        }
        return copy;
    }

    /** Returns the block start in {@code starts} (sorted, the first at offset 0) nearest before {@code target}. */
    static BlockStart floor(java.util.List<BlockStart> starts, long target) {
        int lo = 0;
        int hi = starts.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts.get(mid).decodedOffset() <= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return starts.get(lo);
    }
}
