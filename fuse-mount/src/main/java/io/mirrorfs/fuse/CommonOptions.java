package io.mirrorfs.fuse;

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

    @Option(names = "--show-outside-symlinks",
            description = "Show symlinks whose target lies outside their source (hidden by default, so a web server following symlinks cannot reach the host's files).")
    boolean showOutsideSymlinks;

    @Option(names = {"-v", "--verbose"}, description = "Log debug details and stack traces.")
    boolean verbose;

    @Option(names = "--debug-fuse", description = "Print libfuse's own trace of every kernel request (very verbose).")
    boolean debugFuse;

    /** Returns the network settings as the VFS's options record. */
    SourceOptions sourceOptions() {
        SourceOptions.Builder b = SourceOptions.builder()
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .retries(retries)
                .maxConnections(maxConnections)
                .showOutsideSymlinks(showOutsideSymlinks);
        if (credentialsFile != null) {
            b.credentialsFile(credentialsFile);
        }
        return b.build();
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
