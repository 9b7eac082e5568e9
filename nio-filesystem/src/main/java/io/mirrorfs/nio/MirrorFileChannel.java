package io.mirrorfs.nio;

import io.mirrorfs.vfs.VfsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only {@link FileChannel} over one open {@link VfsFile}: every read is a ranged read of
 * the version pinned at open, so a file changed upstream fails with
 * {@link io.mirrorfs.vfs.StaleFileException} instead of mixing old and new bytes.
 *
 * <p>Serves both {@code Files.newByteChannel} and {@code FileChannel.open}. Positional reads
 * ({@link #read(ByteBuffer, long)}) run concurrently; reads at the channel position are
 * serialised, as {@link java.nio.channels.SeekableByteChannel} requires. Writes throw
 * {@link NonWritableChannelException}, {@link #map} is unsupported, and locks are shared-only
 * and purely local (nobody can write a mirror, so there is nothing to exclude). Thread-safe.
 */
final class MirrorFileChannel extends FileChannel {

    private static final int TRANSFER_CHUNK = 64 * 1024;

    private final VfsFile file;
    private final Runnable onClose;
    private final Object positionLock = new Object();
    private long position;

    /** Wraps {@code file}; {@code onClose} runs once, after the file is closed. */
    MirrorFileChannel(VfsFile file, Runnable onClose) {
        this.file = file;
        this.onClose = onClose;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        synchronized (positionLock) {
            int n = readAt(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset > dsts.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " for " + dsts.length + " buffers");
        }
        ensureOpen();
        synchronized (positionLock) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int wanted = dsts[i].remaining();
                int n = readAt(dsts[i], position);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                position += n;
                total += n;
                if (n < wanted) {
                    break;
                }
            }
            return total;
        }
    }

    @Override
    public int read(ByteBuffer dst, long at) throws IOException {
        if (at < 0) {
            throw new IllegalArgumentException("negative position " + at);
        }
        ensureOpen();
        return readAt(dst, at);
    }

    private int readAt(ByteBuffer dst, long at) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        boolean completed = false;
        try {
            begin();
            int n = file.read(at, dst);
            completed = true;
            return n;
        } finally {
            end(completed);
        }
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        synchronized (positionLock) {
            return position;
        }
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        ensureOpen();
        synchronized (positionLock) {
            position = newPosition;
        }
        return this;
    }

    /** Returns the size pinned when the file was opened. */
    @Override
    public long size() throws IOException {
        ensureOpen();
        return file.attrs().size();
    }

    @Override
    public long transferTo(long from, long count, WritableByteChannel target) throws IOException {
        if (from < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count: " + from + ", " + count);
        }
        ensureOpen();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(TRANSFER_CHUNK, Math.max(1, count)));
        long done = 0;
        while (done < count) {
            buf.clear().limit((int) Math.min(buf.capacity(), count - done));
            int n = readAt(buf, from + done);
            if (n <= 0) {
                break;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                done += target.write(buf);
            }
        }
        return done;
    }

    /** Always throws {@link NonWritableChannelException} (after the open check). */
    @Override
    public int write(ByteBuffer src) throws IOException {
        throw notWritable();
    }

    /** Always throws {@link NonWritableChannelException} (after the open check). */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw notWritable();
    }

    /** Always throws {@link NonWritableChannelException} (after the open check). */
    @Override
    public int write(ByteBuffer src, long at) throws IOException {
        throw notWritable();
    }

    /** Always throws {@link NonWritableChannelException} (after the open check). */
    @Override
    public FileChannel truncate(long size) throws IOException {
        throw notWritable();
    }

    /** Always throws {@link NonWritableChannelException} (after the open check). */
    @Override
    public long transferFrom(ReadableByteChannel src, long at, long count) throws IOException {
        throw notWritable();
    }

    /** Does nothing: there are no writes to force. */
    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
    }

    /** Always throws {@link UnsupportedOperationException}: mirror files live behind a VFS, not in memory pages. */
    @Override
    public MappedByteBuffer map(MapMode mode, long at, long size) {
        throw new UnsupportedOperationException("a mirror file cannot be memory-mapped; read it instead");
    }

    @Override
    public FileLock lock(long at, long size, boolean shared) throws IOException {
        return tryLock(at, size, shared);
    }

    @Override
    public FileLock tryLock(long at, long size, boolean shared) throws IOException {
        ensureOpen();
        if (!shared) {
            throw new NonWritableChannelException(); // As FileChannel.open(READ) does for an exclusive lock.
        }
        return new SharedLock(this, at, size);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        try {
            file.close();
        } finally {
            onClose.run();
        }
    }

    private NonWritableChannelException notWritable() throws ClosedChannelException {
        ensureOpen();
        return new NonWritableChannelException();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    /** A shared lock that excludes nothing, valid until released or its channel closes. */
    private static final class SharedLock extends FileLock {
        private volatile boolean released;

        SharedLock(FileChannel channel, long position, long size) {
            super(channel, position, size, true);
        }

        @Override
        public boolean isValid() {
            return !released && channel().isOpen();
        }

        @Override
        public void release() throws IOException {
            if (!channel().isOpen()) {
                throw new ClosedChannelException();
            }
            released = true;
        }
    }
}
