package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.VfsFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Bytes that can be read at any offset: an archive file, or the decompressed view of one.
 * Implementations are safe for concurrent reads.
 */
interface RandomAccessBytes {

    /** Returns the length in bytes. */
    long size();

    /**
     * Reads up to {@code dst.remaining()} bytes at {@code offset}; fewer only at the end, -1 at or
     * past the end.
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Reads as {@link #read(long, ByteBuffer)}, for a reader that reads nothing at or past
     * {@code readerEnd}: see {@link VfsFile#readWithin}. Bytes that map to no range of the file
     * below (decompressed data) ignore the hint, as this default does.
     */
    default int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        return read(offset, dst);
    }

    /** Passes {@link VfsFile#adviseSequential} on to the file below, if any; this default ignores it. */
    default void adviseSequential(long offset) {
    }

    /** Fills {@code dst} from {@code offset}, failing with {@link EOFException} if the data ends first. */
    default void readFully(long offset, ByteBuffer dst) throws IOException {
        readFullyWithin(offset, dst, Long.MAX_VALUE);
    }

    /** Fills {@code dst} from {@code offset} as {@link #readFully}, with the hint of {@link #readWithin}. */
    default void readFullyWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = readerEnd == Long.MAX_VALUE ? read(pos, dst) : readWithin(pos, dst, readerEnd);
            if (n < 0) {
                throw new EOFException("unexpected end of data at offset " + pos + " of " + size());
            }
            pos += n;
        }
    }

    /** Returns an adapter reading {@code file}. */
    static RandomAccessBytes of(VfsFile file) {
        return new RandomAccessBytes() {
            @Override
            public long size() {
                return file.attrs().size();
            }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                return file.read(offset, dst);
            }

            @Override
            public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
                return file.readWithin(offset, dst, readerEnd);
            }

            @Override
            public void adviseSequential(long offset) {
                file.adviseSequential(offset);
            }
        };
    }
}
