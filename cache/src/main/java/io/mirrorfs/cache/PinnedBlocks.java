package io.mirrorfs.cache;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The blocks one open handle holds on to: the block it is reading and its read-ahead window.
 *
 * <p>Why pin at all: Caffeine's admission policy (W-TinyLFU) may reject a fresh block in favour
 * of older, more frequently used ones, and read-ahead inserts blocks nobody has read yet. Held
 * here, a block survives until its reader has used it, whatever the shared cache does; and the
 * pinned bytes come out of a budget of their own ({@link CacheConfig#pinnedBytes()}), so
 * read-ahead never pushes out blocks that readers are about to use. Each pin reserves its bytes
 * from that budget; when it is spent, nothing more is pinned (reads still work through the
 * shared cache). At most {@code capacity} pins, the oldest dropped first.
 *
 * <p>Thread-safe: guarded by this object; budget calls happen outside the lock's critical work.
 */
final class PinnedBlocks {

    private record Pin(CompletableFuture<Block> block, int bytes) {
    }

    private final BlockCache cache;
    private int capacity; // guarded by this
    private final LinkedHashMap<BlockKey, Pin> pins = new LinkedHashMap<>();
    private boolean closed;

    PinnedBlocks(BlockCache cache, int capacity) {
        this.cache = cache;
        this.capacity = capacity;
    }

    /**
     * Sets the most pins kept; a lower value takes effect with the next {@link #pin}, which drops
     * the oldest beyond it.
     */
    synchronized void capacity(int capacity) {
        this.capacity = capacity;
    }

    /** Returns the pinned (possibly still loading) block for {@code key}. */
    synchronized Optional<CompletableFuture<Block>> get(BlockKey key) {
        Pin p = pins.get(key);
        return p == null ? Optional.empty() : Optional.of(p.block);
    }

    /**
     * Pins {@code block} under {@code key}, reserving {@code bytes} of the budget and dropping the
     * oldest pins beyond capacity; the pin owns one reference of the block once it completes.
     * Returns false, pinning nothing and owning nothing, when the budget is spent or the handle
     * is closed.
     */
    boolean pin(BlockKey key, CompletableFuture<Block> block, int bytes) {
        if (!cache.tryPin(bytes)) {
            return false;
        }
        List<Pin> released = new ArrayList<>();
        boolean accepted;
        synchronized (this) {
            accepted = !closed;
            if (accepted) {
                Pin old = pins.put(key, new Pin(block, bytes));
                if (old != null) {
                    released.add(old);
                }
                Iterator<Map.Entry<BlockKey, Pin>> it = pins.entrySet().iterator();
                while (pins.size() > capacity && it.hasNext()) {
                    released.add(it.next().getValue());
                    it.remove();
                }
            }
        }
        if (!accepted) {
            cache.unpin(bytes);
        }
        released.forEach(this::drop);
        return accepted;
    }

    /** Drops the pin of {@code key} if it still holds {@code block} (a failed read-ahead). */
    void unpin(BlockKey key, CompletableFuture<Block> block) {
        Pin removed;
        synchronized (this) {
            Pin p = pins.get(key);
            if (p == null || p.block != block) {
                return;
            }
            removed = pins.remove(key);
        }
        drop(removed);
    }

    /** Returns the number of pins held. */
    synchronized int size() {
        return pins.size();
    }

    /** Drops every pin and refuses new ones; pending read-aheads are failed so waiters move on. */
    void close() {
        List<Pin> released;
        synchronized (this) {
            closed = true;
            released = new ArrayList<>(pins.values());
            pins.clear();
        }
        for (Pin p : released) {
            p.block.completeExceptionally(new java.nio.channels.ClosedChannelException());
            drop(p);
        }
    }

    /**
     * Returns a pin's budget and its block reference. A read-ahead still running when its pin is
     * dropped keeps its reference; the array then goes to the garbage collector, never back to
     * the pool while in use.
     */
    private void drop(Pin p) {
        cache.unpin(p.bytes);
        Block b;
        try {
            b = p.block.getNow(null);
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            b = null;
        }
        if (b != null) {
            b.release();
        }
    }
}
