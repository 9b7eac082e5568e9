package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CacheConfigTest {

    @Test
    void sizesParseWithBinaryUnits() {
        assertEquals(65536, CacheConfig.parseSize("65536"));
        assertEquals(64L << 20, CacheConfig.parseSize("64M"));
        assertEquals(64L << 20, CacheConfig.parseSize("64MiB"));
        assertEquals(1L << 30, CacheConfig.parseSize("1g"));
        assertEquals(3L << 29, CacheConfig.parseSize("1.5G"));
        assertEquals("64M", CacheConfig.formatSize(64L << 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheConfig.parseSize("lots"));
        assertTrue(e.getMessage().contains("'lots' is not a size"));
    }

    @Test
    void conflictsNameBothSettings() {
        String small = assertThrows(IllegalArgumentException.class,
                () -> CacheConfig.builder().maxBytes(4L << 20).build()).getMessage();
        assertTrue(small.contains("--cache-size 4M") && small.contains("--block-size 1M"), small);
        String ahead = assertThrows(IllegalArgumentException.class,
                () -> CacheConfig.builder().maxBytes(16L << 20).readAheadBlocks(8).build()).getMessage();
        assertTrue(ahead.contains("--read-ahead 8") && ahead.contains("--cache-size 16M"), ahead);
        String disk = assertThrows(IllegalArgumentException.class,
                () -> CacheConfig.builder().diskMaxBytes(1L << 30).build()).getMessage();
        assertTrue(disk.contains("--disk-cache-size") && disk.contains("--cache-dir"), disk);
        String odd = assertThrows(IllegalArgumentException.class,
                () -> CacheConfig.builder().blockSize(100_000).build()).getMessage();
        assertTrue(odd.contains("--block-size"), odd);
        assertEquals(Path.of("/x"), CacheConfig.builder().diskDir(Path.of("/x")).build().diskDir().orElseThrow());
    }

    @Test
    void theBudgetIsSplitBetweenSharedAndPinnedBlocks() {
        CacheConfig c = CacheConfig.DEFAULTS;
        assertEquals(c.maxBytes(), c.sharedBytes() + c.pinnedBytes());
        assertEquals(64L << 20, c.pinnedBytes());
    }

    @Test
    void dirReadAheadOutsideItsRangeIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheConfig.builder().dirReadAhead(-1).build());
        assertTrue(e.getMessage().contains("--dir-read-ahead must be from 0 to 64"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CacheConfig.builder().dirReadAhead(65).build());
        assertTrue(CacheConfig.builder().dirReadAhead(0).build().dirReadAhead() == 0);
    }
}
