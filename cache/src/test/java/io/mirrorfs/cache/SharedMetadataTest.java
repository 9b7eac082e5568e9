package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One metadata store for every source: one bound all sources together, and no source sees another's entries. */
class SharedMetadataTest {

    private static CountingSource sourceWith(String prefix, int files) {
        CountingSource s = new CountingSource();
        for (int i = 0; i < files; i++) {
            s.put("/pub/" + prefix + i, new byte[i]);
        }
        return s;
    }

    @Test
    void twoSourcesShareOneEntryBoundAndKeepTheirOwnEntries() throws IOException {
        FakeTicker ticker = new FakeTicker();
        CacheConfig config = CacheConfig.builder().maxMetadataEntries(50).build();
        try (BlockCache cache = BlockCache.create(config, new ManualExecutor(), ticker, ticker)) {
            CachingVfs a = new CachingVfs(sourceWith("a", 40), "/a=mem://a/", cache);
            CachingVfs b = new CachingVfs(sourceWith("b", 40), "/b=mem://b/", cache);
            VfsPath pub = VfsPath.parse("/pub");
            assertEquals(40, a.list(pub).size());
            assertEquals(40, b.list(pub).size());
            assertTrue(cache.sharedMetadata().entries() <= 100,
                    "50 stat entries and 50 listed entries at most, both sources together: " + cache.sharedMetadata().entries());
            List<String> names = a.list(pub).stream().map(DirEntry::name).toList();
            assertTrue(names.stream().allMatch(n -> n.startsWith("a")), names.toString());
            assertEquals(3, a.stat(VfsPath.parse("/pub/a3")).size());
            assertEquals(7, b.stat(VfsPath.parse("/pub/b7")).size());
        }
    }
}
