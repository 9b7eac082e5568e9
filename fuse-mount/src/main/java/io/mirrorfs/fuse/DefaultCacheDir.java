package io.mirrorfs.fuse;

import io.mirrorfs.cache.SourceSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Where a mount without {@code --cache-dir} keeps its disk tier: under systemd's
 * {@code CacheDirectory=} ({@code $CACHE_DIRECTORY}), else for root {@code /var/cache/mirrorfs},
 * else {@code $XDG_CACHE_HOME/mirrorfs} (default {@code ~/.cache/mirrorfs}, per the XDG base
 * directory specification), in a subdirectory named by a digest of the set of sources, so two
 * different mirrors never share one and the same mirror finds its own again.
 */
final class DefaultCacheDir {

    private DefaultCacheDir() {
    }

    /** Returns the default disk-tier directory for {@code specs}. */
    static Path of(List<SourceSpec> specs, Map<String, String> env, boolean root) {
        return base(env, root).resolve(id(specs));
    }

    /**
     * Returns the id of a set of sources: 16 hex digits of the SHA-256 of their sorted
     * {@code /PATH=URL} lines (credentials redacted, so changing a password keeps the cache).
     */
    static String id(List<SourceSpec> specs) {
        String lines = String.join("\n", specs.stream().map(SourceSpec::redacted).sorted().toList());
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(lines.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static Path base(Map<String, String> env, boolean root) {
        String systemd = env.getOrDefault("CACHE_DIRECTORY", "");
        if (!systemd.isEmpty()) {
            return Path.of(systemd.split(":")[0]); // systemd lists one path per CacheDirectory= entry
        }
        if (root) {
            return Path.of("/var/cache/mirrorfs");
        }
        String xdg = env.getOrDefault("XDG_CACHE_HOME", "");
        if (xdg.startsWith("/")) { // the spec says relative values are to be ignored
            return Path.of(xdg, "mirrorfs");
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".cache", "mirrorfs");
    }
}
