package io.mirrorfs.vfs.archive;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A gzip access point in the sense of zlib's {@code zran.c}: where a deflate block starts in the
 * compressed file (byte offset plus 0-7 bits already used of the byte before it), the offset it
 * corresponds to in the decompressed data, and the 32 KiB of output before it, which the next
 * blocks may refer back into. The window is kept deflate-compressed (a tar's history usually
 * compresses three- to tenfold). Immutable; the array is never exposed.
 *
 * @param compressedOffset offset of the first whole compressed byte after the block boundary
 * @param bits             bits of the previous byte that belong to the block (0 to 7)
 * @param decodedOffset    decompressed offset of the block boundary
 * @param packedWindow     the preceding output (up to 32 KiB), deflate-compressed if
 *                         {@code deflated}; empty at a start
 * @param deflated         whether {@code packedWindow} is deflate-compressed or the raw bytes
 */
record Checkpoint(long compressedOffset, int bits, long decodedOffset, byte[] packedWindow, boolean deflated) {

    /** The size of deflate's history window (RFC 1951, section 2). */
    static final int WINDOW = 32 * 1024;

    /** Validates the fields. */
    Checkpoint {
        if (compressedOffset < 0 || decodedOffset < 0 || bits < 0 || bits > 7) {
            throw new IllegalArgumentException("bad checkpoint " + compressedOffset + "/" + bits + "/" + decodedOffset);
        }
    }

    /** Returns the access point at the very start of a gzip file (header included, no history). */
    static Checkpoint start() {
        return new Checkpoint(0, 0, 0, new byte[0], false);
    }

    /** Returns where reading the compressed data starts to resume here: the partial byte, if any. */
    long resumeOffset() {
        return compressedOffset - (bits > 0 ? 1 : 0);
    }

    /**
     * Makes a raw-deflate {@code inflater} resume here: gives it the bits of the partial byte,
     * read from {@code source} (which must stand at {@link #resumeOffset}), and, when
     * {@code withHistory}, the history window, which it returns (an empty array otherwise). Closes
     * the inflater when that fails, so a caller that gets an exception has nothing to release.
     */
    byte[] resume(NativeInflater inflater, InputStream source, boolean withHistory) throws IOException {
        try {
            if (bits > 0) {
                int partial = source.read();
                if (partial < 0) {
                    throw new EOFException("compressed data ends before checkpoint at " + compressedOffset);
                }
                inflater.prime(bits, partial >> (8 - bits));
            }
            if (!withHistory) {
                return new byte[0];
            }
            byte[] history = window();
            inflater.setDictionary(history);
            return history;
        } catch (IOException | RuntimeException e) {
            inflater.close();
            throw e;
        }
    }

    /** Returns whether this is the start of the file, resumed in gzip mode rather than raw deflate. */
    boolean isFileStart() {
        return compressedOffset == 0 && decodedOffset == 0;
    }

    /**
     * Returns a checkpoint holding {@code length} bytes of history from {@code window} (which it
     * takes over), deflated when {@code compress}.
     */
    static Checkpoint of(long compressedOffset, int bits, long decodedOffset, byte[] window, int length, boolean compress) {
        if (!compress) {
            byte[] raw = length == window.length ? window : java.util.Arrays.copyOf(window, length);
            return new Checkpoint(compressedOffset, bits, decodedOffset, raw, false);
        }
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(window, 0, length);
            deflater.finish();
            ByteArrayOutputStream packed = new ByteArrayOutputStream(length / 2 + 64);
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                int n = deflater.deflate(chunk);
                packed.write(chunk, 0, n);
            }
            return new Checkpoint(compressedOffset, bits, decodedOffset, packed.toByteArray(), true);
        } finally {
            deflater.end();
        }
    }

    /** Returns the uncompressed history (not to be modified). */
    byte[] window() throws IOException {
        if (!deflated) {
            return packedWindow;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(packedWindow);
            byte[] window = new byte[WINDOW];
            int n = 0;
            while (!inflater.finished() && n < WINDOW) {
                int got = inflater.inflate(window, n, WINDOW - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            return n == WINDOW ? window : java.util.Arrays.copyOf(window, n);
        } catch (DataFormatException e) {
            throw new IOException("damaged checkpoint window", e);
        } finally {
            inflater.end();
        }
    }

    /**
     * Returns the approximate heap bytes this checkpoint holds, for the memory budget; 0 for the
     * start of the file, which has no history and which every index has.
     */
    long weight() {
        return isFileStart() ? 0 : packedWindow.length + 64L;
    }
}
