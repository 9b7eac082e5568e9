package io.mirrorfs.fuse;

import io.mirrorfs.cache.BlockCache;
import io.mirrorfs.cache.CacheConfig;
import io.mirrorfs.cache.CachingVfs;
import io.mirrorfs.cache.StatsFileVfs;
import io.mirrorfs.vfs.MountTable;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.archive.ArchiveLayer;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Wires sources, caches and the mount table into the one {@link Vfs} the FUSE edge serves. */
final class MirrorAssembly {

    private MirrorAssembly() {
    }

    /**
     * Returns the mirror for {@code specs}. On any failure, sources already opened are closed.
     *
     * @throws IllegalArgumentException for duplicate mount paths, unknown schemes or bad URLs
     * @throws IOException              if a source cannot be created (a missing local directory)
     */
    static Vfs assemble(List<SourceSpec> specs, SourceOptions options, Clock clock) throws IOException {
        return assemble(specs, options, CacheConfig.DEFAULTS, clock);
    }

    /**
     * Returns the mirror for {@code specs}, every source behind a {@link CachingVfs} sharing one
     * {@link BlockCache} (one memory budget, one read-ahead pool), keyed by the source's mount
     * path and redacted URL so the disk tier finds its blocks again after a restart. The top
     * adds {@code /.mirrorfs/stats} and closes the cache at unmount.
     */
    static Vfs assemble(List<SourceSpec> specs, SourceOptions options, CacheConfig cacheConfig, Clock clock) throws IOException {
        return assemble(specs, options, cacheConfig, ArchiveOptions.defaults(), clock);
    }

    /** As above, with the mount table wrapped in an {@link ArchiveLayer} so {@code NAME#/} enters archives. */
    static Vfs assemble(List<SourceSpec> specs, SourceOptions options, CacheConfig cacheConfig, ArchiveOptions archiveOptions,
                        Clock clock) throws IOException {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("at least one --source /PATH=URL is needed");
        }
        Map<VfsPath, Vfs> mounts = new LinkedHashMap<>();
        BlockCache cache = BlockCache.create(cacheConfig);
        try {
            for (SourceSpec spec : specs) {
                if (mounts.containsKey(spec.mountPath())) {
                    throw new IllegalArgumentException("two sources are mounted at " + spec.mountPath());
                }
                try {
                    mounts.put(spec.mountPath(), new CachingVfs(Sources.open(spec.url(), options),
                            spec.redacted(), cache));
                } catch (IOException e) {
                    throw new IOException("--source " + spec.redacted() + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException | RuntimeException e) {
            for (Vfs v : mounts.values()) {
                try {
                    v.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            cache.close();
            throw e;
        }
        return new StatsFileVfs(new ArchiveLayer(new MountTable(mounts, clock.instant()), archiveOptions), cache, clock);
    }
}
