package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Decompresses a bzip2 file (one or several concatenated streams, as pbzip2 and lbzip2 write) for
 * the indexing pass and records a {@link BlockStart} at the first block after every
 * {@code interval} bytes of output.
 *
 * <p>Where a block starts is learnt from the decoder itself: commons-compress reads a block's
 * whole Huffman-coded data when it begins to output it, pulling input bytes only as its bit
 * reader needs them, so the compressed byte count jumps exactly when the first byte of a new
 * block comes out, and just before that jump the count is within 8 bits past the end of the
 * previous block. The block magic ({@code 0x314159265359}) or the end-of-stream magic
 * ({@code 0x177245385090}) is looked for in those few bits only. A recorded block is then checked
 * against its stored block CRC (CRC-32/BZIP2 of its output), so a wrong position is never kept;
 * anything unexpected gives up random access for the file (it then decodes from its start) rather
 * than keep a doubtful index. Not thread-safe.
 */
final class Bzip2Indexer extends BulkInputStream {

    private static final System.Logger LOG = System.getLogger(ArchiveLayer.class.getName());
    static final long BLOCK_MAGIC = 0x314159265359L;
    static final long END_MAGIC = 0x177245385090L;
    private static final long MASK48 = (1L << 48) - 1;
    private static final int[] CRC_TABLE = crcTable();

    private final RandomAccessBytes file;
    private final BZip2CompressorInputStream decoder;
    private final BlockStartList starts;
    private long lastCount;
    private long decoded;
    private boolean giveUp;
    private boolean finished;
    /** The block being verified: its stored CRC and the CRC of its output so far; -1 when none. */
    private long expectedCrc = -1;
    private int crc;

    /** Starts decompressing {@code source}, positioned at the start of bzip2 {@code file}. */
    Bzip2Indexer(RandomAccessBytes file, RangeInputStream source, long interval, CheckpointMemory.Account memory)
            throws IOException {
        this.file = file;
        this.decoder = new BZip2CompressorInputStream(source, true);
        this.starts = new BlockStartList(interval, memory);
        this.lastCount = decoder.getCompressedCount();
    }

    /** Returns the block starts recorded, the first being the start of the file (only it if random access was given up). */
    java.util.List<BlockStart> blockStarts() {
        return starts.toList();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (finished) {
            return -1;
        }
        int done = 0;
        while (done < len) {
            int c = decoder.read();
            if (c < 0) {
                finish();
                break;
            }
            long count = decoder.getCompressedCount();
            if (count != lastCount) {
                blockBoundary(lastCount);
                lastCount = count;
            }
            if (expectedCrc >= 0) {
                crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ c) & 0xff];
            }
            b[off + done++] = (byte) c;
            decoded++;
        }
        return done == 0 && len > 0 ? -1 : done;
    }

    @Override
    public void close() throws IOException {
        decoder.close();
    }

    private void finish() throws IOException {
        finished = true;
        verifyPending();
        starts.endStream(decoded, -1);
    }

    /** A new block's first byte is about to come out; the previous block ended within the 8 bits before {@code before}. */
    private void blockBoundary(long before) throws IOException {
        verifyPending();
        if (giveUp) {
            return;
        }
        long base = Math.max(0, before - 3) * 8;
        byte[] w = bytes(base / 8, 12);
        long block = find(w, base, before * 8 - 16, before * 8, BLOCK_MAGIC);
        long end = find(w, base, before * 8 - 16, before * 8, END_MAGIC);
        if (block >= 0 && end < 0) {
            maybeRecord(block);
        } else if (end >= 0 && block < 0) {
            nextStream(end);
        } else {
            abandon("no unique block boundary near compressed byte " + before);
        }
    }

    /** A stream ended with its magic at bit {@code endMagic}: find the next stream's first block. */
    private void nextStream(long endMagic) throws IOException {
        long next = (endMagic + 48 + 32 + 7) / 8; // magic, combined CRC, padding to a byte
        while (true) {
            byte[] h = bytes(next, 10);
            if (h.length < 10 || h[0] != 'B' || h[1] != 'Z' || h[2] != 'h' || h[3] < '1' || h[3] > '9') {
                abandon("no bzip2 stream header at byte " + next);
                return;
            }
            long magic = bits48(h, 32);
            if (magic == BLOCK_MAGIC) {
                starts.endStream(decoded, next);
                maybeRecord((next + 4) * 8);
                return;
            }
            if (magic != END_MAGIC) {
                abandon("no block after the bzip2 stream header at byte " + next);
                return;
            }
            next += 4 + 10; // an empty stream: header, end magic and CRC, byte-aligned
        }
    }

    private void maybeRecord(long bit) throws IOException {
        if (!starts.due(decoded)) {
            return;
        }
        byte[] h = bytes(bit / 8, 12);
        if (h.length < 12) {
            abandon("block at bit " + bit + " is cut off");
            return;
        }
        if (starts.add(new BlockStart(bit, decoded, Long.MAX_VALUE, -1))) {
            expectedCrc = (bits48(h, (int) (bit % 8) + 48) >>> 16) & 0xffffffffL; // verified when the block ends
            crc = -1;
        }
    }

    /** Checks the block just finished, if it was recorded, against its stored CRC. */
    private void verifyPending() {
        if (expectedCrc < 0) {
            return;
        }
        long actual = ~crc & 0xffffffffL;
        if (actual != expectedCrc) {
            starts.dropLast();
            LOG.log(Level.DEBUG, "bzip2 block at decoded offset " + decoded + " failed its CRC check; not kept");
        }
        expectedCrc = -1;
    }

    private void abandon(String why) {
        if (!giveUp) {
            LOG.log(Level.WARNING, "bzip2 random access given up (members decode from the start): " + why);
        }
        giveUp = true;
        expectedCrc = -1;
        starts.clear();
    }

    /** Reads up to {@code n} bytes at {@code offset} (fewer at the end of the file). */
    private byte[] bytes(long offset, int n) throws IOException {
        long from = Math.max(0, offset);
        ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, Math.min(n, file.size() - from)));
        file.readFully(from, buf);
        return buf.array();
    }

    /** Returns the bit offset of {@code magic} starting at a bit in [from, to] of {@code w} (starting at bit {@code base}), or -1. */
    private static long find(byte[] w, long base, long from, long to, long magic) {
        for (long bit = Math.max(from, base); bit <= to; bit++) {
            int rel = (int) (bit - base);
            if (rel + 48 <= w.length * 8 && bits48(w, rel) == magic) {
                return bit;
            }
        }
        return -1;
    }

    /** Returns the 48 bits of {@code w} from bit {@code rel}, big-endian (bits past the end read as 0). */
    static long bits48(byte[] w, int rel) {
        long v = 0;
        int first = rel / 8;
        for (int i = 0; i < 7; i++) {
            int at = first + i;
            v = (v << 8) | (at < w.length ? w[at] & 0xff : 0);
        }
        return (v >>> (8 - rel % 8)) & MASK48;
    }

    private static int[] crcTable() {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int c = i << 24;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x80000000) != 0 ? (c << 1) ^ 0x04c11db7 : c << 1;
            }
            t[i] = c;
        }
        return t;
    }
}
