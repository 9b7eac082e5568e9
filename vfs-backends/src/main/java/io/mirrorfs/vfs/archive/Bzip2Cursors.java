package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Opens bzip2 decoders at the {@link BlockStart} nearest before a target offset. bzip2 blocks are
 * independent but start at any bit, so the decoder is given a synthetic stream: a
 * {@code BZh9} header (the largest block size, which fits every block) followed by the file's
 * bits from the block magic on, shifted into byte alignment. Such a decoder reads only up to the
 * end of the block's stream (whose combined CRC covers blocks it never saw); the following
 * streams, byte-aligned in the file, are read by a plain decoder. Thread-safe (immutable); each
 * cursor is single-threaded.
 */
final class Bzip2Cursors implements DecodedCursor.Factory {

    private static final int BUFFER = 128 * 1024;

    private final RandomAccessBytes file;
    private final List<BlockStart> starts;

    /** Creates cursors over bzip2 {@code file} with {@code starts} sorted by decoded offset, the first the file start. */
    Bzip2Cursors(RandomAccessBytes file, List<BlockStart> starts) {
        this.file = file;
        this.starts = BlockStart.fromFileStart(starts, "block");
    }

    @Override
    public long startFor(long target) {
        return BlockStart.floor(starts, target).decodedOffset();
    }

    @Override
    public DecodedCursor open(long target) throws IOException {
        BlockStart s = BlockStart.floor(starts, target);
        if (s.isFileStart()) {
            return new Cursor(plain(0), 0, Long.MAX_VALUE, -1);
        }
        InputStream decoder = new BZip2CompressorInputStream(new ShiftedBits(file, s.compressedBit()), false);
        return new Cursor(decoder, s.decodedOffset(), s.streamEnd(), s.nextStream());
    }

    private InputStream plain(long byteOffset) throws IOException {
        return new BZip2CompressorInputStream(new RangeInputStream(file, byteOffset, BUFFER), true);
    }

    /** A decoder limited to its stream's end, then continued by a plain decoder at the next stream. */
    private final class Cursor implements DecodedCursor {
        private InputStream decoder;
        private long position;
        private long limit;
        private long next;

        Cursor(InputStream decoder, long position, long limit, long next) {
            this.decoder = decoder;
            this.position = position;
            this.limit = limit;
            this.next = next;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= limit) {
                decoder.close();
                if (next < 0 || next >= file.size()) {
                    return -1;
                }
                decoder = plain(next);
                limit = Long.MAX_VALUE;
                next = -1;
            }
            int n = decoder.read(b, off, (int) Math.min(len, limit - position));
            if (n > 0) {
                position += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            decoder.close();
        }
    }

    /** "BZh9", then the file's bits from {@code startBit}, realigned to bytes (zero bits after the end). */
    static final class ShiftedBits extends InputStream {
        private static final byte[] HEADER = {'B', 'Z', 'h', '9'};
        private final RangeInputStream source;
        private final int shift;
        private final byte[] in = new byte[BUFFER + 1];
        private final byte[] out = new byte[BUFFER];
        private int headerLeft = HEADER.length;
        private int outPos;
        private int outLen;
        private int carry = -1;
        private boolean ended;

        ShiftedBits(RandomAccessBytes file, long startBit) {
            this.source = new RangeInputStream(file, startBit / 8, BUFFER);
            this.shift = (int) (startBit % 8);
        }

        @Override
        public int read() throws IOException {
            if (headerLeft > 0) {
                return HEADER[HEADER.length - headerLeft--];
            }
            if (outPos == outLen && !fill()) {
                return -1;
            }
            return out[outPos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = 0;
            while (n < len && headerLeft > 0) {
                b[off + n++] = HEADER[HEADER.length - headerLeft--];
            }
            if (n == len) {
                return n;
            }
            if (outPos == outLen && !fill()) {
                return n == 0 ? -1 : n;
            }
            int k = Math.min(len - n, outLen - outPos);
            System.arraycopy(out, outPos, b, off + n, k);
            outPos += k;
            return n + k;
        }

        /** Produces the next shifted bytes: each from the low bits of one input byte and the high bits of the next. */
        private boolean fill() throws IOException {
            if (ended) {
                return false;
            }
            int have = 0;
            if (carry >= 0) {
                in[have++] = (byte) carry;
            }
            int n = source.read(in, have, BUFFER);
            if (n > 0) {
                have += n;
            }
            if (have == 0) {
                ended = true;
                return false;
            }
            if (shift == 0) {
                System.arraycopy(in, 0, out, 0, have);
                outLen = have;
                carry = -1;
            } else if (n > 0) {
                for (int i = 0; i < have - 1; i++) {
                    out[i] = (byte) ((in[i] << shift) | ((in[i + 1] & 0xff) >>> (8 - shift)));
                }
                outLen = have - 1;
                carry = in[have - 1] & 0xff;
            } else {
                out[0] = (byte) (in[0] << shift); // the last byte, padded with zero bits
                outLen = 1;
                carry = -1;
                ended = true;
            }
            outPos = 0;
            return outLen > 0 || fill();
        }
    }
}
