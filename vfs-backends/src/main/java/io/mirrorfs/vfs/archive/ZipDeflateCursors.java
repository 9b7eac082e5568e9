package io.mirrorfs.vfs.archive;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.util.TreeMap;

/**
 * Cursors over one deflated zip entry that learn where decoding can resume. Zip has no index pass
 * (its directory says where entries start, not where their deflate blocks do), so every decoder
 * over the entry records a {@link Checkpoint} ({@code zran.c}: bit position plus the 32 KiB
 * history, by the system zlib with {@code Z_BLOCK}) at the first block boundary after every
 * {@code interval} of output beyond the checkpoints known so far. Once a reader has passed over a
 * part of the entry, a read anywhere in that part decodes at most about one interval before its
 * data, whatever the ratio; the first read beyond what was passed decodes from the last checkpoint
 * up to it, recording as it goes.
 *
 * <p>Checkpoint memory comes from the layer's {@link CheckpointMemory} while it is free (never by
 * closing other archives: a decoder asks on a reader's or read-ahead thread) and is given back by
 * {@link #close}, when the archive closes. A checkpoint that does not fit is skipped, so the
 * interval there is longer. Thread-safe; each cursor is single-threaded.
 */
final class ZipDeflateCursors implements DecodedCursor.Factory, Closeable {

    private static final int IN_SIZE = 64 * 1024;

    private final RandomAccessBytes raw;
    private final long dataOffset;
    private final long dataEnd;
    private final long interval;
    private final CheckpointMemory memory;
    private final TreeMap<Long, Checkpoint> known = new TreeMap<>(); // by decoded offset; guarded by this
    private long held; // guarded by this
    private boolean closed; // guarded by this

    /** Creates cursors over the raw deflate data {@code [dataOffset, dataEnd)} of {@code raw}. */
    ZipDeflateCursors(RandomAccessBytes raw, long dataOffset, long dataEnd, long interval, CheckpointMemory memory) {
        this.raw = raw;
        this.dataOffset = dataOffset;
        this.dataEnd = dataEnd;
        this.interval = interval;
        this.memory = memory;
        known.put(0L, new Checkpoint(dataOffset, 0, 0, new byte[0], false));
    }

    @Override
    public synchronized long startFor(long target) {
        return known.floorKey(target);
    }

    @Override
    public DecodedCursor open(long target) throws IOException {
        Checkpoint from;
        synchronized (this) {
            from = known.floorEntry(target).getValue();
        }
        return new Cursor(from);
    }

    /** Returns the checkpoints known now, the start included; for tests. */
    synchronized int checkpointCount() {
        return known.size();
    }

    /** Gives back the checkpoints' memory; cursors open now still work, recording nothing more. */
    @Override
    public void close() {
        long bytes;
        synchronized (this) {
            closed = true;
            bytes = held;
            held = 0;
            known.tailMap(0L, false).clear(); // the start costs nothing
        }
        memory.give(bytes);
    }

    /** Returns whether a checkpoint at {@code decoded} would be at least an interval from the known ones on both sides. */
    private synchronized boolean wanted(long decoded) {
        if (closed) {
            return false;
        }
        Long below = known.floorKey(decoded);
        Long above = known.ceilingKey(decoded);
        return (below == null || decoded - below >= interval) && (above == null || above - decoded >= interval);
    }

    private void learn(Checkpoint c) {
        if (!memory.tryTakeFree(c.weight())) {
            return; // memory is spent: this interval goes without
        }
        synchronized (this) {
            if (!closed && known.putIfAbsent(c.decodedOffset(), c) == null) {
                held += c.weight();
                return;
            }
        }
        memory.give(c.weight());
    }

    /** One raw inflater resumed at a checkpoint, recording new ones as it passes them. */
    private final class Cursor implements DecodedCursor {
        private final RangeInputStream source;
        private final NativeInflater inflater;
        private final byte[] in = new byte[IN_SIZE];
        private final byte[] ring = new byte[Checkpoint.WINDOW];
        private long position;
        private long lastCompressed;
        private long lastDecoded;
        private boolean finished;

        Cursor(Checkpoint c) throws IOException {
            source = new RangeInputStream(raw, c.resumeOffset(), IN_SIZE, dataEnd);
            inflater = new NativeInflater(NativeInflater.RAW, IN_SIZE, 256 * 1024);
            byte[] window = c.resume(inflater, source, c.decodedOffset() > 0);
            position = c.decodedOffset() - window.length;
            remember(window, 0, window.length); // the history of the next checkpoint may reach back into it
            position = c.decodedOffset();
            lastDecoded = position;
            lastCompressed = c.compressedOffset();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (!finished) {
                if (inflater.availableIn() == 0) {
                    int n = source.read(in, 0, in.length);
                    if (n <= 0) {
                        throw new EOFException("zip entry data truncated at compressed offset " + source.position());
                    }
                    inflater.setInput(in, 0, n);
                }
                // Z_BLOCK: inflate stops at each deflate block's end, where a checkpoint can be taken.
                int n = inflater.inflate(NativeInflater.Z_BLOCK, b, off, len);
                remember(b, off, n);
                position += n;
                if (inflater.lastResult() == NativeInflater.Z_STREAM_END) {
                    finished = true;
                } else if (atBoundary() && position - lastDecoded >= interval) {
                    checkpoint();
                }
                if (n > 0) {
                    return n;
                }
            }
            return -1;
        }

        @Override
        public void close() {
            inflater.close();
        }

        private boolean atBoundary() {
            int type = inflater.dataType();
            return (type & 128) != 0 && (type & 64) == 0;
        }

        private void checkpoint() {
            long consumed = source.position() - inflater.availableIn();
            long decodedSince = position - lastDecoded;
            long consumedSince = consumed - lastCompressed;
            lastDecoded = position;
            lastCompressed = consumed;
            if (!wanted(position)) {
                return;
            }
            int length = (int) Math.min(position, Checkpoint.WINDOW);
            byte[] window = new byte[length];
            int startAt = (int) ((position - length) % Checkpoint.WINDOW);
            int first = Math.min(length, Checkpoint.WINDOW - startAt);
            System.arraycopy(ring, startAt, window, 0, first);
            System.arraycopy(ring, 0, window, first, length - first);
            // As GzipIndexer: history of data that hardly compressed is kept raw.
            boolean compressible = consumedSince * 10 < decodedSince * 9;
            learn(Checkpoint.of(consumed, inflater.dataType() & 7, position, window, length, compressible));
        }

        private void remember(byte[] b, int off, int n) {
            int from = off + Math.max(0, n - Checkpoint.WINDOW);
            int count = Math.min(n, Checkpoint.WINDOW);
            long pos = position + (n - count);
            for (int i = 0; i < count; ) {
                int at = (int) ((pos + i) % Checkpoint.WINDOW);
                int run = Math.min(count - i, Checkpoint.WINDOW - at);
                System.arraycopy(b, from + i, ring, at, run);
                i += run;
            }
        }
    }

    /** Returns the known checkpoints' decoded offsets; for tests. */
    synchronized long[] offsets() {
        return known.keySet().stream().mapToLong(Long::longValue).toArray();
    }
}
