package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Decoded copies without a disk tier: a private directory made on the first copy, bounded, removed at close. */
class TemporaryDecodedStoreTest {

    @Test
    void theDirectoryAppearsWithTheFirstCopyStaysBoundedAndGoesAtClose() throws Exception {
        TemporaryDecodedStore store = new TemporaryDecodedStore(300_000);
        assertFalse(store.contains("a"));
        assertTrue(store.description().contains("--no-cache-dir"), store.description());
        for (int i = 0; i < 5; i++) {
            store.write("k" + i, new byte[100_000]);
        }
        assertTrue(store.read("k0").isEmpty(), "the least recently used copy went: bounded");
        assertArrayEquals(new byte[100_000], store.read("k4").orElseThrow());
        Matcher m = Pattern.compile("directory (\\S+) \\(").matcher(store.description());
        assertTrue(m.find(), store.description());
        Path dir = Path.of(m.group(1));
        assertTrue(Files.isDirectory(dir));
        store.close();
        assertFalse(Files.exists(dir), "removed at close");
        assertTrue(store.read("k4").isEmpty());
    }

    @Test
    void aMirrorWithoutDiskTierHandsItToTheArchiveLayerAndRemovesItAtClose() throws Exception {
        BlockCache cache = BlockCache.create(CacheConfig.DEFAULTS, new ManualExecutor(), new FakeTicker());
        var store = cache.decodedStore().orElseThrow();
        store.write("x", new byte[] {1});
        Matcher m = Pattern.compile("directory (\\S+) \\(").matcher(store.description());
        assertTrue(m.find(), store.description());
        cache.close();
        assertFalse(Files.exists(Path.of(m.group(1))));
    }
}
