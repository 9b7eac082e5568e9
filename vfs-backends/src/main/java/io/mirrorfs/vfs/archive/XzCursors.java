package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InputStream;
import org.tukaani.xz.SeekableInputStream;
import org.tukaani.xz.SeekableXZInputStream;

/**
 * Cursors into an xz file through {@link SeekableXZInputStream}, which reads the index at the end
 * of the file and starts decoding at the xz block holding the target; from the file start, the
 * system liblzma ({@link NativeXz}) decodes instead when present. Files written by
 * {@code xz -T0} have many blocks; a single-block file (the default of xz 5.4) decodes from its
 * start, as LZMA2 keeps its dictionary across the block. Thread-safe; each cursor is
 * single-threaded.
 */
final class XzCursors implements DecodedCursor.Factory {

    private final RandomAccessBytes file;
    private final long[] blockStarts;
    private final long decodedSize;

    /** Reads the xz index of {@code file}. */
    XzCursors(RandomAccessBytes file) throws IOException {
        this.file = file;
        try (SeekableXZInputStream xz = new SeekableXZInputStream(new Seekable(file))) {
            decodedSize = xz.length();
            blockStarts = new long[xz.getBlockCount()];
            for (int i = 0; i < blockStarts.length; i++) {
                blockStarts[i] = xz.getBlockPos(i);
            }
        }
    }

    /** Returns the decompressed size the xz index declares. */
    long decodedSize() {
        return decodedSize;
    }

    /** Returns how many independently decodable blocks the file has. */
    int blockCount() {
        return blockStarts.length;
    }

    @Override
    public long startFor(long target) {
        long start = 0;
        for (long b : blockStarts) {
            if (b > target) {
                break;
            }
            start = b;
        }
        return start;
    }

    @Override
    public long longestSpan(long size) {
        return DecodedCursor.Factory.longestGap(blockStarts, size);
    }

    @Override
    public DecodedCursor open(long target) throws IOException {
        long start = startFor(target);
        InputStream xz;
        if (start == 0 && NativeXz.loaded()) {
            xz = new NativeXz(new RangeInputStream(file, 0, 256 * 1024)); // from the file start: the faster decoder
        } else {
            SeekableXZInputStream seekable = new SeekableXZInputStream(new Seekable(file));
            seekable.seek(start);
            xz = seekable;
        }
        return new DecodedCursor() {
            private long position = start;

            @Override
            public long position() {
                return position;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = xz.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                xz.close();
            }
        };
    }

    /** tukaani's seekable input over ranged reads, buffered by {@link RangeInputStream}. */
    private static final class Seekable extends SeekableInputStream {
        private final RandomAccessBytes file;
        private final RangeInputStream in;

        Seekable(RandomAccessBytes file) {
            this.file = file;
            this.in = new RangeInputStream(file, 0, 128 * 1024);
        }

        @Override
        public long length() {
            return file.size();
        }

        @Override
        public long position() {
            return in.position();
        }

        @Override
        public void seek(long pos) {
            in.seek(pos);
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }
    }
}
