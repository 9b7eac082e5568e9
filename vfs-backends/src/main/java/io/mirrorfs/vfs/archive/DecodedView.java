package io.mirrorfs.vfs.archive;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The decompressed content of a compressed file as {@link RandomAccessBytes}. A read starts from
 * the nearest checkpoint before it, or continues an idle cursor left where an earlier read
 * stopped, so reading a member sequentially decompresses it once. A few idle cursors are kept
 * (FUSE reads several files, and one file out of order): at most four per view, eight in all,
 * since each holds a decoder's dictionary. Thread-safe: a cursor serves one read at a time.
 */
final class DecodedView implements RandomAccessBytes {

    private static final int MAX_IDLE = 4;
    /**
     * Idle cursors over all views. A decoder holds its dictionary (xz: 8 MiB at the default
     * preset, 64 MiB with -9; zstd: its window), so idle ones are bounded for the whole process,
     * not only per archive.
     */
    static final int MAX_IDLE_TOTAL = 8;
    private static final AtomicInteger IDLE_TOTAL = new AtomicInteger();
    private static final int CHUNK = 64 * 1024;

    private final DecodedCursor.Factory factory;
    private final long size;
    private final List<DecodedCursor> idle = new ArrayList<>();
    private boolean closed;
    private final java.util.function.LongConsumer decoded;

    /** Creates a view of {@code size} decompressed bytes served by {@code factory}. */
    DecodedView(DecodedCursor.Factory factory, long size) {
        this(factory, size, n -> { });
    }

    /** As the other constructor, telling {@code decoded} how many bytes each read decompressed (skipped ones too). */
    DecodedView(DecodedCursor.Factory factory, long size, java.util.function.LongConsumer decoded) {
        this.factory = factory;
        this.size = size;
        this.decoded = decoded;
    }

    /** Returns the idle cursors over all views; for tests. */
    static int idleTotal() {
        return IDLE_TOTAL.get();
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
        DecodedCursor cursor = take(offset);
        long from = cursor.position();
        boolean healthy = false;
        try {
            skipTo(cursor, offset);
            byte[] chunk = new byte[Math.min(want, CHUNK)];
            int done = 0;
            while (done < want) {
                int n = cursor.read(chunk, 0, Math.min(chunk.length, want - done));
                if (n < 0) {
                    throw new EOFException("decompressed data ends at " + cursor.position() + ", expected " + size);
                }
                dst.put(chunk, 0, n);
                done += n;
            }
            healthy = true;
            return done;
        } finally {
            decoded.accept(cursor.position() - from);
            if (healthy) {
                giveBack(cursor);
            } else {
                cursor.close();
            }
        }
    }

    /** Closes the idle cursors; later reads open new ones. */
    void close() throws IOException {
        List<DecodedCursor> toClose;
        synchronized (idle) {
            closed = true;
            toClose = new ArrayList<>(idle);
            IDLE_TOTAL.addAndGet(-idle.size());
            idle.clear();
        }
        for (DecodedCursor c : toClose) {
            c.close();
        }
    }

    private DecodedCursor take(long offset) throws IOException {
        long start = factory.startFor(offset);
        synchronized (idle) {
            DecodedCursor best = null;
            for (DecodedCursor c : idle) {
                long p = c.position();
                if (p <= offset && p >= start && (best == null || p > best.position())) {
                    best = c;
                }
            }
            if (best != null) {
                idle.remove(best);
                IDLE_TOTAL.decrementAndGet();
                return best;
            }
        }
        return factory.open(offset);
    }

    private void giveBack(DecodedCursor cursor) throws IOException {
        DecodedCursor evicted = null;
        synchronized (idle) {
            if (closed) {
                evicted = cursor;
            } else if (idle.size() >= MAX_IDLE) {
                Iterator<DecodedCursor> oldest = idle.iterator();
                evicted = oldest.next();
                oldest.remove();
                idle.add(cursor);
            } else if (IDLE_TOTAL.incrementAndGet() > MAX_IDLE_TOTAL) {
                IDLE_TOTAL.decrementAndGet();
                evicted = cursor; // other archives' idle decoders fill the process's share
            } else {
                idle.add(cursor);
            }
        }
        if (evicted != null) {
            evicted.close();
        }
    }

    private static void skipTo(DecodedCursor cursor, long offset) throws IOException {
        byte[] scratch = null;
        while (cursor.position() < offset) {
            if (scratch == null) {
                scratch = new byte[CHUNK];
            }
            int n = cursor.read(scratch, 0, (int) Math.min(scratch.length, offset - cursor.position()));
            if (n < 0) {
                throw new EOFException("decompressed data ends at " + cursor.position() + " before " + offset);
            }
        }
    }
}
