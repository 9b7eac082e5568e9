package io.mirrorfs.testing;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.VfsFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link VfsFile} that forwards every call to a delegate, {@link #readWithin} included (with its
 * reader's end): subclasses override only the reads they record. A subclass that overrides
 * {@link #read} alone does not see reads made through {@link #readWithin}.
 */
public abstract class ForwardingVfsFile implements VfsFile {

    private final VfsFile delegate;

    protected ForwardingVfsFile(VfsFile delegate) {
        this.delegate = delegate;
    }

    /** The handle every call is forwarded to. */
    protected final VfsFile delegate() {
        return delegate;
    }

    @Override
    public FileAttrs attrs() {
        return delegate.attrs();
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return delegate.read(offset, dst);
    }

    @Override
    public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        return delegate.readWithin(offset, dst, readerEnd);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
