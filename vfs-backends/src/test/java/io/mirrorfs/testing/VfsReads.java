package io.mirrorfs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/** Reading whole files through a {@link Vfs} the way the cache does: in order, in fixed-size reads. */
public final class VfsReads {

    private VfsReads() {
    }

    /**
     * Returns the whole of {@code name}, read with {@code chunk}-byte reads from offset 0, pausing
     * {@code pauseNanos} after each (a consumer slower than the transfer); fails if it is short.
     */
    public static byte[] readAll(Vfs source, String name, int chunk, long pauseNanos) throws IOException {
        try (VfsFile f = source.open(VfsPath.parse(name))) {
            byte[] out = new byte[Math.toIntExact(f.attrs().size())];
            long off = 0;
            while (off < out.length) {
                ByteBuffer b = ByteBuffer.wrap(out, (int) off, Math.min(chunk, out.length - (int) off)).slice();
                int n = f.read(off, b);
                if (n < 0) {
                    break;
                }
                off += n;
                if (pauseNanos > 0) {
                    LockSupport.parkNanos(pauseNanos);
                }
            }
            assertEquals(out.length, off);
            return out;
        }
    }
}
