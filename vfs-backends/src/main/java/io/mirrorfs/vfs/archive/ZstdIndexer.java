package io.mirrorfs.vfs.archive;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Decompresses a zstd file for the indexing pass and records a {@link BlockStart} at the first
 * frame that starts after every {@code interval} bytes of output. zstd frames are independent
 * (RFC 8878, section 3.1), so a later read can resume at any frame; files with several frames come
 * from {@code pzstd}, from concatenating separately compressed parts, or from the seekable
 * format. A file of one frame ({@code zstd}'s default, even with {@code -T0}) only has the file
 * start. Frame ends come from {@code ZSTD_decompressStream}, which stops at the end of a frame
 * and says so. Not thread-safe.
 */
final class ZstdIndexer extends BulkInputStream {

    private static final int IN_SIZE = 128 * 1024;
    private static final int OUT_SIZE = 256 * 1024;

    private final RangeInputStream source;
    private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();
    private final ByteBuffer in = ByteBuffer.allocateDirect(IN_SIZE).limit(0);
    private final ByteBuffer out = ByteBuffer.allocateDirect(OUT_SIZE).limit(0);
    private final byte[] chunk = new byte[IN_SIZE];
    private final BlockStartList starts;
    private long decoded;
    private int frames;
    private long frameStartedAt;
    private long longestFrame;
    private boolean frameDone = true;
    private boolean finished;

    /** Starts decompressing {@code source}, positioned at the start of the zstd file. */
    ZstdIndexer(RangeInputStream source, long interval, CheckpointMemory.Account memory) {
        this.source = source;
        this.starts = new BlockStartList(interval, memory);
    }

    /** Returns the frame starts recorded, the first being the start of the file. */
    List<BlockStart> blockStarts() {
        return starts.toList();
    }

    /**
     * Returns whether decoding could so far resume only rarely: one frame, or a frame longer than
     * {@link DecodedCopy#SPAN} (the current one included).
     */
    boolean framesSparse() {
        return frames <= 1 || DecodedCopy.needed(Math.max(longestFrame, decoded - frameStartedAt));
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!out.hasRemaining()) {
            if (finished || !decodeMore()) {
                return -1;
            }
        }
        int n = Math.min(len, out.remaining());
        out.get(b, off, n);
        decoded += n;
        return n;
    }

    /** Runs the decoder once; returns false at the clean end of the file. */
    private boolean decodeMore() throws IOException {
        if (!in.hasRemaining()) {
            int n = source.read(chunk, 0, chunk.length);
            if (n <= 0) {
                finished = true;
                if (!frameDone) {
                    throw new EOFException("truncated zstd data after " + source.position() + " compressed bytes");
                }
                return false;
            }
            in.clear();
            in.put(chunk, 0, n).flip();
        }
        if (frameDone) {
            frameStart();
        }
        out.clear();
        try {
            frameDone = ctx.decompressDirectByteBufferStream(out, in);
        } catch (ZstdException e) {
            throw new IOException("corrupt zstd data near compressed byte " + (source.position() - in.remaining())
                    + ": " + e.getMessage(), e);
        }
        out.flip();
        return true;
    }

    /** A frame begins at the next unconsumed input byte. */
    private void frameStart() {
        long at = source.position() - in.remaining();
        long produced = decoded + out.remaining();
        if (frames++ > 0) {
            longestFrame = Math.max(longestFrame, produced - frameStartedAt);
        }
        frameStartedAt = produced;
        if (at > 0 && starts.due(produced)) {
            starts.add(new BlockStart(at * 8, produced, Long.MAX_VALUE, -1));
        }
    }

    @Override
    public void close() {
        ctx.close();
    }
}
