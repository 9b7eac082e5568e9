package io.mirrorfs.vfs.archive;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The decompressed content of a compressed file (or of one compressed zip entry) as
 * {@link RandomAccessBytes}. A read goes to the {@link DecodeWindow} that reaches it with the
 * least decoding: one already holding it, one whose decoder is a short way before it, or a new
 * one started at the nearest checkpoint before it, whichever decodes less. So a member read
 * sequentially is decoded once by one decoder, also when FUSE delivers its requests out of
 * order, and several readers (or one reading two places) each keep their own. At most
 * {@link #MAX_WINDOWS} per view, and the pool bounds them over all views. Thread-safe.
 */
final class DecodedView implements RandomAccessBytes {

    /** Windows kept per view: several files of one archive read at once, or one read in two places. */
    static final int MAX_WINDOWS = 4;

    private final DecodedCursor.Factory factory;
    private final long size;
    private final ForwardDecoders pool;
    private final List<DecodeWindow> windows = new ArrayList<>(); // guarded by itself, least recently used first
    private boolean closed; // guarded by windows
    private final Object opening = new Object();

    /** Creates a view of {@code size} decompressed bytes served by {@code factory}, its decoders from {@code pool}. */
    DecodedView(DecodedCursor.Factory factory, long size, ForwardDecoders pool) {
        this.factory = factory;
        this.size = size;
        this.pool = pool;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset >= size) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), size - offset);
        if (want == 0) {
            return 0;
        }
        for (int attempt = 0; ; attempt++) {
            DecodeWindow w = choose(offset);
            int n;
            try {
                n = w.read(offset, dst, want);
            } catch (IOException | RuntimeException e) {
                drop(w); // its decoder failed midway: never reuse it
                throw e;
            }
            if (n >= 0) {
                return n;
            }
            if (n == -1) {
                throw new EOFException("decompressed data ends before " + offset + ", expected " + size);
            }
            // closed by the pool, or moved past the offset by another reader: take another
            if (w.isClosed()) {
                drop(w);
            }
            if (attempt > 100) {
                throw new IOException("no decoder could keep the data at " + offset + " (too many readers at once)");
            }
        }
    }

    /** Closes the windows; later reads open new ones. */
    void close() {
        List<DecodeWindow> toClose;
        synchronized (windows) {
            closed = true;
            toClose = new ArrayList<>(windows);
            windows.clear();
        }
        toClose.forEach(DecodeWindow::close);
    }

    /** Returns the windows of this view; for tests. */
    int windowCount() {
        synchronized (windows) {
            return windows.size();
        }
    }

    /**
     * Returns the window to read {@code offset} through. Serialised, so that the requests FUSE
     * sends at once around a new position (a random read and the kernel's read-ahead after it)
     * find the window the first of them opened instead of each opening its own.
     */
    private DecodeWindow choose(long offset) throws IOException {
        synchronized (opening) {
            return chooseOrOpen(offset);
        }
    }

    private DecodeWindow chooseOrOpen(long offset) throws IOException {
        long fresh = offset - factory.startFor(offset);
        synchronized (windows) {
            DecodeWindow best = null;
            long bestDistance = Long.MAX_VALUE;
            for (DecodeWindow w : windows) {
                long d = w.distance(offset);
                if (d < bestDistance) {
                    best = w;
                    bestDistance = d;
                }
            }
            if (best != null && bestDistance <= fresh) {
                windows.remove(best);
                windows.add(best);
                return best;
            }
        }
        DecodeWindow w = pool.open(factory, offset, size);
        DecodeWindow evicted = null;
        synchronized (windows) {
            if (closed) {
                w.close();
                throw new java.nio.channels.ClosedChannelException();
            } else {
                windows.add(w);
                if (windows.size() > MAX_WINDOWS) {
                    evicted = windows.remove(0);
                }
            }
        }
        if (evicted != null) {
            evicted.close();
        }
        return w;
    }

    private void drop(DecodeWindow w) {
        synchronized (windows) {
            windows.remove(w);
        }
        w.close();
    }
}
