package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listings and file versions persisted in the disk tier: a restart (a new {@link BlockCache} over
 * the same directory) answers from disk, revalidates after the TTL with one conditional request,
 * never serves a damaged record or another source's tree, and serves stale while the source is
 * down, up to {@code --stale-if-error}.
 */
class PersistedMetadataTest {

    private static final Duration TTL = Duration.ofSeconds(60);
    private static final VfsPath PUB = VfsPath.parse("/pub");
    private static final VfsPath FILE = VfsPath.parse("/pub/data.bin");
    private static final byte[] DATA = CountingSource.pattern(200_000, 3);
    private static final String ID = "/m=mem://one/";

    @TempDir
    Path dir;

    private final FakeTicker clock = new FakeTicker();
    private final CountingSource source = new CountingSource().put("/pub/data.bin", DATA).put("/pub/b.txt", new byte[10]);

    private BlockCache cache(Duration staleIfError) throws IOException {
        CacheConfig config = CacheConfig.builder().blockSize(64 << 10).randomFetchSize(16 << 10).maxBytes(4L << 20)
                .metadataTtl(TTL).diskDir(dir).diskMaxBytes(4L << 20).staleIfError(staleIfError).build();
        return BlockCache.create(config, new ManualExecutor(), clock, clock);
    }

    private BlockCache cache() throws IOException {
        return cache(Duration.ofDays(7));
    }

    /** The first run: lists /pub and reads the file, then "stops". */
    private void firstRun() throws IOException {
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            vfs.list(PUB);
            assertArrayEquals(DATA, read(vfs, FILE));
        }
    }

    private static byte[] read(CachingVfs vfs, VfsPath path) throws IOException {
        try (VfsFile f = vfs.open(path)) {
            ByteBuffer b = ByteBuffer.allocate((int) f.attrs().size());
            while (b.hasRemaining() && f.read(b.position(), b) >= 0) {
                // keep reading
            }
            return b.array();
        }
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).sorted().toList();
    }

    @Test
    void aRestartAnswersLsStatAndCachedReadsFromDiskAtOnce() throws IOException {
        firstRun();
        int lists = source.lists.get();
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            clock.advance(Duration.ofSeconds(10)); // within the TTL counted from the first run's listing
            assertEquals(List.of("b.txt", "data.bin"), names(vfs.list(PUB)));
            assertEquals(DATA.length, vfs.stat(FILE).size());
            assertEquals(10, vfs.stat(VfsPath.parse("/pub/b.txt")).size());
            assertEquals(lists, source.lists.get(), "no listing went upstream");
            source.setDown(true); // reads of cached blocks need no source either
            assertArrayEquals(DATA, read(vfs, FILE));
        }
    }

    @Test
    void afterTheTtlOneConditionalRequestRevalidatesAnUnchangedDirectory() throws IOException {
        firstRun();
        int lists = source.lists.get();
        clock.advance(TTL.plusSeconds(1));
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertEquals(List.of("b.txt", "data.bin"), names(vfs.list(PUB)));
            assertEquals(DATA.length, vfs.stat(FILE).size());
            assertEquals(lists + 1, source.lists.get());
            assertEquals(1, source.unchanged.get(), "answered unchanged (a 304)");
            vfs.list(PUB);
            assertEquals(lists + 1, source.lists.get(), "fresh again for another TTL");
        }
    }

    @Test
    void aStatAfterTheTtlRevalidatesTheParentListingNotThePath() throws IOException {
        firstRun();
        int stats = source.stats.get();
        clock.advance(TTL.plusSeconds(1));
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertEquals(10, vfs.stat(VfsPath.parse("/pub/b.txt")).size());
            assertEquals(stats, source.stats.get());
            assertEquals(1, source.unchanged.get());
        }
    }

    @Test
    void aFileChangedWhileTheMirrorWasDownIsSeenWholeAfterTheTtl() throws IOException {
        firstRun();
        byte[] changed = CountingSource.pattern(DATA.length, 99);
        source.put("/pub/data.bin", changed);
        clock.advance(TTL.plusSeconds(1));
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertArrayEquals(changed, read(vfs, FILE), "new version, no old block mixed in");
        }
    }

    @Test
    void anotherSourceIdNeverSeesThisSourcesTree() throws IOException {
        firstRun();
        source.setDown(true);
        try (BlockCache cache = cache()) {
            CachingVfs other = new CachingVfs(source, "/m=mem://two/", cache);
            assertThrows(ConnectException.class, () -> other.list(PUB));
        }
    }

    @Test
    void aTornRecordIsDroppedNeverServed() throws IOException {
        firstRun();
        // Every record loses its last byte's integrity, as if the machine died mid-write.
        DiskStore store = DiskStore.open(dir, 4L << 20);
        List<DiskStore.Stored> records = store.keys().stream().map(k -> store.stored(k).orElseThrow()).toList();
        store.close();
        assertTrue(records.size() >= 3, "a listing, attributes and blocks were saved: " + records.size());
        for (DiskStore.Stored r : records) {
            try (FileChannel ch = FileChannel.open(r.segment(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.read(last, r.end() - 1);
                last.put(0, (byte) (last.get(0) ^ 0x5a)).rewind();
                ch.write(last, r.end() - 1);
            }
        }
        source.setDown(true);
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertThrows(ConnectException.class, () -> vfs.list(PUB));
            source.setDown(false);
            assertEquals(List.of("b.txt", "data.bin"), names(vfs.list(PUB)));
            assertTrue(cache.stats().diskCorrupt() >= 1);
        }
    }

    @Test
    void aDeadSourceIsAnsweredStaleUpToStaleIfErrorAndShownOffline() throws IOException {
        firstRun();
        source.setDown(true);
        clock.advance(Duration.ofDays(6));
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertEquals(List.of("b.txt", "data.bin"), names(vfs.list(PUB)));
            assertEquals(DATA.length, vfs.stat(FILE).size());
            assertArrayEquals(DATA, read(vfs, FILE));
            assertThrows(IOException.class, () -> read(vfs, VfsPath.parse("/pub/b.txt")), "never read: no block to serve");
            String state = cache.stats().sources().get(ID).state();
            assertTrue(state.startsWith("offline since 2026-01-07T") && state.endsWith("serving stale"), state);
            // The same state for the metrics and /healthz: stale, healthy (within --stale-if-error).
            assertEquals(SourceStatus.State.STALE, cache.sourceStatus().get(ID).state());
            assertTrue(cache.sourceStatus().get(ID).healthy());
            // Past the limit: the listing was confirmed 13 days ago, and the file's saved attributes
            // (of unknown age: no date is saved with them) count as confirmed when the source went offline.
            clock.advance(Duration.ofDays(7));
            assertEquals(SourceStatus.State.OFFLINE, cache.sourceStatus().get(ID).state());
            assertTrue(cache.stats().sources().get(ID).state().matches("offline since \\S+Z"), cache.stats().sources().get(ID).state());

            source.setDown(false);
            clock.advance(TTL.plusSeconds(1));
            vfs.list(PUB);
            assertEquals("online", cache.stats().sources().get(ID).state());
        }
    }

    @Test
    void aLinkTargetReadBeforeIsServedWhileTheSourceIsDown() throws IOException {
        source.link("/pub/latest", "data.bin");
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            vfs.list(PUB);
            assertEquals("data.bin", vfs.readlink(VfsPath.parse("/pub/latest")));
        }
        source.setDown(true);
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertEquals(List.of("b.txt", "data.bin", "latest"), names(vfs.list(PUB)));
            assertEquals("data.bin", vfs.readlink(VfsPath.parse("/pub/latest")));
            assertThrows(ConnectException.class, () -> vfs.readlink(VfsPath.parse("/pub/b.txt")), "never read: the failure");
        }
    }

    @Test
    void pastStaleIfErrorTheFailureIsReported() throws IOException {
        firstRun();
        source.setDown(true);
        clock.advance(Duration.ofDays(8));
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertThrows(ConnectException.class, () -> vfs.list(PUB));
        }
    }

    @Test
    void staleIfErrorZeroTurnsItOff() throws IOException {
        firstRun();
        source.setDown(true);
        clock.advance(TTL.plusSeconds(1));
        try (BlockCache cache = cache(Duration.ZERO)) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            assertThrows(ConnectException.class, () -> vfs.list(PUB));
            assertThrows(ConnectException.class, () -> vfs.open(FILE), "no saved file version either");
        }
    }

    @Test
    void whileOfflineKnownDirectoriesAreAnsweredWithoutWaitingForTheSource() throws IOException {
        source.put("/other/x", new byte[1]);
        try (BlockCache cache = cache()) {
            CachingVfs vfs = new CachingVfs(source, ID, cache);
            vfs.list(PUB);
            vfs.list(VfsPath.parse("/other"));
            int lists = source.lists.get();
            source.setDown(true);
            clock.advance(TTL.plusSeconds(1));
            assertEquals(2, vfs.list(PUB).size()); // asks, fails, serves stale
            assertEquals(1, vfs.list(VfsPath.parse("/other")).size()); // offline: not asked within the probe interval
            assertEquals(lists, source.lists.get(), "failed calls are not counted by the source; none succeeded");
            assertEquals(3, cache.stats().sources().get(ID).listRequests(), "two listings, then one probe while offline");
        }
    }
}
