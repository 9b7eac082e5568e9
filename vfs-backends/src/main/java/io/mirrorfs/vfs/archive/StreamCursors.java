package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InputStream;

/**
 * Cursors for compressed data that can only be decoded from its start (a single bzip2 stream,
 * a single zstd frame, gzip without the system zlib, a zip entry). Sequential reads still
 * decompress the data once, thanks to {@link DecodedView}'s windows; a backward jump further than
 * a window holds starts over. Thread-safe.
 */
final class StreamCursors implements DecodedCursor.Factory {

    /** Wraps compressed bytes in a decompressing stream. */
    @FunctionalInterface
    interface Decoder {
        /** Returns a stream decompressing {@code compressed}. */
        InputStream decode(InputStream compressed) throws IOException;
    }

    /** Opens the decoded data at its start. */
    @FunctionalInterface
    interface Opener {
        /** Returns a new stream of the decoded data from its first byte. */
        InputStream open() throws IOException;
    }

    private final Opener opener;

    /** Creates cursors decoding {@code file} with {@code decoder}. */
    StreamCursors(RandomAccessBytes file, Decoder decoder) {
        this(() -> decoder.decode(new RangeInputStream(file, 0, 256 * 1024)));
    }

    /** Creates cursors over the streams {@code opener} returns (a compressed zip entry's content). */
    StreamCursors(Opener opener) {
        this.opener = opener;
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
        InputStream decoded = opener.open();
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
