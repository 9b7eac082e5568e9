package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only {@link SeekableByteChannel} over {@link RandomAccessBytes}, for commons-compress's
 * {@code ZipFile}, {@code SevenZFile} and {@code TarFile}. Small reads (central directory records
 * of a few dozen bytes) are served from one read-ahead window, so parsing a directory costs a few
 * ranged reads instead of one per record. Synchronized: the libraries position and read in two
 * steps under a lock on the channel.
 */
final class RangeChannel implements SeekableByteChannel {

    private final RandomAccessBytes source;
    private final ByteBuffer window;
    private long windowStart = -1;
    private long position;
    private boolean open = true;

    /** Creates a channel over {@code source} with a read-ahead window of {@code windowSize} bytes. */
    RangeChannel(RandomAccessBytes source, int windowSize) {
        this.source = source;
        this.window = ByteBuffer.allocate(windowSize).limit(0);
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (position >= source.size()) {
            return -1;
        }
        if (dst.remaining() >= window.capacity()) {
            int n = source.read(position, dst); // large reads go straight through
            if (n > 0) {
                position += n;
            }
            return n;
        }
        if (windowStart < 0 || position < windowStart || position >= windowStart + window.limit()) {
            window.clear();
            windowStart = position;
            if (source.read(position, window) < 0) {
                window.limit(0);
                return -1;
            }
            window.flip();
        }
        int from = (int) (position - windowStart);
        int n = Math.min(dst.remaining(), window.limit() - from);
        dst.put(window.slice(from, n));
        position += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return source.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() {
        open = false; // the underlying file belongs to the archive, which closes it
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
