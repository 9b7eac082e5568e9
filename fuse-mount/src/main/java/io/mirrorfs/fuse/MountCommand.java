package io.mirrorfs.fuse;

import io.mirrorfs.cache.CacheConfig;
import io.mirrorfs.cache.SourceSpec;
import io.mirrorfs.cache.MirrorAssembly;
import io.mirrorfs.cache.StatsFileVfs;
import io.mirrorfs.vfs.Vfs;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mirrorfs mount MOUNTPOINT --source /PATH=URL ...}: the main job. */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mount sources as one read-only directory and stay in the foreground until it is unmounted.",
                "Prints one line when the mount is ready. Unmount with: fusermount -u MOUNTPOINT (or Ctrl-C / SIGTERM); exits 0."},
        footer = {"", "Examples:",
                "  mirrorfs mount /srv/mirror --source /=http://host/pub/ --source /ftp=ftp://host/pub/",
                "  mirrorfs mount /mnt/data --source /=file:///srv/data -o allow_other"})
final class MountCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An existing, empty directory to mount on.")
    Path mountPoint;

    @Option(names = "--source", paramLabel = "/PATH=URL", required = true,
            description = "Mount URL at PATH inside the mirror. Schemes: file:///DIR (more as they land). Repeatable; the longest PATH wins; parents of PATHs are created.")
    List<String> sources;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read settings from FILE: 'key = value' lines whose keys are this command's long options without dashes "
                    + "(uid = 33, read-timeout = 10s, o = allow_other), 'source /PATH = URL' lines, 'mountpoint = DIR' and '#' comments. "
                    + "Options on the command line win over the file. See mirrorfs(1) and /etc/mirrorfs/example.conf.")
    Path config;

    @Option(names = "--metrics", paramLabel = "[ADDR:]PORT", converter = MetricsAddress.Converter.class,
            description = "Serve Prometheus metrics on http://ADDR:PORT/metrics and a health check on /healthz "
                    + "(200 while mounted and every source online or serving stale within --stale-if-error, 503 and the reason otherwise). A bare PORT listens on "
                    + "127.0.0.1 only. Off by default.")
    MetricsAddress metrics;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Main.configureLogging(common);
        List<SourceSpec> specs = sources.stream().map(SourceSpec::parse).toList();
        Mounter mounter = new Mounter(mountPoint, common.fuseOptionsWithCacheTimeouts(), common.debugFuse, common.uid(), common.gid(), System.out);
        mounter.checkMountPoint();
        for (SourceSpec spec : specs) {
            localPath(spec.url()).ifPresent(p -> mounter.refuseInsideMountPoint("source " + spec.url(), p));
        }
        common.useDefaultCacheDir(DefaultCacheDir.of(specs, System.getenv(), new com.sun.security.auth.module.UnixSystem().getUid() == 0));
        CacheConfig cacheConfig = common.cacheConfig();
        cacheConfig.diskDir().ifPresent(d -> mounter.refuseInsideMountPoint("cache directory", d));
        Vfs vfs = MirrorAssembly.assemble(specs, common.sourceOptions(), cacheConfig, common.archiveOptions(), Clock.systemUTC());
        String what = specs.stream().map(SourceSpec::redacted).collect(Collectors.joining(" "));
        String disk = cacheConfig.diskDir().map(d -> "; disk tier " + d).orElse("; no disk tier");
        String ready = "mirrorfs: mounted " + what + " at " + mountPoint.toAbsolutePath().normalize() + disk;
        if (metrics == null || !(vfs instanceof StatsFileVfs stats)) {
            return mounter.run(vfs, ready);
        }
        FuseMetrics fuse = FuseMetrics.enabled();
        MetricsEndpoint endpoint;
        try {
            endpoint = MetricsEndpoint.start(metrics, stats, fuse);
        } catch (IOException e) {
            vfs.close();
            throw e;
        }
        try (endpoint) {
            return mounter.run(vfs, ready, fuse);
        }
    }

    /** Returns the directory of a {@code file:} URL; empty for other schemes or URLs that do not parse (the source reports those). */
    private static Optional<Path> localPath(String url) {
        try {
            URI uri = new URI(url);
            return "file".equalsIgnoreCase(uri.getScheme()) && uri.getPath() != null ? Optional.of(Path.of(uri.getPath())) : Optional.empty();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
