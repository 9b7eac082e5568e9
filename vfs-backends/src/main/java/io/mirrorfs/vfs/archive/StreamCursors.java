package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InputStream;

/**
 * Cursors for a compressed file that can only be decoded from its start (a single bzip2 stream,
 * a single zstd frame, gzip without the system zlib). Sequential reads still decompress the file
 * once, thanks to {@link DecodedView}'s idle cursors; a backward jump starts over. Thread-safe.
 */
final class StreamCursors implements DecodedCursor.Factory {

    /** Wraps compressed bytes in a decompressing stream. */
    @FunctionalInterface
    interface Decoder {
        /** Returns a stream decompressing {@code compressed}. */
        InputStream decode(InputStream compressed) throws IOException;
    }

    private final RandomAccessBytes file;
    private final Decoder decoder;

    /** Creates cursors decoding {@code file} with {@code decoder}. */
    StreamCursors(RandomAccessBytes file, Decoder decoder) {
        this.file = file;
        this.decoder = decoder;
    }

    @Override
    public long startFor(long target) {
        return 0;
    }

    @Override
    public long longestSpan(long size) {
        return size;
    }

    @Override
    public DecodedCursor open(long target) throws IOException {
        InputStream decoded = decoder.decode(new RangeInputStream(file, 0, 256 * 1024));
        return new DecodedCursor() {
            private long position;

            @Override
            public long position() {
                return position;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = decoded.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                decoded.close();
            }
        };
    }
}
