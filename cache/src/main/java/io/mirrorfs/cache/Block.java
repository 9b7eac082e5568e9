package io.mirrorfs.cache;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bytes of one cached range, starting at file offset {@code offset}, in an array lent by a
 * {@link BlockPool} and returned to it when the last reference is released.
 *
 * <p>Why reference counting: a sequential read of a large file through a 64 MiB cache would
 * otherwise allocate one array per block and leave it to the garbage collector; with G1's
 * default sizing on a large machine the heap then grows to gigabytes (measured: 3.4 GiB peak
 * resident for a 2 GiB read) instead of reusing the same few arrays. The cache holds one
 * reference (released by Caffeine's removal listener), every pin one, and every read one while
 * it copies. {@link #retain} fails once the count has reached zero, so a recycled array is never
 * read through a stale {@code Block}: the caller treats that as a miss.
 *
 * <p>Thread-safe; the bytes are written only before the block is published.
 */
final class Block {

    /** Per-entry bookkeeping bytes added to the weight (key, object, map node), roughly. */
    static final int OVERHEAD = 256;

    private final long offset;
    private final byte[] data;
    private final int length;
    private final BlockPool pool;
    private final AtomicInteger refs = new AtomicInteger(1);
    /** Set while a block fetched by read-ahead has not been read yet; see {@link #firstUse}. */
    private volatile boolean unreadReadAhead;
    private static final java.lang.invoke.VarHandle UNREAD;

    static {
        try {
            UNREAD = java.lang.invoke.MethodHandles.lookup().findVarHandle(Block.class, "unreadReadAhead", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Creates a block of {@code length} bytes in {@code data}, with one reference held by the creator. */
    Block(long offset, byte[] data, int length, BlockPool pool) {
        if (length < 0 || length > data.length) {
            throw new IllegalArgumentException("length " + length + " outside an array of " + data.length);
        }
        this.offset = offset;
        this.data = data;
        this.length = length;
        this.pool = pool;
    }

    /** Marks this block as fetched ahead of any reader (call before it is shared). */
    void markReadAhead() {
        unreadReadAhead = true;
    }

    /**
     * Returns true exactly once for a read-ahead block, at its first read (the read-ahead was
     * used). A plain volatile read on every other call: the hit path stays free of writes.
     */
    boolean firstUse() {
        return unreadReadAhead && UNREAD.compareAndSet(this, true, false);
    }

    /** Returns whether this is a read-ahead block no reader has read (when it leaves the cache: wasted). */
    boolean unreadReadAhead() {
        return unreadReadAhead;
    }

    long offset() {
        return offset;
    }

    /** Returns the backing array; valid only while the caller holds a reference. */
    byte[] data() {
        return data;
    }

    /** Returns the number of bytes held. */
    int length() {
        return length;
    }

    /** Returns the weight charged against the cache budget (the whole array). */
    int weight() {
        return data.length + OVERHEAD;
    }

    /** Adds a reference; returns false (adding none) if the block was already released for good. */
    boolean retain() {
        for (int r = refs.get(); r > 0; r = refs.get()) {
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Drops a reference; the last one returns the array to the pool. */
    void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            pool.recycle(data);
        } else if (r < 0) {
            throw new IllegalStateException("block at " + offset + " released more often than retained");
        }
    }
}
