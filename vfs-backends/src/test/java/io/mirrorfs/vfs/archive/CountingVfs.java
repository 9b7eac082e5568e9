package io.mirrorfs.vfs.archive;

import io.mirrorfs.testing.ForwardingVfs;
import io.mirrorfs.testing.ForwardingVfsFile;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/** A real pass-through {@link Vfs} that counts the bytes and read calls served, like a server's access log. */
final class CountingVfs extends ForwardingVfs {

    final AtomicLong bytes = new AtomicLong();
    final AtomicLong reads = new AtomicLong();

    CountingVfs(Vfs inner) {
        super(inner);
    }

    void reset() {
        bytes.set(0);
        reads.set(0);
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        return new ForwardingVfsFile(super.open(path)) {
            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                return counted(super.read(offset, dst));
            }

            @Override
            public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
                return counted(super.readWithin(offset, dst, readerEnd));
            }
        };
    }

    private int counted(int n) {
        reads.incrementAndGet();
        if (n > 0) {
            bytes.addAndGet(n);
        }
        return n;
    }
}
