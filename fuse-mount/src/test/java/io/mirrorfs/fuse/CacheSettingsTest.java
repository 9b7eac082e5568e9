package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.cache.CacheConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CacheSettingsTest {

    private static CacheConfig config(Duration ttl, List<String> fuse) {
        return CacheSettings.config(256L << 20, 1 << 20, 4, 4, ttl, null, null, fuse);
    }

    @Test
    void kernelAndCacheSharesAddUpToTheTtl() {
        String merged = FuseOptions.merge("m", CacheSettings.fuseOptions(Duration.ofSeconds(60), List.of()));
        assertTrue(merged.contains("attr_timeout=5,entry_timeout=5,negative_timeout=5"), merged);
        CacheConfig c = config(Duration.ofSeconds(60), List.of());
        assertEquals(Duration.ofSeconds(55), c.metadataTtl());
        assertEquals(Duration.ofSeconds(5), c.negativeTtl());
        String shortTtl = FuseOptions.merge("m", CacheSettings.fuseOptions(Duration.ofSeconds(3), List.of()));
        assertTrue(shortTtl.contains("attr_timeout=1.5,entry_timeout=1.5,negative_timeout=1.5"), shortTtl);
        assertEquals(Duration.ofMillis(1500), config(Duration.ofSeconds(3), List.of()).metadataTtl());
        assertEquals(Duration.ZERO, config(Duration.ZERO, List.of()).metadataTtl());
    }

    @Test
    void aUserTimeoutShrinksTheCacheShareOrIsRefused() {
        assertEquals(Duration.ofSeconds(40), config(Duration.ofSeconds(60), List.of("attr_timeout=20")).metadataTtl());
        String msg = assertThrows(IllegalArgumentException.class,
                () -> config(Duration.ofSeconds(30), List.of("allow_other,attr_timeout=60"))).getMessage();
        assertTrue(msg.contains("attr_timeout") && msg.contains("--dir-cache-ttl 30s"), msg);
    }

    @Test
    void diskOptionsAreCheckedTogether() {
        String msg = assertThrows(IllegalArgumentException.class,
                () -> CacheSettings.config(256L << 20, 1 << 20, 4, 4, Duration.ofSeconds(60), null, 1L << 30, List.of())).getMessage();
        assertTrue(msg.contains("--disk-cache-size") && msg.contains("--cache-dir"), msg);
        CacheConfig c = CacheSettings.config(256L << 20, 1 << 20, 4, 4, Duration.ofSeconds(60), Path.of("/var/cache/m"), 2L << 30, List.of());
        assertEquals(2L << 30, c.diskMaxBytes());
    }

    @Test
    void staleIfErrorTakesDaysAndZeroAndRefusesNegative() {
        assertEquals(Duration.ofDays(7), DurationConverter.parse("7d"));
        assertEquals(Duration.ofDays(7), CacheConfig.DEFAULTS.staleIfError(), "the documented default");
        assertEquals(Duration.ZERO, CacheConfig.DEFAULTS.withStaleIfError(DurationConverter.parse("0")).staleIfError());
        String msg = assertThrows(IllegalArgumentException.class, () -> CacheConfig.DEFAULTS.withStaleIfError(Duration.ofSeconds(-1))).getMessage();
        assertTrue(msg.contains("--stale-if-error"), msg);
    }

    @Test
    void checkpointsTakeAShareOfTheCacheSize() {
        assertEquals(64L << 20, CacheSettings.checkpointMemory(256L << 20, null), "a quarter of the default 256M");
        assertEquals(8L << 20, CacheSettings.checkpointMemory(32L << 20, null));
        assertEquals(64L << 20, CacheSettings.checkpointMemory(1L << 30, null), "at most 64M by default");
        assertEquals(128L << 20, CacheSettings.checkpointMemory(256L << 20, 128L << 20), "up to half when asked for");
        assertEquals(0, CacheSettings.checkpointMemory(256L << 20, 0L));
        String msg = assertThrows(IllegalArgumentException.class, () -> CacheSettings.checkpointMemory(256L << 20, 300L << 20)).getMessage();
        assertTrue(msg.startsWith("--archive-index-memory 300M must be at most half of --cache-size 256M (128M)"), msg);
        assertEquals(1, msg.lines().count(), msg);
    }

    @Test
    void theCommandLineRefusesCheckpointMemoryBeyondHalfTheCache() {
        MountCommand mount = new MountCommand();
        new CommandLine(mount).parseArgs("/mnt/x", "--source", "/=file:///srv", "--cache-size", "64M", "--archive-index-memory", "40M");
        String msg = assertThrows(IllegalArgumentException.class, mount.common::archiveOptions).getMessage();
        assertTrue(msg.contains("--archive-index-memory 40M") && msg.contains("--cache-size 64M (32M)"), msg);

        MountCommand fits = new MountCommand();
        new CommandLine(fits).parseArgs("/mnt/x", "--source", "/=file:///srv", "--cache-size", "64M", "--archive-index-memory", "32M");
        assertEquals(32L << 20, fits.common.archiveOptions().checkpointMemory());
        MountCommand byDefault = new MountCommand();
        new CommandLine(byDefault).parseArgs("/mnt/x", "--source", "/=file:///srv", "--cache-size", "64M");
        assertEquals(16L << 20, byDefault.common.archiveOptions().checkpointMemory());
    }
}
