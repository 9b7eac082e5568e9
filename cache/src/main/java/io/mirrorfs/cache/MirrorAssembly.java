package io.mirrorfs.cache;

import io.mirrorfs.vfs.MountTable;
import io.mirrorfs.vfs.ProxySettings;
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

/**
 * Wires sources, caches, the mount table and the archive layer into the one {@link Vfs} a mirror
 * serves. The FUSE mount and the {@code mirror:} NIO file system both build their tree here, so
 * they cannot drift apart.
 */
public final class MirrorAssembly {

    private MirrorAssembly() {
    }

    /**
     * Returns the mirror for {@code specs}: every source behind a {@link CachingVfs} sharing one
     * {@link BlockCache} (one memory budget, one read-ahead pool), keyed by the source's mount
     * path and redacted URL so the disk tier finds its blocks again after a restart; the mount
     * table of those wrapped in an {@link ArchiveLayer} so {@code NAME#/} enters archives, whose
     * checkpoints are counted in the same budget (the block cache shrinks by what they hold); and
     * on top {@code /.mirrorfs/stats}, which also closes the cache when the mirror is closed. On
     * any failure, sources already opened are closed.
     *
     * @throws IllegalArgumentException for duplicate mount paths, unknown schemes or bad URLs, or
     *                                  checkpoint memory beyond {@link CacheConfig#maxCheckpointBytes}
     * @throws IOException              if a source cannot be created (a missing local directory)
     */
    public static Vfs assemble(List<SourceSpec> specs, SourceOptions options, CacheConfig cacheConfig, ArchiveOptions archiveOptions,
                               Clock clock) throws IOException {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("at least one source /PATH=URL is needed");
        }
        CacheConfig.checkpointShare(cacheConfig.maxBytes(), archiveOptions.checkpointMemory()); // fails naming the options
        Map<VfsPath, Vfs> mounts = new LinkedHashMap<>();
        Map<String, String> routes = new LinkedHashMap<>();
        BlockCache cache = BlockCache.create(cacheConfig);
        try {
            for (SourceSpec spec : specs) {
                if (mounts.containsKey(spec.mountPath())) {
                    throw new IllegalArgumentException("two sources are mounted at " + spec.mountPath());
                }
                try {
                    // Each source reports its upstream requests into its own counters, beside the cache's.
                    SourceOptions own = options.toBuilder().metrics(cache.countersFor(spec.redacted())).build();
                    mounts.put(spec.mountPath(), new CachingVfs(Sources.open(spec.url(), own), spec.redacted(), cache,
                            options.maxConnections()));
                    route(spec, options).ifPresent(r -> routes.put(spec.redacted(), r));
                } catch (IOException e) {
                    throw new IOException("source " + spec.redacted() + ": " + e.getMessage(), e);
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
        ArchiveLayer archives = new ArchiveLayer(new MountTable(mounts, clock.instant()), archiveOptions, cache::checkpointBytes,
                cache.decodedStore());
        return new StatsFileVfs(archives, cache, archives.metrics(), clock, routes);
    }

    /** Returns the proxy an HTTP source's requests go through ({@code direct} for none), without its user info. */
    private static java.util.Optional<String> route(SourceSpec spec, SourceOptions options) {
        java.net.URI url;
        try {
            url = java.net.URI.create(spec.url());
        } catch (IllegalArgumentException e) {
            return java.util.Optional.empty(); // the source itself already refused it
        }
        String scheme = String.valueOf(url.getScheme()).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(options.proxies().proxyFor(url).map(ProxySettings::redacted).orElse("direct"));
    }
}
