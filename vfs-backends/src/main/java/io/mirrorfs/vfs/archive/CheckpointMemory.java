package io.mirrorfs.vfs.archive;

import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The one account of the heap that checkpoints (gzip windows, bzip2 block and zstd frame starts)
 * hold, over every archive at once: those being indexed, those the registry keeps open, and those
 * it has let go of while a member handle still holds them. Nothing is added beyond {@code cap}:
 * a take that does not fit first asks the reclaimer (the registry closing its least recently used
 * archives) and otherwise fails, and the indexer then thins its own checkpoints. Every change of
 * the total is reported to the listener, in order, so the block cache can shrink by exactly what
 * the checkpoints hold and both together stay within {@code --cache-size}.
 *
 * <p>The start of a file (a checkpoint without history) is not counted: every index has one, as
 * it has a member list. Thread-safe; the listener runs under this object's lock and must not call
 * back into it.
 */
final class CheckpointMemory {

    private final long cap;
    private final LongConsumer listener;
    private volatile BooleanSupplier reclaimer = () -> false;
    private long held;

    /** Creates an empty account of at most {@code cap} bytes, reporting its total to {@code listener}. */
    CheckpointMemory(long cap, LongConsumer listener) {
        if (cap < 0) {
            throw new IllegalArgumentException("checkpoint memory must not be negative, not " + cap);
        }
        this.cap = cap;
        this.listener = listener;
    }

    /**
     * Sets what frees checkpoint memory when a take does not fit: it returns true when it made
     * progress (closed or let go of an archive) and false when it has nothing left to give.
     */
    void reclaimer(BooleanSupplier r) {
        this.reclaimer = r;
    }

    /** Returns the most bytes held at once. */
    long cap() {
        return cap;
    }

    /** Returns the bytes held now. */
    synchronized long held() {
        return held;
    }

    /** Returns a new, empty account for one archive's checkpoints. */
    Account account() {
        return new Account();
    }

    /** Takes {@code bytes} if they fit, reclaiming archives first when they do not; false if they still do not. */
    private boolean take(long bytes) {
        if (bytes == 0) {
            return true;
        }
        if (bytes > cap) {
            return false;
        }
        while (true) {
            synchronized (this) {
                if (held + bytes <= cap) {
                    held += bytes;
                    listener.accept(held);
                    return true;
                }
            }
            if (!reclaimer.getAsBoolean()) { // outside the lock: reclaiming gives bytes back
                return false;
            }
        }
    }

    /**
     * Takes {@code bytes} if they fit now, without reclaiming: for callers that must not close
     * archives (a decoder learning checkpoints on a reader's thread, holding its decoder's lock).
     */
    synchronized boolean tryTakeFree(long bytes) {
        if (held + bytes > cap) {
            return false;
        }
        if (bytes > 0) {
            held += bytes;
            listener.accept(held);
        }
        return true;
    }

    /** Gives back {@code bytes} taken before. */
    synchronized void give(long bytes) {
        if (bytes == 0) {
            return;
        }
        held -= bytes;
        if (held < 0) {
            throw new IllegalStateException("checkpoint memory given back twice: " + held);
        }
        listener.accept(held);
    }

    /**
     * The checkpoint bytes of one archive, from its indexing pass until the registry hands them
     * back. Closing gives back whatever is still held (a failed pass); {@link #transfer} hands the
     * total to the registry instead. Not thread-safe: one pass, one thread.
     */
    final class Account implements AutoCloseable {
        private long bytes;

        private Account() {
        }

        /** Takes {@code n} bytes for a new checkpoint; false when the memory is spent (the caller thins or skips). */
        boolean tryTake(long n) {
            if (!take(n)) {
                return false;
            }
            bytes += n;
            return true;
        }

        /** Gives back {@code n} bytes of dropped checkpoints. */
        void give(long n) {
            if (n > bytes) {
                throw new IllegalStateException("giving back " + n + " of " + bytes + " bytes");
            }
            bytes -= n;
            CheckpointMemory.this.give(n);
        }

        /** Returns the most bytes all accounts together may hold. */
        long cap() {
            return cap;
        }

        /** Returns the bytes this account holds. */
        long bytes() {
            return bytes;
        }

        /** Returns the bytes held and empties the account without giving them back: the caller owns them now. */
        long transfer() {
            long all = bytes;
            bytes = 0;
            return all;
        }

        /** Gives back everything still held. */
        @Override
        public void close() {
            long all = transfer();
            CheckpointMemory.this.give(all);
        }
    }
}
