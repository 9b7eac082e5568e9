package io.mirrorfs.vfs.archive;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decompresses a gzip file (one or several members) for the indexing pass and records a
 * {@link Checkpoint} at the first deflate block boundary after every {@code interval} bytes of
 * output, as zlib's {@code zran.c} does. Each checkpoint is taken from the shared
 * {@link CheckpointMemory}; when it does not fit, every other one is dropped and the interval
 * doubles, so memory stays bounded for any file size at the price of a longer resume. Not
 * thread-safe.
 */
final class GzipIndexer extends BulkInputStream {

    private static final int IN_SIZE = 64 * 1024;
    private static final int OUT_SIZE = 256 * 1024;

    private final RangeInputStream source;
    private final NativeInflater inflater;
    private final byte[] in = new byte[IN_SIZE];
    private final byte[] ring = new byte[Checkpoint.WINDOW];
    private final byte[] out = new byte[OUT_SIZE];
    private int outPos;
    private int outLen;
    private final CheckpointMemory.Account memory;
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private long interval;
    private long decoded;
    private long lastCheckpoint;
    private long lastCheckpointIn;
    private int inLength;
    private boolean finished;

    /** Starts decompressing {@code source} (positioned at the start of the gzip file), taking checkpoint memory from {@code memory}. */
    GzipIndexer(RangeInputStream source, long interval, CheckpointMemory.Account memory) throws IOException {
        this.source = source;
        this.interval = interval;
        this.memory = memory;
        this.inflater = new NativeInflater(NativeInflater.GZIP, IN_SIZE, OUT_SIZE);
        checkpoints.add(Checkpoint.start());
    }

    /** Returns the checkpoints recorded so far, the first being the start of the file. */
    List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    /** Returns the decompressed bytes produced so far. */
    long decodedSize() {
        return decoded;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (outPos == outLen && !inflateMore()) {
            return -1;
        }
        int n = Math.min(len, outLen - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    /** Passes over up to {@code n} decompressed bytes without copying them; -1 at the end. */
    int discard(int n) throws IOException {
        if (n == 0) {
            return 0;
        }
        if (outPos == outLen && !inflateMore()) {
            return -1;
        }
        int k = Math.min(n, outLen - outPos);
        outPos += k;
        return k;
    }

    /**
     * Inflates the next piece into the output buffer; false at the end. Readers (tar skipping a
     * member reads 2 KiB at a time) are served from the buffer, so each native call produces up
     * to a whole buffer or deflate block rather than one small read.
     */
    private boolean inflateMore() throws IOException {
        while (!finished) {
            if (inflater.availableIn() == 0 && !refill()) {
                throw new EOFException("truncated gzip data after " + source.position() + " compressed bytes");
            }
            int n = inflater.inflate(NativeInflater.Z_BLOCK, out, 0, out.length);
            remember(out, 0, n);
            if (inflater.lastResult() == NativeInflater.Z_STREAM_END) {
                nextMember();
            } else if (atBoundary() && decoded - lastCheckpoint >= interval) {
                addCheckpoint();
            }
            if (n > 0) {
                outPos = 0;
                outLen = n;
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        inflater.close();
    }

    private boolean refill() throws IOException {
        int n = source.read(in, 0, in.length);
        if (n <= 0) {
            return false;
        }
        inLength = n;
        inflater.setInput(in, 0, n);
        return true;
    }

    /** After a member's trailer: another member follows, or the file ends (trailing zeros allowed). */
    private void nextMember() throws IOException {
        if (inflater.availableIn() == 0 && !refill()) {
            finished = true;
            return;
        }
        int next = in[inLength - inflater.availableIn()] & 0xff;
        if (next != 0x1f) {
            finished = true; // not another member: gzip(1) too ignores trailing garbage after a warning
            return;
        }
        inflater.reset(NativeInflater.GZIP);
    }

    private boolean atBoundary() {
        int type = inflater.dataType();
        return (type & 128) != 0 && (type & 64) == 0;
    }

    private void addCheckpoint() {
        long consumed = source.position() - inflater.availableIn();
        int bits = inflater.dataType() & 7;
        int length = (int) Math.min(decoded, Checkpoint.WINDOW);
        byte[] window = new byte[length];
        int start = (int) ((decoded - length) % Checkpoint.WINDOW);
        int first = Math.min(length, Checkpoint.WINDOW - start);
        System.arraycopy(ring, start, window, 0, first);
        System.arraycopy(ring, 0, window, first, length - first);
        // Where the last interval hardly compressed (random or already compressed data), its
        // history would not either: keep it raw rather than spend a deflate pass on it.
        boolean compressible = (consumed - lastCheckpointIn) * 10 < (decoded - lastCheckpoint) * 9;
        Checkpoint c = Checkpoint.of(consumed, bits, decoded, window, length, compressible);
        lastCheckpointIn = consumed;
        lastCheckpoint = decoded;
        if (c.weight() > memory.cap()) {
            return; // would not fit even alone: keep the ones there are
        }
        while (!memory.tryTake(c.weight())) {
            if (checkpoints.size() < 2) {
                return; // no memory even for one: this interval goes without
            }
            thin();
        }
        checkpoints.add(c);
    }

    /** Drops every other checkpoint (never the start), giving back their memory, and doubles the interval. */
    private void thin() {
        List<Checkpoint> kept = new ArrayList<>();
        long dropped = 0;
        for (int i = 0; i < checkpoints.size(); i++) {
            if (i % 2 == 0) {
                kept.add(checkpoints.get(i));
            } else {
                dropped += checkpoints.get(i).weight();
            }
        }
        checkpoints.clear();
        checkpoints.addAll(kept);
        memory.give(dropped);
        interval *= 2;
    }

    private void remember(byte[] b, int off, int n) {
        int from = off + Math.max(0, n - Checkpoint.WINDOW);
        int count = Math.min(n, Checkpoint.WINDOW);
        long pos = decoded + (n - count);
        for (int i = 0; i < count; ) {
            int at = (int) ((pos + i) % Checkpoint.WINDOW);
            int run = Math.min(count - i, Checkpoint.WINDOW - at);
            System.arraycopy(b, from + i, ring, at, run);
            i += run;
        }
        decoded += n;
    }
}
