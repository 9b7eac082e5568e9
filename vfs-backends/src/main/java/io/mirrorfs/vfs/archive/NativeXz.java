package io.mirrorfs.vfs.archive;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Decodes an .xz file from its start with the system {@code liblzma.so.5} (the library of xz
 * itself, bound through jnr-ffi), which decodes about twice as fast as the pure-Java decoder:
 * used where a whole file is decoded from its start (the indexing pass, a read far into a
 * single-block file). Concatenated streams and stream padding are decoded as {@code xz -d} does;
 * integrity checks are verified. Corrupt or truncated data is an {@link IOException}.
 * One instance owns one {@code lzma_stream} and its native buffers. Not thread-safe.
 */
final class NativeXz extends InputStream {

    private static final int LZMA_OK = 0;
    private static final int LZMA_STREAM_END = 1;
    private static final int LZMA_RUN = 0;
    private static final int LZMA_FINISH = 3;
    /** lzma_stream_decoder flag: decode concatenated .xz streams as one (xz -d's behaviour). */
    private static final int LZMA_CONCATENATED = 0x08;

    /** Offsets inside {@code lzma_stream} on LP64 Linux (lzma/base.h); sizeof is 136. */
    private static final int NEXT_IN = 0;
    private static final int AVAIL_IN = 8;
    private static final int NEXT_OUT = 24;
    private static final int AVAIL_OUT = 32;
    private static final int LZMA_STREAM_SIZE = 136;

    private static final int IN_SIZE = 128 * 1024;
    private static final int OUT_SIZE = 256 * 1024;

    /** The subset of lzma.h this class calls. */
    public interface LibLzma {
        String lzma_version_string();

        int lzma_stream_decoder(Pointer strm, long memlimit, int flags);

        int lzma_code(Pointer strm, int action);

        void lzma_end(Pointer strm);
    }

    private static final Optional<LibLzma> LIB = load();

    private final LibLzma lzma;
    private final InputStream source;
    private final Pointer stream;
    private final Pointer in;
    private final Pointer out;
    private final byte[] chunk = new byte[IN_SIZE];
    private boolean sourceDone;
    private boolean finished;
    private boolean open;

    /** Returns whether the system liblzma could be loaded (only Linux on LP64 is supported). */
    static boolean loaded() {
        return LIB.isPresent();
    }

    /** Starts decoding {@code source}, positioned at the start of an .xz file. */
    NativeXz(InputStream source) throws IOException {
        this.lzma = LIB.orElseThrow(() -> new IOException("system liblzma (liblzma.so.5) is not available"));
        this.source = source;
        Runtime runtime = Runtime.getRuntime(lzma);
        this.stream = Memory.allocateDirect(runtime, LZMA_STREAM_SIZE, true); // zeroed: LZMA_STREAM_INIT
        this.in = Memory.allocateDirect(runtime, IN_SIZE);
        this.out = Memory.allocateDirect(runtime, OUT_SIZE);
        int rc = lzma.lzma_stream_decoder(stream, -1L /* UINT64_MAX: no memory limit */, LZMA_CONCATENATED);
        if (rc != LZMA_OK) {
            throw new IOException("lzma_stream_decoder failed (" + describe(rc) + ")");
        }
        open = true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (!open) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (!finished) {
            if (stream.getLong(AVAIL_IN) == 0 && !sourceDone) {
                int n = source.read(chunk, 0, chunk.length);
                if (n < 0) {
                    sourceDone = true;
                } else {
                    in.put(0, chunk, 0, n);
                    stream.putAddress(NEXT_IN, in.address());
                    stream.putLong(AVAIL_IN, n);
                }
            }
            int room = Math.min(len, OUT_SIZE);
            stream.putAddress(NEXT_OUT, out.address());
            stream.putLong(AVAIL_OUT, room);
            int rc = lzma.lzma_code(stream, sourceDone ? LZMA_FINISH : LZMA_RUN);
            int produced = room - (int) stream.getLong(AVAIL_OUT);
            if (rc == LZMA_STREAM_END) {
                finished = true;
            } else if (rc != LZMA_OK) {
                if (rc == 10 && sourceDone) { // LZMA_BUF_ERROR with all input given: the file ends early
                    throw new EOFException("truncated xz data");
                }
                throw new IOException("corrupt xz data (" + describe(rc) + ")");
            }
            if (produced > 0) {
                out.get(0, b, off, produced);
                return produced;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        if (open) {
            open = false;
            lzma.lzma_end(stream);
            source.close();
        }
    }

    private static String describe(int rc) {
        return switch (rc) {
            case 5 -> "out of memory";
            case 6 -> "memory limit reached";
            case 7 -> "not in the .xz format";
            case 8 -> "unsupported options";
            case 9 -> "data is corrupt";
            case 10 -> "no progress possible";
            case 11 -> "programming error";
            default -> "liblzma " + rc;
        };
    }

    private static Optional<LibLzma> load() {
        Optional<LibLzma> lib = NativeLibraries.load(LibLzma.class, LibLzma::lzma_version_string, "liblzma.so.5", "lzma");
        if (lib.isEmpty()) {
            System.getLogger(NativeXz.class.getName()).log(System.Logger.Level.INFO,
                    "system liblzma not found: xz archives are decoded by the slower pure-Java decoder");
        }
        return lib;
    }
}
