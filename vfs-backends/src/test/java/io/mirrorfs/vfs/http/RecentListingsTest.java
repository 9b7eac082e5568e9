package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.mirrorfs.vfs.VfsPath;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The bound and expiry of an HTTP source's working set of pages. */
class RecentListingsTest {

    private static DirListing page(int entries, long expiresAt) {
        List<IndexEntry> list = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            list.add(new IndexEntry("f" + i, "f" + i, IndexEntry.Kind.FILE, OptionalLong.of(1), Optional.empty()));
        }
        return new DirListing(URI.create("http://127.0.0.1/"), list, expiresAt, "");
    }

    @Test
    void evictsLeastRecentlyUsedPagesBeyondTheEntryBound() {
        RecentListings l = new RecentListings(25);
        VfsPath a = VfsPath.parse("/a");
        VfsPath b = VfsPath.parse("/b");
        VfsPath c = VfsPath.parse("/c");
        l.put(a, page(9, Long.MAX_VALUE)); // weighs 10
        l.put(b, page(9, Long.MAX_VALUE));
        assertNotNull(l.get(a, 0)); // a is now more recent than b
        l.put(c, page(9, Long.MAX_VALUE)); // 30 > 25: b goes
        assertNull(l.get(b, 0));
        assertNotNull(l.get(a, 0));
        assertNotNull(l.get(c, 0));
        assertEquals(20, l.entries());
    }

    @Test
    void aPageLargerThanTheBoundIsKeptAloneAndReplacingAPageKeepsTheCountRight() {
        RecentListings l = new RecentListings(5);
        l.put(VfsPath.parse("/a"), page(2, Long.MAX_VALUE));
        l.put(VfsPath.parse("/big"), page(50, Long.MAX_VALUE));
        assertEquals(1, l.size());
        assertEquals(51, l.entries());
        l.put(VfsPath.parse("/big"), page(1, Long.MAX_VALUE));
        assertEquals(2, l.entries());
    }

    @Test
    void anExpiredPageIsNotServedButStillNamesUrls() {
        RecentListings l = new RecentListings(100);
        DirListing p = page(1, 1000);
        l.put(VfsPath.ROOT, p);
        assertSame(p, l.get(VfsPath.ROOT, 999));
        assertSame(p, l.peek(VfsPath.ROOT));
        assertNull(l.get(VfsPath.ROOT, 1000));
        assertEquals(0, l.entries());
    }
}
