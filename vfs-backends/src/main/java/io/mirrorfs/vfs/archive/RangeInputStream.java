package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A sequential, buffered stream over {@link RandomAccessBytes} from a start offset, to the end of
 * the source or to a given end. {@link #skip} moves the position without reading, so skipping a
 * member's data fetches none of it. A stream given an end (a zip member's compressed data) ends
 * there and passes that end with every read ({@link RandomAccessBytes#readWithin}), so the source
 * fetches ahead no further. Not thread-safe: one reader at a time.
 */
final class RangeInputStream extends InputStream {

    private final RandomAccessBytes source;
    private final ByteBuffer buffer;
    private final long end;
    private final boolean bounded;
    private long bufferStart;
    private long position;

    /** Creates a stream reading {@code source} from {@code start} in chunks of {@code bufferSize}. */
    RangeInputStream(RandomAccessBytes source, long start, int bufferSize) {
        this(source, start, bufferSize, source.size(), false);
    }

    /**
     * Creates a stream reading {@code source} from {@code start} up to {@code end} (exclusive) in
     * chunks of {@code bufferSize}, each read passing {@code end} as the reader's end.
     */
    RangeInputStream(RandomAccessBytes source, long start, int bufferSize, long end) {
        this(source, start, bufferSize, Math.min(end, source.size()), true);
    }

    private RangeInputStream(RandomAccessBytes source, long start, int bufferSize, long end, boolean bounded) {
        this.source = source;
        this.buffer = ByteBuffer.allocate(bufferSize).limit(0);
        this.bufferStart = start;
        this.position = start;
        this.end = end;
        this.bounded = bounded;
    }

    /** Returns the offset of the next byte to be read. */
    long position() {
        return position;
    }

    /** Moves to {@code offset}, keeping the buffer when it still covers it. */
    void seek(long offset) {
        position = offset;
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        int b = buffer.get((int) (position - bufferStart)) & 0xff;
        position++;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int inBuffer = (int) (position - bufferStart);
        int n = Math.min(len, buffer.limit() - inBuffer);
        buffer.get(inBuffer, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long step = Math.max(0, Math.min(n, end - position));
        position += step;
        return step;
    }

    @Override
    public int available() {
        long inBuffer = Math.min(bufferStart + buffer.limit(), end) - position;
        return inBuffer > 0 && position >= bufferStart ? (int) inBuffer : 0;
    }

    /** Makes the buffer cover {@code position}; returns false at the end of the source. */
    private boolean fill() throws IOException {
        if (position >= bufferStart && position < bufferStart + buffer.limit()) {
            return true;
        }
        if (position >= end) {
            return false;
        }
        buffer.clear();
        bufferStart = position;
        int n;
        if (bounded) {
            buffer.limit((int) Math.min(buffer.capacity(), end - position));
            n = source.readWithin(position, buffer, end);
        } else {
            n = source.read(position, buffer);
        }
        buffer.flip();
        return n > 0;
    }
}
