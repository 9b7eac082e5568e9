package io.mirrorfs.testing;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@link Vfs} that forwards every call to a delegate, for tests that put a recording or
 * counting layer in front of a real source: subclasses override only what they record (wrapping
 * opened files in a {@link ForwardingVfsFile}, counting {@link #close}, ...), or use
 * {@link #wrappingFiles} when only the files record.
 */
public abstract class ForwardingVfs implements Vfs {

    private final Vfs delegate;

    protected ForwardingVfs(Vfs delegate) {
        this.delegate = delegate;
    }

    /**
     * Returns {@code delegate} with every file it opens passed through {@code wrap} (typically a
     * {@link ForwardingVfsFile} that records its reads); everything else is forwarded.
     */
    public static Vfs wrappingFiles(Vfs delegate, UnaryOperator<VfsFile> wrap) {
        return new ForwardingVfs(delegate) {
            @Override
            public VfsFile open(VfsPath path) throws IOException {
                return wrap.apply(super.open(path));
            }
        };
    }

    /** The source every call is forwarded to. */
    protected final Vfs delegate() {
        return delegate;
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        return delegate.stat(path);
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        return delegate.list(dir);
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        return delegate.readlink(path);
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        return delegate.open(path);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
