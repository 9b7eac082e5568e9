package io.mirrorfs.fuse;

import io.mirrorfs.vfs.ProxySettings;
import io.mirrorfs.vfs.SourceOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code mount} and {@code demo}: FUSE, ownership, network and logging. */
final class CommonOptions {

    @Option(names = "-o", paramLabel = "OPTIONS",
            description = "FUSE mount options, comma-separated, merged over the defaults ("
                    + FuseOptions.DEFAULTS + "), e.g. -o allow_other or -o attr_timeout=60. Repeatable.")
    List<String> fuseOptions = new ArrayList<>();

    @Option(names = "--uid", paramLabel = "UID", description = "Owner of every file and directory (default: the mounting user).")
    Long uid;

    @Option(names = "--gid", paramLabel = "GID", description = "Group of every file and directory (default: the mounting user's group).")
    Long gid;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5s",
            description = "How long to wait for a connection to a server (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--read-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s",
            description = "How long a server may stay silent during a transfer before the read fails with EIO (default: ${DEFAULT-VALUE}).")
    Duration readTimeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "How many times a failed transfer is retried, resuming where it stopped (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "8",
            description = "Most connections (and concurrent transfers) per source (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--credentials-file", paramLabel = "FILE",
            description = "File with 'URL USER PASSWORD' lines for sources that need a login, so no password appears in ps.")
    Path credentialsFile;

    @Option(names = "--proxy", paramLabel = "URL",
            description = "HTTP proxy for http:// and https:// sources (HTTPS through CONNECT), e.g. http://proxy:3128; "
                    + "overrides http_proxy and https_proxy. Its login: a --credentials-file line for the proxy URL, or user:password@ in the URL.")
    String proxy;

    @Option(names = "--no-proxy", paramLabel = "HOSTS",
            description = "Comma-separated hosts (and their subdomains; * for all; 10.0.0.0/8 for addresses in a range) reached without the proxy; overrides no_proxy.")
    String noProxy;

    @Option(names = "--ftp-active",
            description = "Use active-mode FTP data connections (the server connects back) instead of passive (EPSV, then PASV); per source: ftp://host/dir/?mode=active.")
    boolean ftpActive;

    @Option(names = "--show-outside-symlinks",
            description = "Show symlinks whose target lies outside their source (hidden by default, so a web server following symlinks cannot reach the host's files).")
    boolean showOutsideSymlinks;

    @Option(names = "--cache-size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "256M",
            description = "Memory for cached file data and archive checkpoints, all sources together, e.g. 64M or 1G (default: ${DEFAULT-VALUE}).")
    long cacheSize;

    @Option(names = "--block-size", paramLabel = "SIZE", converter = SizeConverter.class, defaultValue = "1M",
            description = "Unit of caching and of sequential fetches, a power of two from 4K to 64M (default: ${DEFAULT-VALUE}).")
    long blockSize;

    @Option(names = "--read-ahead", paramLabel = "BLOCKS", defaultValue = "4",
            description = "Blocks fetched ahead of a sequential reader; 0 disables (default: ${DEFAULT-VALUE}).")
    int readAhead;

    @Option(names = "--dir-read-ahead", paramLabel = "DIRS", defaultValue = "16",
            description = "During a directory walk (find, du, ls -R, rsync), list this many of the next sibling directories in the background, as many at once as --max-connections; 0 disables (default: ${DEFAULT-VALUE}).")
    int dirReadAhead;

    @Option(names = "--dir-cache-ttl", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long file attributes and listings are reused before asking the server again; an upstream change shows after at most this long (default: ${DEFAULT-VALUE}).")
    Duration dirCacheTtl;

    @Option(names = "--stale-if-error", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "7d",
            description = "While a server cannot be reached (refused, timed out, unknown host, 5xx), serve the listings and blocks cached from it "
                    + "if it confirmed them within this long; what was never cached fails at once (EIO); 0 turns it off (default: ${DEFAULT-VALUE}).")
    Duration staleIfError;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where the disk tier lives: checksummed blocks, listings and file versions, archive indexes and decoded copies, "
                    + "kept across restarts and served while a server is down. One daemon per directory. Default for mount: "
                    + "$CACHE_DIRECTORY/ID under systemd, /var/cache/mirrorfs/ID for root, else $XDG_CACHE_HOME/mirrorfs/ID (~/.cache), "
                    + "ID derived from the set of sources.")
    Path cacheDir;

    @Option(names = "--no-cache-dir",
            description = "No disk tier: blocks and metadata in memory only, lost at exit (archives that cannot be read at random are decoded again).")
    boolean noCacheDir;

    @Option(names = "--disk-cache-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Size bound of --cache-dir (blocks and decoded copies together), least recently used data evicted first (default: 1G).")
    Long diskCacheSize;

    @Option(names = "--archives", paramLabel = "MODE", defaultValue = "hidden",
            description = "Archives as directories at NAME#/ (or NAME#FORMAT/): hidden (reachable by name, not listed), visible (listed) or off (default: ${DEFAULT-VALUE}).")
    String archives;

    @Option(names = "--archive-index-memory", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "How much of --cache-size the decompression checkpoints of compressed archives may take, at most half of it; "
                    + "the block cache has the rest (default: a quarter of --cache-size, at most 64M).")
    Long archiveIndexMemory;

    @Option(names = {"-v", "--verbose"}, description = "Log debug details and stack traces.")
    boolean verbose;

    @Option(names = "--debug-fuse", description = "Print libfuse's own trace of every kernel request (very verbose).")
    boolean debugFuse;

    /**
     * Puts the disk tier in {@code defaultDir} unless --cache-dir names one or --no-cache-dir
     * turns it off.
     *
     * @throws IllegalArgumentException when --no-cache-dir is combined with --cache-dir or --disk-cache-size
     */
    void useDefaultCacheDir(Path defaultDir) {
        if (noCacheDir && cacheDir != null) {
            throw new IllegalArgumentException("--no-cache-dir and --cache-dir " + cacheDir + " contradict each other: keep one");
        }
        if (noCacheDir && diskCacheSize != null) {
            throw new IllegalArgumentException("--disk-cache-size bounds the disk tier, which --no-cache-dir turns off: keep one");
        }
        if (!noCacheDir && cacheDir == null) {
            cacheDir = defaultDir;
        }
    }

    /** Returns the {@code -o} values preceded by the kernel cache timeouts derived from --dir-cache-ttl. */
    List<String> fuseOptionsWithCacheTimeouts() {
        return CacheSettings.fuseOptions(dirCacheTtl, fuseOptions);
    }

    /** Returns the cache settings, checked against each other and the kernel timeouts. */
    io.mirrorfs.cache.CacheConfig cacheConfig() {
        return CacheSettings.config(cacheSize, blockSize, readAhead, dirReadAhead, dirCacheTtl, cacheDir, diskCacheSize, fuseOptions)
                .withStaleIfError(staleIfError);
    }

    /**
     * Returns the archive layer's settings; indexes persist in {@code --cache-dir}/archive-indexes,
     * and the checkpoints' share of {@code --cache-size} is checked against it.
     *
     * @throws IllegalArgumentException when --archive-index-memory exceeds half of --cache-size
     */
    io.mirrorfs.vfs.archive.ArchiveOptions archiveOptions() {
        long memory = CacheSettings.checkpointMemory(cacheSize, archiveIndexMemory);
        io.mirrorfs.vfs.archive.ArchiveOptions.Builder b = io.mirrorfs.vfs.archive.ArchiveOptions.builder()
                .visibility(io.mirrorfs.vfs.archive.ArchiveVisibility.parse(archives))
                .checkpointMemory(memory)
                .showOutsideSymlinks(showOutsideSymlinks);
        if (cacheDir != null) {
            b.indexDirectory(cacheDir.resolve("archive-indexes"));
        }
        return b.build();
    }

    /** Returns the network settings as the VFS's options record, proxies from this process's environment and the options. */
    SourceOptions sourceOptions() {
        return sourceOptions(System.getenv());
    }

    /**
     * Returns the network settings, with proxies from {@code environment} ({@code http_proxy} and
     * the rest, as curl reads them) overridden by {@code --proxy} and {@code --no-proxy}.
     *
     * @throws IllegalArgumentException if a proxy URL is unusable (the message names the variable or option)
     */
    SourceOptions sourceOptions(java.util.Map<String, String> environment) {
        SourceOptions.Builder b = SourceOptions.builder()
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .retries(retries)
                .maxConnections(maxConnections)
                .showOutsideSymlinks(showOutsideSymlinks)
                .ftpActiveMode(ftpActive)
                .proxies(proxies(environment));
        if (credentialsFile != null) {
            b.credentialsFile(credentialsFile);
        }
        return b.build();
    }

    private ProxySettings proxies(java.util.Map<String, String> environment) {
        ProxySettings p = ProxySettings.fromEnvironment(environment);
        if (proxy != null) {
            try {
                p = p.withProxy(ProxySettings.parse(proxy));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--proxy: " + e.getMessage());
            }
        }
        if (noProxy != null) {
            p = p.withNoProxy(ProxySettings.splitList(noProxy));
        }
        return p;
    }

    /** Returns the owner to report, defaulting to the user running mirrorfs. */
    long uid() {
        return uid != null ? uid : new com.sun.security.auth.module.UnixSystem().getUid();
    }

    /** Returns the group to report, defaulting to the primary group of the user running mirrorfs. */
    long gid() {
        return gid != null ? gid : new com.sun.security.auth.module.UnixSystem().getGid();
    }
}
