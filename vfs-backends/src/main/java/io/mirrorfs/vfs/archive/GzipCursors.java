package io.mirrorfs.vfs.archive;

import java.io.EOFException;
import java.io.IOException;
import java.util.List;

/**
 * Opens gzip decoders at the {@link Checkpoint} nearest before a target offset: raw inflate,
 * primed with the bits of the byte before the boundary and given the 32 KiB history as
 * dictionary ({@code zran.c}). Crossing into a following gzip member switches back to gzip mode.
 * Thread-safe (immutable); each cursor is single-threaded.
 */
final class GzipCursors implements DecodedCursor.Factory {

    private final RandomAccessBytes file;
    private final List<Checkpoint> checkpoints;

    /** Creates cursors over gzip {@code file} with {@code checkpoints} sorted by decoded offset. */
    GzipCursors(RandomAccessBytes file, List<Checkpoint> checkpoints) {
        this.file = file;
        this.checkpoints = List.copyOf(checkpoints);
        if (this.checkpoints.isEmpty() || !this.checkpoints.get(0).isFileStart()) {
            throw new IllegalArgumentException("the first checkpoint must be the start of the file");
        }
    }

    @Override
    public long startFor(long target) {
        return floor(target).decodedOffset();
    }

    @Override
    public DecodedCursor open(long target) throws IOException {
        return new Cursor(floor(target));
    }

    private Checkpoint floor(long target) {
        int lo = 0;
        int hi = checkpoints.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (checkpoints.get(mid).decodedOffset() <= target) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return checkpoints.get(lo);
    }

    /** One decoder resumed at a checkpoint. */
    private final class Cursor implements DecodedCursor {
        private final RangeInputStream source;
        private final NativeInflater inflater;
        private final byte[] in = new byte[64 * 1024];
        private long position;
        private boolean raw;
        private boolean finished;

        Cursor(Checkpoint c) throws IOException {
            raw = !c.isFileStart();
            source = new RangeInputStream(file, c.resumeOffset(), in.length);
            inflater = new NativeInflater(raw ? NativeInflater.RAW : NativeInflater.GZIP, in.length, 256 * 1024);
            c.resume(inflater, source, raw);
            position = c.decodedOffset();
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
                        throw new EOFException("truncated gzip data at compressed offset " + source.position());
                    }
                    inflater.setInput(in, 0, n);
                }
                int n = inflater.inflate(NativeInflater.Z_NO_FLUSH, b, off, len);
                if (inflater.lastResult() == NativeInflater.Z_STREAM_END) {
                    nextMember();
                }
                if (n > 0) {
                    position += n;
                    return n;
                }
            }
            return -1;
        }

        private void nextMember() throws IOException {
            long consumed = source.position() - inflater.availableIn();
            long next = raw ? consumed + 8 : consumed; // raw inflate leaves the CRC32 and ISIZE trailer
            inflater.clearInput();
            source.seek(next);
            int magic = next < file.size() ? source.read() : -1;
            if (magic != 0x1f) {
                finished = true;
                return;
            }
            source.seek(next);
            inflater.reset(NativeInflater.GZIP);
            raw = false;
        }

        @Override
        public void close() {
            inflater.close();
        }
    }
}
