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
    }
}
