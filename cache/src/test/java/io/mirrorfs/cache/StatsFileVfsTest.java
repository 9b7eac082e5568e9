package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsFileVfsTest {

    @Test
    void theStatsFileIsReadableHiddenAndOfStableSize() throws Exception {
        CountingSource source = new CountingSource().put("/a.bin", CountingSource.pattern(200_000, 1));
        BlockCache cache = BlockCache.create(CacheConfig.DEFAULTS, new ManualExecutor(), new FakeTicker());
        CachingVfs cached = new CachingVfs(source, "/=mem:", cache);
        try (StatsFileVfs vfs = new StatsFileVfs(cached, cache, Clock.systemUTC())) {
            long sizeBefore = vfs.stat(StatsFileVfs.STATS).size();
            try (VfsFile f = vfs.open(VfsPath.parse("/a.bin"))) {
                f.read(0, ByteBuffer.allocate(100_000));
            }
            assertEquals(sizeBefore, vfs.stat(StatsFileVfs.STATS).size(), "fixed-width numbers keep the size");
            String text;
            try (VfsFile f = vfs.open(StatsFileVfs.STATS)) {
                ByteBuffer b = ByteBuffer.allocate((int) f.attrs().size());
                f.read(0, b);
                text = new String(b.array(), StandardCharsets.US_ASCII);
            }
            assertEquals(sizeBefore, text.length());
            assertTrue(text.contains("block_misses                    1\n") || text.matches("(?s).*block_misses +1\n.*"), text);
            assertTrue(text.contains("source /=mem: bytes_fetched"), text);
            assertFalse(vfs.list(VfsPath.ROOT).stream().anyMatch(e -> e.name().equals(".mirrorfs")), "hidden from listings");
            assertEquals(1, vfs.list(StatsFileVfs.DIR).size());
            assertTrue(vfs.stat(StatsFileVfs.DIR).isDirectory());
            assertThrows(NoSuchFileException.class, () -> vfs.stat(StatsFileVfs.DIR.resolve("other")));
        }
    }

    /**
     * The warm-up tree: served at /.mirrorfs/warmup while its handle is open, through its own
     * cache (the mirror's counters stay at zero), and gone, with its cache, once closed.
     */
    @Test
    void theWarmupTreeIsServedOnlyWhileOpenAndLeavesTheCacheUntouched() throws Exception {
        CountingSource source = new CountingSource().put("/a.bin", CountingSource.pattern(1000, 1));
        BlockCache cache = BlockCache.create(CacheConfig.DEFAULTS, new ManualExecutor(), new FakeTicker());
        CachingVfs cached = new CachingVfs(source, "/=mem:", cache);
        try (StatsFileVfs vfs = new StatsFileVfs(cached, cache, Clock.systemUTC())) {
            VfsPath tree = StatsFileVfs.WARMUP;
            assertThrows(NoSuchFileException.class, () -> vfs.stat(tree));
            String before = cache.stats().format();
            try (Closeable handle = vfs.serveWarmupTree()) {
                List<DirEntry> top = vfs.list(tree);
                assertEquals(WarmupTree.DIRS, top.size());
                int files = 0;
                for (DirEntry d : top) {
                    if (d.type() == FileType.DIRECTORY) {
                        for (DirEntry f : vfs.list(tree.resolve(d.name()))) {
                            FileAttrs a = vfs.stat(tree.resolve(d.name()).resolve(f.name()));
                            assertEquals(f.attrs().orElseThrow().size(), a.size(), f.name());
                            files++;
                        }
                    }
                }
                assertEquals(WarmupTree.DIRS * WarmupTree.FILES, files);
                try (VfsFile f = vfs.open(tree.resolve("d001").resolve("f23"))) {
                    ByteBuffer b = ByteBuffer.allocate(200);
                    assertEquals(123, f.read(0, b));
                    for (int i = 0; i < 123; i++) {
                        assertEquals(0, b.get(i));
                    }
                }
                assertThrows(NoSuchFileException.class, () -> vfs.stat(tree.resolve("d150")));
                assertThrows(NoSuchFileException.class, () -> vfs.stat(tree.resolve("d000").resolve("f100")));
            }
            assertThrows(NoSuchFileException.class, () -> vfs.stat(tree));
            assertThrows(NoSuchFileException.class, () -> vfs.open(tree.resolve("d001").resolve("f23")));
            assertEquals(before, cache.stats().format(), "the mirror's own cache saw nothing of the warm-up");
            assertEquals(0, source.stats.get() + source.lists.get() + source.opens.get(), "nor did its source");
        }
    }
}
