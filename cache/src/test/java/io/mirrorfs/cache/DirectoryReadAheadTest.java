package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DirectoryReadAhead} through {@link CachingVfs}: a walk finds its next listings in memory. */
class DirectoryReadAheadTest {

    private static final VfsPath TOP = VfsPath.parse("/top");

    private final CountingSource source = new CountingSource();
    private final ManualExecutor executor = new ManualExecutor();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    DirectoryReadAheadTest() {
        for (int d = 0; d < 12; d++) {
            source.put("/top/d" + d + "/f.txt", new byte[] {(byte) d});
        }
        source.put("/top/file.txt", new byte[] {1});
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private CachingVfs mirror(int dirReadAhead) throws IOException {
        BlockCache cache = BlockCache.create(CacheConfig.builder().dirReadAhead(dirReadAhead).build(), executor, new FakeTicker());
        toClose.add(cache);
        return new CachingVfs(source, "/m=mem:", cache);
    }

    /** The subdirectories of /top in the order its listing gives them. */
    private static List<VfsPath> subdirs(List<DirEntry> top) {
        List<VfsPath> out = new ArrayList<>();
        for (DirEntry e : top) {
            if (e.type() == FileType.DIRECTORY) {
                out.add(TOP.resolve(e.name()));
            }
        }
        return out;
    }

    @Test
    void aWalkFindsTheNextSiblingListingsInMemory() throws IOException {
        CachingVfs m = mirror(4);
        List<VfsPath> dirs = subdirs(m.list(TOP));
        assertEquals(0, executor.pending(), "listing one directory starts nothing");

        m.list(dirs.get(0)); // the walker descends: the next 4 siblings are fetched ahead
        assertTrue(executor.pending() >= 1 && executor.pending() <= 2, "at most 2 listings of one source at once: " + executor.pending());
        int before = source.lists.get();
        executor.runAll();
        assertEquals(before + 4, source.lists.get(), "the next 4 sibling directories, not the file, not more");

        before = source.lists.get();
        for (int i = 1; i <= 4; i++) {
            assertEquals(1, m.list(dirs.get(i)).size());
        }
        assertEquals(before, source.lists.get(), "the walker's next listings came from memory");
        executor.runAll(); // the window slid along: d5..d8 now
        assertEquals(before + 4, source.lists.get());
        before = source.lists.get();
        m.list(dirs.get(5));
        assertEquals(before, source.lists.get());
    }

    @Test
    void listingOneDirectoryWithoutAWalkFetchesNothingElse() throws IOException {
        CachingVfs m = mirror(4);
        m.list(TOP.resolve("d3")); // the parent was never listed: not a walk
        assertEquals(0, executor.pending());
        assertEquals(1, source.lists.get());
    }

    @Test
    void zeroDisablesIt() throws IOException {
        CachingVfs m = mirror(0);
        List<VfsPath> dirs = subdirs(m.list(TOP));
        m.list(dirs.get(0));
        assertEquals(0, executor.pending());
        assertEquals(2, source.lists.get());
    }

    @Test
    void aFailedReadAheadLeavesTheErrorToTheWalkersOwnListing() throws IOException {
        CachingVfs m = mirror(4);
        List<VfsPath> dirs = subdirs(m.list(TOP));
        m.list(dirs.get(0));
        source.setDown(true);
        executor.runAll(); // every read-ahead fails, quietly
        assertThrows(ConnectException.class, () -> m.list(dirs.get(1)), "the walker's own listing reports the source's error");
        source.setDown(false);
        int before = source.lists.get();
        assertEquals(1, m.list(dirs.get(1)).size(), "nothing was cached from the failures");
        assertEquals(before + 1, source.lists.get());
    }

    @Test
    void theEndOfTheParentListingStopsIt() throws IOException {
        CachingVfs m = mirror(4);
        List<VfsPath> dirs = subdirs(m.list(TOP));
        m.list(dirs.get(dirs.size() - 1));
        assertEquals(0, executor.pending(), "no sibling after the last directory");
        m.list(dirs.get(dirs.size() - 3));
        int before = source.lists.get();
        executor.runAll();
        assertEquals(before + 1, source.lists.get(), "only the one sibling not yet listed");
    }
}
