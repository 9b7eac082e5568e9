package io.mirrorfs.nio;

import io.mirrorfs.cache.CacheConfig;
import io.mirrorfs.cache.MirrorAssembly;
import io.mirrorfs.cache.SourceSpec;
import io.mirrorfs.vfs.DurationSyntax;
import io.mirrorfs.vfs.ProxySettings;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.archive.ArchiveOptions;
import io.mirrorfs.vfs.archive.ArchiveVisibility;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code env} map of {@code FileSystems.newFileSystem(URI.create("mirror:///"), env)},
 * parsed and validated, and the one place that turns it into a {@link Vfs}.
 *
 * <p>Keys: {@code sources} (required: a {@code Map} of mount path to URL, a {@code Collection}
 * of {@code "/PATH=URL"} strings, or one string of such specs separated by whitespace), and the
 * network settings of {@link SourceOptions}: {@code connectTimeout}, {@code readTimeout}
 * (a {@code Duration}, or a string in the one duration syntax of {@link DurationSyntax}:
 * {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code PT5S} or bare seconds),
 * {@code retries}, {@code maxConnections} (integers), {@code credentialsFile} ({@code Path} or
 * string), {@code showOutsideSymlinks}, {@code ftpActiveMode} (booleans); the cache settings
 * of the FUSE mount: {@code cacheSize}, {@code blockSize}, {@code diskCacheSize} (bytes, or
 * strings such as {@code 64M}), {@code readAhead} (blocks), {@code dirReadAhead} (directories),
 * {@code dirCacheTtl} (duration),
 * {@code cacheDir} (path: the persistent disk tier, which also keeps archive indexes); and
 * {@code archives} ({@code hidden}, {@code visible} or {@code off}); {@code proxy} (an
 * {@code http://HOST:PORT} URL for http and https sources) and {@code noProxy} (comma-separated
 * hosts), which override the process's {@code http_proxy}, {@code https_proxy} and
 * {@code no_proxy} as {@code --proxy} and {@code --no-proxy} do. As in a mount without
 * {@code --archive-index-memory}, archive checkpoints may take a quarter of {@code cacheSize}
 * (at most 64M), counted within it. Values may be typed or
 * strings, so a {@code Properties}-style map works too. Unknown keys fail with a message naming
 * them and the known ones. Immutable.
 *
 * @param sources  the mount points and source URLs, in the order given
 * @param options  the network settings every source gets
 * @param cache    the block and metadata cache settings
 * @param archives the archive layer's settings
 */
record EnvConfig(List<SourceSpec> sources, SourceOptions options, CacheConfig cache, ArchiveOptions archives) {

    private static final Set<String> KEYS = new TreeSet<>(List.of("sources", "connectTimeout", "readTimeout", "retries",
            "maxConnections", "credentialsFile", "showOutsideSymlinks", "ftpActiveMode", "cacheSize", "blockSize",
            "readAhead", "dirReadAhead", "dirCacheTtl", "cacheDir", "diskCacheSize", "archives", "proxy", "noProxy"));

    /** Validates that there is at least one source and no mount path twice. */
    EnvConfig {
        sources = List.copyOf(sources);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(archives, "archives");
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("env 'sources' names no source (expected e.g. Map.of(\"/\", \"file:///srv/data\"))");
        }
        Set<VfsPath> seen = new TreeSet<>();
        for (SourceSpec s : sources) {
            if (!seen.add(s.mountPath())) {
                throw new IllegalArgumentException("env 'sources': two sources are mounted at " + s.mountPath());
            }
        }
    }

    /**
     * Parses {@code env}.
     *
     * @throws IllegalArgumentException naming the key for a missing {@code sources}, an unknown
     *                                  key or a malformed value
     */
    static EnvConfig parse(Map<String, ?> env) {
        return parse(env, System.getenv());
    }

    /**
     * Parses {@code env}, with proxies from the process environment {@code processEnv} unless
     * {@code env} names them.
     *
     * @throws IllegalArgumentException naming the key for a missing {@code sources}, an unknown
     *                                  key or a malformed value
     */
    static EnvConfig parse(Map<String, ?> env, Map<String, String> processEnv) {
        for (String key : env.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown env key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
        }
        Object sources = env.get("sources");
        if (sources == null) {
            throw new IllegalArgumentException("env key 'sources' is required, e.g. Map.of(\"sources\", Map.of(\"/\", \"file:///srv/data\"))");
        }
        SourceOptions.Builder b = SourceOptions.builder();
        if (env.containsKey("connectTimeout")) {
            b.connectTimeout(duration(env, "connectTimeout"));
        }
        if (env.containsKey("readTimeout")) {
            b.readTimeout(duration(env, "readTimeout"));
        }
        if (env.containsKey("retries")) {
            b.retries(integer(env, "retries"));
        }
        if (env.containsKey("maxConnections")) {
            b.maxConnections(integer(env, "maxConnections"));
        }
        if (env.containsKey("credentialsFile")) {
            Object v = env.get("credentialsFile");
            b.credentialsFile(v instanceof Path p ? p : Path.of(String.valueOf(v)));
        }
        if (env.containsKey("showOutsideSymlinks")) {
            b.showOutsideSymlinks(bool(env, "showOutsideSymlinks"));
        }
        if (env.containsKey("ftpActiveMode")) {
            b.ftpActiveMode(bool(env, "ftpActiveMode"));
        }
        b.proxies(proxies(env, processEnv));
        SourceOptions options = b.build();
        CacheConfig cache = cacheConfig(env);
        return new EnvConfig(specs(sources), options, cache, archiveOptions(env, options, cache));
    }

    private static ProxySettings proxies(Map<String, ?> env, Map<String, String> processEnv) {
        ProxySettings p = ProxySettings.fromEnvironment(processEnv);
        if (env.containsKey("proxy")) {
            try {
                p = p.withProxy(ProxySettings.parse(String.valueOf(env.get("proxy"))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("env key 'proxy': " + e.getMessage());
            }
        }
        if (env.containsKey("noProxy")) {
            p = p.withNoProxy(ProxySettings.splitList(String.valueOf(env.get("noProxy"))));
        }
        return p;
    }

    private static CacheConfig cacheConfig(Map<String, ?> env) {
        CacheConfig.Builder c = CacheConfig.builder();
        if (env.containsKey("cacheSize")) {
            c.maxBytes(size(env, "cacheSize"));
        }
        if (env.containsKey("blockSize")) {
            c.blockSize((int) Math.min(Integer.MAX_VALUE, size(env, "blockSize")));
        }
        if (env.containsKey("readAhead")) {
            c.readAheadBlocks(integer(env, "readAhead"));
        }
        if (env.containsKey("dirReadAhead")) {
            c.dirReadAhead(integer(env, "dirReadAhead"));
        }
        if (env.containsKey("dirCacheTtl")) {
            c.metadataTtl(duration(env, "dirCacheTtl"));
        }
        if (env.containsKey("cacheDir")) {
            c.diskDir(path(env, "cacheDir"));
        }
        if (env.containsKey("diskCacheSize")) {
            c.diskMaxBytes(size(env, "diskCacheSize"));
        }
        try {
            return c.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("env cache settings: " + e.getMessage(), e);
        }
    }

    /** The archive settings; the checkpoints take their default share of {@code cacheSize}, as in a FUSE mount. */
    private static ArchiveOptions archiveOptions(Map<String, ?> env, SourceOptions options, CacheConfig cache) {
        ArchiveOptions.Builder a = ArchiveOptions.builder().showOutsideSymlinks(options.showOutsideSymlinks())
                .checkpointMemory(cache.defaultCheckpointBytes());
        if (env.containsKey("archives")) {
            try {
                a.visibility(ArchiveVisibility.parse(String.valueOf(env.get("archives"))));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("env 'archives': " + e.getMessage(), e);
            }
        }
        if (env.containsKey("cacheDir")) {
            a.indexDirectory(path(env, "cacheDir").resolve("archive-indexes"));
        }
        return a.build();
    }

    /**
     * Builds the mirror exactly as the FUSE mount does (sources, shared cache, mount table,
     * archive layer); on failure, closes the sources already open.
     *
     * @throws IllegalArgumentException for unknown schemes or bad URLs
     * @throws IOException              if a source cannot be created (a missing local directory)
     */
    Vfs open(Clock clock) throws IOException {
        return MirrorAssembly.assemble(sources, options, cache, archives, clock);
    }

    private static List<SourceSpec> specs(Object sources) {
        List<SourceSpec> out = new ArrayList<>();
        if (sources instanceof Map<?, ?> map) {
            map.forEach((path, url) -> out.add(spec(String.valueOf(path), String.valueOf(url))));
        } else if (sources instanceof Collection<?> list) {
            list.forEach(s -> out.add(SourceSpec.parse(String.valueOf(s))));
        } else if (sources instanceof String s) {
            for (String spec : s.trim().split("\\s+")) {
                if (!spec.isEmpty()) {
                    out.add(SourceSpec.parse(spec));
                }
            }
        } else {
            throw new IllegalArgumentException("env 'sources' must be a Map, a Collection or a String, got " + sources.getClass().getName());
        }
        return out;
    }

    private static SourceSpec spec(String path, String url) {
        if (url.isEmpty()) {
            throw new IllegalArgumentException("env 'sources': the URL for " + path + " is missing");
        }
        try {
            return new SourceSpec(VfsPath.parse(path), url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("env 'sources': bad mirror path " + path + ": " + e.getMessage(), e);
        }
    }

    private static Path path(Map<String, ?> env, String key) {
        Object v = env.get(key);
        return v instanceof Path p ? p : Path.of(String.valueOf(v));
    }

    private static long size(Map<String, ?> env, String key) {
        Object v = env.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return CacheConfig.parseSize(String.valueOf(v).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("env '" + key + "': expected a size such as 64M or 1G, got '" + v + "'", e);
        }
    }

    private static Duration duration(Map<String, ?> env, String key) {
        Object v = env.get(key);
        if (v instanceof Duration d) {
            return d;
        }
        try {
            return DurationSyntax.parse(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("env '" + key + "': " + e.getMessage() + ", or a java.time.Duration");
        }
    }

    private static int integer(Map<String, ?> env, String key) {
        Object v = env.get(key);
        if (v instanceof Integer i) {
            return i;
        }
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("env '" + key + "': expected an integer, got '" + v + "'");
        }
    }

    private static boolean bool(Map<String, ?> env, String key) {
        Object v = env.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("env '" + key + "': expected true or false, got '" + v + "'");
    }
}
