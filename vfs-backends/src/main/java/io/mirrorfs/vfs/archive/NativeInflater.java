package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.util.Optional;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * zlib's inflate from the system {@code libz.so.1}, bound through jnr-ffi, for the two calls
 * {@code java.util.zip.Inflater} lacks and random access into gzip needs: {@code Z_BLOCK} (stop at
 * every deflate block boundary and report the bit position) and {@code inflatePrime} (resume in
 * the middle of a byte). This is the technique of zlib's {@code examples/zran.c}.
 *
 * <p>One instance owns one {@code z_stream} and its native buffers. Not thread-safe.
 */
final class NativeInflater implements AutoCloseable {

    /** Flush mode: stop at the next deflate block boundary (zlib.h). */
    static final int Z_BLOCK = 5;
    static final int Z_NO_FLUSH = 0;
    static final int Z_OK = 0;
    static final int Z_STREAM_END = 1;
    static final int Z_NEED_DICT = 2;
    static final int Z_BUF_ERROR = -5;
    /** windowBits for a gzip stream with its header and trailer (zlib.h: 16 + 15). */
    static final int GZIP = 31;
    /** windowBits for raw deflate data, as after a checkpoint. */
    static final int RAW = -15;

    /** Offsets inside {@code struct z_stream} on LP64 Linux (zlib.h); sizeof is 112. */
    private static final int NEXT_IN = 0;
    private static final int AVAIL_IN = 8;
    private static final int NEXT_OUT = 24;
    private static final int AVAIL_OUT = 32;
    private static final int MSG = 48;
    private static final int DATA_TYPE = 88;
    private static final int Z_STREAM_SIZE = 112;

    /** The subset of zlib.h this class calls. */
    public interface LibZ {
        String zlibVersion();

        int inflateInit2_(Pointer strm, int windowBits, String version, int streamSize);

        int inflate(Pointer strm, int flush);

        int inflateEnd(Pointer strm);

        int inflateReset2(Pointer strm, int windowBits);

        int inflatePrime(Pointer strm, int bits, int value);

        int inflateSetDictionary(Pointer strm, Pointer dictionary, int length);
    }

    private static final Optional<LibZ> LIB = load();

    private final LibZ z;
    private final Runtime runtime;
    private final Pointer stream;
    private final Pointer in;
    private final Pointer out;
    private final int inCapacity;
    private final int outCapacity;
    private boolean open;

    /** Returns whether the system zlib could be loaded (only Linux on LP64 is supported). */
    static boolean available() {
        return LIB.isPresent();
    }

    /** Creates an inflater in mode {@code windowBits} ({@link #GZIP} or {@link #RAW}). */
    NativeInflater(int windowBits, int inCapacity, int outCapacity) throws IOException {
        this.z = LIB.orElseThrow(() -> new IOException("system zlib (libz.so.1) is not available"));
        this.runtime = Runtime.getRuntime(z);
        this.stream = Memory.allocateDirect(runtime, Z_STREAM_SIZE, true);
        this.in = Memory.allocateDirect(runtime, inCapacity);
        this.out = Memory.allocateDirect(runtime, outCapacity);
        this.inCapacity = inCapacity;
        this.outCapacity = outCapacity;
        check(z.inflateInit2_(stream, windowBits, z.zlibVersion(), Z_STREAM_SIZE), "inflateInit2");
        open = true;
    }

    /** Returns how many input bytes inflate has not consumed yet. */
    int availableIn() {
        return (int) stream.getInt(AVAIL_IN);
    }

    /** Returns the input capacity: the most {@link #setInput} takes at once. */
    int inCapacity() {
        return inCapacity;
    }

    /** Replaces the pending input (which must be consumed) with {@code len} bytes of {@code b}. */
    void setInput(byte[] b, int off, int len) {
        if (len > inCapacity) {
            throw new IllegalArgumentException("input of " + len + " exceeds " + inCapacity);
        }
        in.put(0, b, off, len);
        stream.putAddress(NEXT_IN, in.address());
        stream.putInt(AVAIL_IN, len);
    }

    /** Drops any pending input. */
    void clearInput() {
        stream.putInt(AVAIL_IN, 0);
    }

    /**
     * Runs inflate with {@code flush} into {@code b}; returns the number of bytes produced and
     * leaves the zlib return code in {@link #lastResult()}.
     *
     * @throws IOException if the data is corrupt (Z_DATA_ERROR and friends)
     */
    int inflate(int flush, byte[] b, int off, int len) throws IOException {
        int room = Math.min(len, outCapacity);
        stream.putAddress(NEXT_OUT, out.address());
        stream.putInt(AVAIL_OUT, room);
        lastResult = z.inflate(stream, flush);
        if (lastResult < 0 && lastResult != Z_BUF_ERROR || lastResult == Z_NEED_DICT) {
            throw new IOException("corrupt deflate data (zlib " + lastResult + message() + ")");
        }
        int produced = room - (int) stream.getInt(AVAIL_OUT);
        out.get(0, b, off, produced);
        return produced;
    }

    private int lastResult;

    /** Returns the code of the last {@link #inflate} call. */
    int lastResult() {
        return lastResult;
    }

    /**
     * Returns zlib's {@code data_type}: unused bits in the last input byte, plus 64 inside the
     * last block, plus 128 right after a block boundary (or the end of the gzip header).
     */
    int dataType() {
        return stream.getInt(DATA_TYPE);
    }

    /** Starts over in mode {@code windowBits}, as at the next member of a multi-member gzip file. */
    void reset(int windowBits) throws IOException {
        check(z.inflateReset2(stream, windowBits), "inflateReset2");
    }

    /** Inserts {@code bits} bits of {@code value} ahead of the input (resuming mid-byte). */
    void prime(int bits, int value) throws IOException {
        check(z.inflatePrime(stream, bits, value), "inflatePrime");
    }

    /** Sets the 32 KiB history a raw stream resumed at a checkpoint refers back into. */
    void setDictionary(byte[] window) throws IOException {
        if (window.length == 0) {
            return;
        }
        Pointer dict = Memory.allocateDirect(runtime, window.length);
        dict.put(0, window, 0, window.length);
        check(z.inflateSetDictionary(stream, dict, window.length), "inflateSetDictionary");
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            z.inflateEnd(stream);
        }
    }

    private void check(int result, String call) throws IOException {
        if (result != Z_OK) {
            throw new IOException(call + " failed (zlib " + result + message() + ")");
        }
    }

    private String message() {
        Pointer msg = stream.getPointer(MSG);
        return msg == null ? "" : ": " + msg.getString(0);
    }

    private static Optional<LibZ> load() {
        Optional<LibZ> lib = NativeLibraries.load(LibZ.class, LibZ::zlibVersion, "libz.so.1", "z");
        if (lib.isEmpty()) {
            System.getLogger(NativeInflater.class.getName()).log(System.Logger.Level.WARNING,
                    "system zlib not found: gzip archives are read from their start for every member");
        }
        return lib;
    }
}
