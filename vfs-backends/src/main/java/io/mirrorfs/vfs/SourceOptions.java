package io.mirrorfs.vfs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings shared by every network source: timeouts, retries, concurrency bounds and where
 * credentials come from. Immutable; build with {@link #builder()}.
 *
 * @param connectTimeout     how long to wait for a TCP (and TLS) connection
 * @param readTimeout        how long a response or body may stay silent before the read fails
 * @param retries            how many times a failed transfer is retried (with resume) before EIO
 * @param maxConnections     the most connections (and so concurrent transfers) per source
 * @param credentialsFile    a file of {@code URL USER PASSWORD} lines (the URL a prefix of the source),
 *                           so that no password appears on a command line
 * @param showOutsideSymlinks whether symlinks pointing outside their source are shown (off: hidden)
 * @param ftpActiveMode      use active instead of passive FTP data connections
 * @param proxies            the HTTP proxies of HTTP sources (from the environment or options)
 * @param metrics            where the source reports its upstream requests; one per source, so
 *                           a mirror gives each source a copy of the options with its own
 */
public record SourceOptions(
        Duration connectTimeout,
        Duration readTimeout,
        int retries,
        int maxConnections,
        Optional<Path> credentialsFile,
        boolean showOutsideSymlinks,
        boolean ftpActiveMode,
        ProxySettings proxies,
        SourceMetrics metrics) {

    /** The defaults: 5 s connect, 10 s read, 2 retries, 8 connections, no credentials file. */
    public static final SourceOptions DEFAULTS = builder().build();

    /** Validates the settings. */
    public SourceOptions {
        requirePositive(connectTimeout, "connect timeout");
        requirePositive(readTimeout, "read timeout");
        Objects.requireNonNull(credentialsFile, "credentialsFile");
        Objects.requireNonNull(proxies, "proxies");
        Objects.requireNonNull(metrics, "metrics");
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, got " + retries);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections per source must be >= 1, got " + maxConnections);
        }
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectTimeout = connectTimeout;
        b.readTimeout = readTimeout;
        b.retries = retries;
        b.maxConnections = maxConnections;
        b.credentialsFile = credentialsFile;
        b.showOutsideSymlinks = showOutsideSymlinks;
        b.ftpActiveMode = ftpActiveMode;
        b.proxies = proxies;
        b.metrics = metrics;
        return b;
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    /** Mutable builder for {@link SourceOptions}; not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(10);
        private int retries = 2;
        private int maxConnections = 8;
        private Optional<Path> credentialsFile = Optional.empty();
        private boolean showOutsideSymlinks;
        private boolean ftpActiveMode;
        private ProxySettings proxies = ProxySettings.NONE;
        private SourceMetrics metrics = SourceMetrics.NONE;

        private Builder() {
        }

        /** Sets the connect timeout. */
        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        /** Sets the read (idle body) timeout. */
        public Builder readTimeout(Duration value) {
            readTimeout = value;
            return this;
        }

        /** Sets how many times a failed transfer is retried. */
        public Builder retries(int value) {
            retries = value;
            return this;
        }

        /** Sets the maximum number of connections per source. */
        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /** Sets the credentials file. */
        public Builder credentialsFile(Path value) {
            credentialsFile = Optional.of(value);
            return this;
        }

        /** Sets whether symlinks leaving their source are shown. */
        public Builder showOutsideSymlinks(boolean value) {
            showOutsideSymlinks = value;
            return this;
        }

        /** Sets active-mode FTP. */
        public Builder ftpActiveMode(boolean value) {
            ftpActiveMode = value;
            return this;
        }

        /** Sets the HTTP proxies (default: none; the CLI and the java.nio env start from the process environment). */
        public Builder proxies(ProxySettings value) {
            proxies = value;
            return this;
        }

        /** Sets where the source reports its requests (default: nowhere). */
        public Builder metrics(SourceMetrics value) {
            metrics = value;
            return this;
        }

        /** Returns the validated options. */
        public SourceOptions build() {
            return new SourceOptions(connectTimeout, readTimeout, retries, maxConnections, credentialsFile,
                    showOutsideSymlinks, ftpActiveMode, proxies, metrics);
        }
    }
}
