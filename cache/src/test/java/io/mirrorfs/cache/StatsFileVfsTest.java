package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
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
}
