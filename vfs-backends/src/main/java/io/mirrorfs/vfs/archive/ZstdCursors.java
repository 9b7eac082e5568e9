package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Opens zstd decoders at the frame ({@link BlockStart}) nearest before a target offset; the
 * decoder then runs on through the following frames. A single-frame file decodes from its start.
 * Thread-safe (immutable); each cursor is single-threaded.
 */
final class ZstdCursors implements DecodedCursor.Factory {

    private final RandomAccessBytes file;
    private final List<BlockStart> starts;

    /** Creates cursors over zstd {@code file} with frame {@code starts} sorted by decoded offset, the first the file start. */
    ZstdCursors(RandomAccessBytes file, List<BlockStart> starts) {
        this.file = file;
        this.starts = BlockStart.fromFileStart(starts, "frame");
    }

    @Override
    public long startFor(long target) {
        return BlockStart.floor(starts, target).decodedOffset();
    }

    @Override
    public long longestSpan(long size) {
        return DecodedCursor.Factory.longestGap(starts.stream().mapToLong(BlockStart::decodedOffset).toArray(), size);
    }

    @Override
    public DecodedCursor open(long target) throws IOException {
        BlockStart s = BlockStart.floor(starts, target);
        InputStream decoder = new ZstdCompressorInputStream(new RangeInputStream(file, s.compressedBit() / 8, 256 * 1024));
        return new DecodedCursor() {
            private long position = s.decodedOffset();

            @Override
            public long position() {
                return position;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = decoder.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                decoder.close();
            }
        };
    }
}
