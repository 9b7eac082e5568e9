package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsPath;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The listing memo with a fake clock. */
class ListingMemoTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void listingsExpireAfterTheirTimeToLive() {
        ListingMemo memo = new ListingMemo(Duration.ofSeconds(5), 10, now::get);
        memo.put(VfsPath.parse("/a"), Map.of());
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertTrue(memo.get(VfsPath.parse("/a")).isPresent());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(memo.get(VfsPath.parse("/a")).isEmpty());
    }

    @Test
    void leastRecentlyUsedListingsAreDroppedBeyondTheBound() {
        ListingMemo memo = new ListingMemo(Duration.ofSeconds(5), 2, now::get);
        memo.put(VfsPath.parse("/a"), Map.of());
        memo.put(VfsPath.parse("/b"), Map.of());
        memo.get(VfsPath.parse("/a"));
        memo.put(VfsPath.parse("/c"), Map.of());
        assertTrue(memo.get(VfsPath.parse("/a")).isPresent());
        assertTrue(memo.get(VfsPath.parse("/b")).isEmpty());
        memo.invalidate(VfsPath.parse("/a"));
        assertEquals(false, memo.get(VfsPath.parse("/a")).isPresent());
    }

    @Test
    void aZeroTimeToLiveRemembersNothing() {
        ListingMemo memo = new ListingMemo(Duration.ZERO, 2, now::get);
        memo.put(VfsPath.parse("/a"), Map.of());
        assertTrue(memo.get(VfsPath.parse("/a")).isEmpty());
    }
}
