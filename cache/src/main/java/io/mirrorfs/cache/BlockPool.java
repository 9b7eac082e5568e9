package io.mirrorfs.cache;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free arrays of the two fetch sizes (block and random-access range), reused so that steady
 * reading produces no garbage. Keeps at most {@code maxFree} arrays of each size; others are
 * left to the collector. Thread-safe, lock-free.
 */
final class BlockPool {

    private final int blockSize;
    private final int smallSize;
    private final int maxFree;
    private final ConcurrentLinkedQueue<byte[]> blocks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<byte[]> smalls = new ConcurrentLinkedQueue<>();
    private final AtomicInteger freeBlocks = new AtomicInteger();
    private final AtomicInteger freeSmalls = new AtomicInteger();

    BlockPool(int blockSize, int smallSize, int maxFree) {
        this.blockSize = blockSize;
        this.smallSize = smallSize;
        this.maxFree = maxFree;
    }

    /** Returns an array of exactly {@code size} bytes (contents undefined). */
    byte[] take(int size) {
        byte[] a = null;
        if (size == blockSize) {
            a = blocks.poll();
            if (a != null) {
                freeBlocks.decrementAndGet();
            }
        } else if (size == smallSize) {
            a = smalls.poll();
            if (a != null) {
                freeSmalls.decrementAndGet();
            }
        }
        return a != null ? a : new byte[size];
    }

    /** Returns {@code a}, which nobody references any more, for reuse. */
    void recycle(byte[] a) {
        if (a.length == blockSize && freeBlocks.incrementAndGet() <= maxFree) {
            blocks.add(a);
        } else if (a.length == blockSize) {
            freeBlocks.decrementAndGet();
        } else if (a.length == smallSize && freeSmalls.incrementAndGet() <= maxFree) {
            smalls.add(a);
        } else if (a.length == smallSize) {
            freeSmalls.decrementAndGet();
        }
    }
}
