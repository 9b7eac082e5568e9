package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** A real pass-through {@link Vfs} that counts the bytes and read calls served, like a server's access log. */
final class CountingVfs implements Vfs {

    private final Vfs inner;
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong reads = new AtomicLong();

    CountingVfs(Vfs inner) {
        this.inner = inner;
    }

    void reset() {
        bytes.set(0);
        reads.set(0);
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        return inner.stat(path);
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        return inner.list(dir);
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        return inner.readlink(path);
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        VfsFile f = inner.open(path);
        return new VfsFile() {
            @Override
            public FileAttrs attrs() {
                return f.attrs();
            }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                int n = f.read(offset, dst);
                reads.incrementAndGet();
                if (n > 0) {
                    bytes.addAndGet(n);
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                f.close();
            }
        };
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
