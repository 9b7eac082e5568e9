package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.cache.SourceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the default disk tier lives, and that its id follows the set of sources. */
class DefaultCacheDirTest {

    private static final List<SourceSpec> TWO = List.of(SourceSpec.parse("/a=http://127.0.0.1:8080/"), SourceSpec.parse("/b=ftp://127.0.0.1/pub/"));

    @Test
    void theIdIsTheSetOfSourcesNotTheirOrder() {
        String id = DefaultCacheDir.id(TWO);
        assertTrue(id.matches("[0-9a-f]{16}"), id);
        assertEquals(id, DefaultCacheDir.id(List.of(TWO.get(1), TWO.get(0))));
        assertNotEquals(id, DefaultCacheDir.id(List.of(TWO.get(0))));
        assertNotEquals(id, DefaultCacheDir.id(List.of(TWO.get(0), SourceSpec.parse("/b=ftp://127.0.0.1/other/"))), "a changed URL, another tree");
        assertEquals(DefaultCacheDir.id(List.of(SourceSpec.parse("/a=http://u:one@127.0.0.1/"))),
                DefaultCacheDir.id(List.of(SourceSpec.parse("/a=http://u:two@127.0.0.1/"))), "a new password keeps the cache");
    }

    @Test
    void systemdThenRootThenXdgThenHome() {
        String id = DefaultCacheDir.id(TWO);
        assertEquals(Path.of("/var/cache/mirrorfs", id), DefaultCacheDir.of(TWO, Map.of("CACHE_DIRECTORY", "/var/cache/mirrorfs"), false));
        assertEquals(Path.of("/var/cache/mirrorfs", id), DefaultCacheDir.of(TWO, Map.of("XDG_CACHE_HOME", "/x"), true));
        assertEquals(Path.of("/x/mirrorfs", id), DefaultCacheDir.of(TWO, Map.of("XDG_CACHE_HOME", "/x", "HOME", "/home/u"), false));
        assertEquals(Path.of("/home/u/.cache/mirrorfs", id), DefaultCacheDir.of(TWO, Map.of("XDG_CACHE_HOME", "rel", "HOME", "/home/u"), false),
                "a relative XDG_CACHE_HOME is ignored, as the spec says");
    }
}
