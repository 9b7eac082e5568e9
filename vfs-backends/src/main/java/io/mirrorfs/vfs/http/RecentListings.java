package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.VfsPath;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The directory pages an {@link HttpSource} parsed lately, least recently used first, bounded by
 * their total number of entries (a page counts one plus its entries).
 *
 * <p>Not a listing cache: the cache layer above owns listings and their freshness. This is the
 * working set a source needs between its own requests: a {@code stat} is answered from the
 * parent's page, a URL is built from the raw segments the pages gave (so Latin-1 names keep their
 * bytes), and a HEAD's answer is remembered beside its entry. Bounded, so a walk of a huge tree
 * does not keep every page it ever saw (it did, in an unbounded map). Thread-safe.
 */
final class RecentListings {

    /** Enough for the pages a walker is in and their parents; a few MiB at most. */
    static final int DEFAULT_MAX_ENTRIES = 50_000;

    private final int maxEntries;
    /** Guarded by {@code this}. */
    private final LinkedHashMap<VfsPath, DirListing> pages = new LinkedHashMap<>(64, 0.75f, true);
    private long entries;

    RecentListings(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive, got " + maxEntries);
        }
        this.maxEntries = maxEntries;
    }

    /** Returns the page of {@code dir}, or null when none is held (or it expired at {@code nowMillis}: then it is dropped). */
    synchronized DirListing get(VfsPath dir, long nowMillis) {
        DirListing l = pages.get(dir);
        if (l != null && l.expired(nowMillis)) {
            remove(dir);
            return null;
        }
        return l;
    }

    /** Returns the page of {@code dir} even when expired (its raw segments still name the URLs), or null. */
    synchronized DirListing peek(VfsPath dir) {
        return pages.get(dir);
    }

    /** Holds {@code listing} as the page of {@code dir}, evicting the least recently used pages beyond the bound. */
    synchronized void put(VfsPath dir, DirListing listing) {
        remove(dir);
        pages.put(dir, listing);
        entries += weight(listing);
        Iterator<Map.Entry<VfsPath, DirListing>> it = pages.entrySet().iterator();
        while (entries > maxEntries && it.hasNext()) {
            Map.Entry<VfsPath, DirListing> eldest = it.next();
            if (eldest.getKey().equals(dir)) {
                break; // the newest page stays even when it alone is over the bound
            }
            entries -= weight(eldest.getValue());
            it.remove();
        }
    }

    /** Returns how many entries the held pages count. */
    synchronized long entries() {
        return entries;
    }

    /** Returns how many pages are held. */
    synchronized int size() {
        return pages.size();
    }

    private void remove(VfsPath dir) {
        DirListing old = pages.remove(dir);
        if (old != null) {
            entries -= weight(old);
        }
    }

    private static long weight(DirListing l) {
        return 1L + l.nodes().size();
    }
}
