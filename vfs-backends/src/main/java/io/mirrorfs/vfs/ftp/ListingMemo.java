package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.VfsPath;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Remembers parsed directory listings for a few seconds, so that {@code stat} of every entry
 * after a {@code readdir} (what {@code find}, {@code ls -l} and the kernel's lookups do) costs no
 * round trip: FTP has no cheap "stat one name" command on LIST-only servers. Long-lived metadata
 * caching belongs to the cache layer; this only covers one walk. Bounded (LRU). Thread-safe.
 */
final class ListingMemo {

    private final long ttlNanos;
    private final int maxDirectories;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<VfsPath, Memo> memos;

    private record Memo(Map<String, RemoteEntry> entries, long expiresAt) {
    }

    /**
     * Creates an empty memo.
     *
     * @param ttl            how long a listing is reused
     * @param maxDirectories how many listings are kept at most
     * @param nanoClock      the time source, {@link System#nanoTime()} outside tests
     */
    ListingMemo(Duration ttl, int maxDirectories, LongSupplier nanoClock) {
        this.ttlNanos = ttl.toNanos();
        this.maxDirectories = maxDirectories;
        this.nanoClock = nanoClock;
        this.memos = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Returns the entries of {@code dir} by name, if listed within the time to live. */
    synchronized Optional<Map<String, RemoteEntry>> get(VfsPath dir) {
        Memo m = memos.get(dir);
        if (m == null) {
            return Optional.empty();
        }
        if (nanoClock.getAsLong() - m.expiresAt() >= 0) {
            memos.remove(dir);
            return Optional.empty();
        }
        return Optional.of(m.entries());
    }

    /** Forgets the listing of {@code dir}, so the next lookup asks the server. */
    synchronized void invalidate(VfsPath dir) {
        memos.remove(dir);
    }

    /** Remembers the entries of {@code dir} (an unmodifiable map in listing order). */
    synchronized void put(VfsPath dir, Map<String, RemoteEntry> entries) {
        if (ttlNanos <= 0) {
            return;
        }
        memos.put(dir, new Memo(entries, nanoClock.getAsLong() + ttlNanos));
        while (memos.size() > maxDirectories) {
            memos.remove(memos.keySet().iterator().next());
        }
    }
}
