package io.mirrorfs.vfs.archive;

import java.io.Closeable;
import java.io.IOException;

/** A forward-only decoder positioned somewhere in the decompressed data. Not thread-safe. */
interface DecodedCursor extends Closeable {

    /** Returns the decompressed offset of the next byte {@link #read} returns. */
    long position();

    /** Reads up to {@code len} decompressed bytes; -1 at the end of the data. */
    int read(byte[] b, int off, int len) throws IOException;

    /** Opens cursors for one compressed file, as close before a target offset as the format allows. */
    interface Factory {

        /** Returns the decompressed offset from which {@link #open} would start for {@code target}. */
        long startFor(long target) throws IOException;

        /** Returns a new cursor positioned at {@link #startFor startFor(target)}. */
        DecodedCursor open(long target) throws IOException;

        /**
         * Returns the most decoded bytes a read into data of {@code size} bytes may have to
         * decompress before reaching its first byte: the longest stretch between two places where
         * decoding can start. By default about one checkpoint interval, reported as 0.
         */
        default long longestSpan(long size) {
            return 0;
        }

        /** Returns the longest gap between the sorted {@code starts} (the first 0) and {@code size}. */
        static long longestGap(long[] starts, long size) {
            long longest = 0;
            for (int i = 0; i < starts.length; i++) {
                longest = Math.max(longest, (i + 1 < starts.length ? starts[i + 1] : size) - starts[i]);
            }
            return starts.length == 0 ? size : longest;
        }
    }
}
