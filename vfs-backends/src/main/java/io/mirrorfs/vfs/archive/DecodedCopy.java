package io.mirrorfs.vfs.archive;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A decoded copy of one compressed archive, kept in {@link #CHUNK}-sized chunks in a
 * {@link DecodedStore}, for files where decoding can resume only rarely or never: a single-block
 * xz file, a single-frame zstd file. Their indexing pass decodes everything anyway; recording
 * each chunk on the way makes a later read anywhere cost one chunk read from disk instead of
 * decompressing everything before it. A read that finds its chunk missing (evicted, damaged, or
 * beyond what was recorded) decodes that whole chunk as before, and stores it.
 *
 * <p>Chunks are keyed by the archive's key (its location and version), so a changed archive
 * never matches an old copy. Each is stored zstd-compressed (level 1) when that makes it
 * smaller. Recording stops once this copy has written half of the store's capacity, so one huge
 * archive cannot flush everything else; the chunks read last (four, over all archives) are kept
 * in memory for the several FUSE reads that fall into one chunk. Thread-safe.
 */
final class DecodedCopy {

    private static final System.Logger LOG = System.getLogger(ArchiveLayer.class.getName());

    /** Decoded bytes per chunk. */
    static final int CHUNK = 1 << 20;
    /** A copy is kept when decoding cannot resume for this many decoded bytes somewhere in the file. */
    static final long SPAN = 8L << 20;

    private static final byte RAW = 0;
    private static final byte ZSTD = 1;
    private static final int HEADER = 5;

    private final DecodedStore store;
    private final String key;
    private final String display;
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean full = new AtomicBoolean();
    private final Set<Long> damaged = ConcurrentHashMap.newKeySet();
    private final Recent recent;

    /**
     * Compresses and writes the chunks of indexing passes, one at a time; with two chunks waiting
     * the pass writes the next itself, so at most four chunks are held for writing.
     */
    private static final ThreadPoolExecutor WRITER = writer();

    private static ThreadPoolExecutor writer() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(2), r -> {
            Thread t = new Thread(r, "mirrorfs-decoded-copy");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Creates the copy of the archive {@code key} (shown as {@code display} in logs) in
     * {@code store}, keeping the chunks read last in {@code recent}.
     */
    DecodedCopy(DecodedStore store, String key, String display, Recent recent) {
        this.store = store;
        this.key = key;
        this.display = display;
        this.recent = recent;
    }

    /** Returns whether data that cannot resume decoding for {@code longestSpan} bytes is worth a copy. */
    static boolean needed(long longestSpan) {
        return longestSpan > SPAN;
    }

    /**
     * The decoded chunks read last, of all copies together (FUSE reads a chunk in several 128 KiB
     * requests): a fixed number, so the heap they take does not grow with the archives open.
     * Thread-safe.
     */
    static final class Recent {
        private final int capacity;
        private final LinkedHashMap<String, byte[]> chunks = new LinkedHashMap<>(16, 0.75f, true);

        /** Keeps at most {@code capacity} chunks. */
        Recent(int capacity) {
            this.capacity = capacity;
        }

        synchronized byte[] get(String key) {
            return chunks.get(key);
        }

        synchronized void put(String key, byte[] chunk) {
            chunks.put(key, chunk);
            if (chunks.size() > capacity) {
                chunks.remove(chunks.keySet().iterator().next());
            }
        }
    }

    /** Returns the decoded chunk {@code index}, if stored and intact. */
    Optional<byte[]> chunk(long index) {
        String k = chunkKey(index);
        byte[] held = recent.get(k);
        if (held != null) {
            return Optional.of(held);
        }
        if (!store.contains(k)) {
            return Optional.empty();
        }
        Optional<byte[]> chunk = store.read(k).flatMap(DecodedCopy::unpack);
        if (chunk.isEmpty()) {
            damaged.add(index); // the store may still hold it: the next decode of this chunk replaces it
        }
        chunk.ifPresent(c -> recent.put(k, c));
        return chunk;
    }

    /** Returns the compressed bytes this copy wrote to the store. */
    long bytesWritten() {
        return written.get();
    }

    /**
     * Returns a recorder of the decoded bytes from the start of the data, storing each chunk it
     * completes while {@code wanted} says so.
     */
    Recorder recorder(BooleanSupplier wanted) {
        return new Recorder(wanted);
    }

    /**
     * Returns {@code decoded} read from this copy where it has the chunk; elsewhere the whole
     * chunk is decoded from {@code decoded} and stored.
     */
    RandomAccessBytes over(RandomAccessBytes decoded) {
        return new RandomAccessBytes() {
            @Override
            public long size() {
                return decoded.size();
            }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                if (offset >= decoded.size()) {
                    return -1;
                }
                long index = offset / CHUNK;
                int inChunk = (int) (offset % CHUNK);
                byte[] c = chunk(index).orElse(null);
                if (c == null || inChunk >= c.length) {
                    ByteBuffer whole = ByteBuffer.allocate((int) Math.min(CHUNK, decoded.size() - index * CHUNK));
                    decoded.readFully(index * CHUNK, whole);
                    c = whole.array();
                    store(index, c, c.length);
                    recent.put(chunkKey(index), c);
                }
                int n = Math.min(dst.remaining(), c.length - inChunk);
                dst.put(c, inChunk, n);
                return n;
            }
        };
    }

    private String chunkKey(long index) {
        return "archive-decoded\n" + key + "\n" + index;
    }

    private void store(long index, byte[] data, int length) {
        if (full.get()) {
            return;
        }
        String k = chunkKey(index);
        if (store.contains(k) && !damaged.remove(index)) {
            return;
        }
        try {
            byte[] packed = pack(data, length);
            if (written.addAndGet(packed.length) > store.capacity() / 2) {
                if (!full.getAndSet(true)) {
                    LOG.log(Level.INFO, String.format(java.util.Locale.ROOT,
                            "archive %s: decoded copy stopped at %d MiB (half of the disk cache); reads beyond it decode "
                                    + "from the nearest place decoding can resume", display, index * (CHUNK >> 20)));
                }
                return;
            }
            store.write(k, packed);
        } catch (IOException | RuntimeException e) {
            full.set(true);
            LOG.log(Level.WARNING, "archive " + display + ": cannot store its decoded copy (" + e
                    + "); reads decode from the nearest place decoding can resume");
        }
    }

    private static byte[] pack(byte[] data, int length) {
        byte[] compressed = new byte[(int) Zstd.compressBound(length)];
        long n = Zstd.compressByteArray(compressed, 0, compressed.length, data, 0, length, 1);
        boolean smaller = !Zstd.isError(n) && n < length - length / 16;
        int bodyLength = smaller ? (int) n : length;
        ByteBuffer out = ByteBuffer.allocate(HEADER + bodyLength);
        out.put(smaller ? ZSTD : RAW).putInt(length).put(smaller ? compressed : data, 0, bodyLength);
        return out.array();
    }

    private static Optional<byte[]> unpack(byte[] packed) {
        if (packed.length < HEADER) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(packed);
        byte type = in.get();
        int length = in.getInt();
        if (length < 0 || length > CHUNK) {
            return Optional.empty();
        }
        byte[] data = new byte[length];
        if (type == RAW && packed.length == HEADER + length) {
            System.arraycopy(packed, HEADER, data, 0, length);
            return Optional.of(data);
        }
        if (type == ZSTD) {
            long n = Zstd.decompressByteArray(data, 0, length, packed, HEADER, packed.length - HEADER);
            if (!Zstd.isError(n) && n == length) {
                return Optional.of(data);
            }
        }
        return Optional.empty();
    }

    /**
     * Collects the decoded bytes, from the first, into chunks and stores each complete one: on
     * {@link #WRITER}, so that compressing and writing a chunk overlaps decoding the next one.
     * Not thread-safe.
     */
    final class Recorder {
        private final BooleanSupplier wanted;
        private final List<CompletableFuture<Void>> writes = new ArrayList<>();
        private byte[] buffer = new byte[CHUNK];
        private long position;
        private int filled;

        private Recorder(BooleanSupplier wanted) {
            this.wanted = wanted;
        }

        /** Takes the next {@code len} decoded bytes. */
        void accept(byte[] b, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, CHUNK - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                position += n;
                off += n;
                len -= n;
                if (filled == CHUNK) {
                    flush();
                }
            }
        }

        /** The data ended here: stores the last, shorter chunk, and waits until every chunk is stored. */
        void finish() {
            if (filled > 0) {
                flush();
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
        }

        private void flush() {
            if (wanted.getAsBoolean()) {
                long index = (position - 1) / CHUNK;
                byte[] chunk = buffer;
                int length = filled;
                buffer = new byte[CHUNK];
                writes.removeIf(CompletableFuture::isDone);
                writes.add(CompletableFuture.runAsync(() -> store(index, chunk, length), WRITER));
            }
            filled = 0;
        }
    }
}
