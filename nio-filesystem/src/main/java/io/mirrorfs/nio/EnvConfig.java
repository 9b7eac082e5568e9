package io.mirrorfs.nio;

import io.mirrorfs.vfs.MountTable;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 * ({@code Duration}, ISO-8601 such as {@code PT5S}, or {@code 500ms}/{@code 5s}/{@code 2m}),
 * {@code retries}, {@code maxConnections} (integers), {@code credentialsFile} ({@code Path} or
 * string), {@code showOutsideSymlinks}, {@code ftpActiveMode} (booleans). Values may be typed
 * or strings, so a {@code Properties}-style map works too. Unknown keys fail with a message
 * naming them and the known ones. Immutable.
 *
 * @param sources the mount points and source URLs, in the order given
 * @param options the network settings every source gets
 */
record EnvConfig(List<SourceSpec> sources, SourceOptions options) {

    private static final Set<String> KEYS = new TreeSet<>(List.of("sources", "connectTimeout", "readTimeout", "retries",
            "maxConnections", "credentialsFile", "showOutsideSymlinks", "ftpActiveMode"));

    /** Validates that there is at least one source and no mount path twice. */
    EnvConfig {
        sources = List.copyOf(sources);
        Objects.requireNonNull(options, "options");
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
        return new EnvConfig(specs(sources), b.build());
    }

    /**
     * Opens every source and returns them as one mount table; on failure, closes those already open.
     *
     * @throws IllegalArgumentException for unknown schemes or bad URLs
     * @throws IOException              if a source cannot be created (a missing local directory)
     */
    Vfs open(Clock clock) throws IOException {
        Map<VfsPath, Vfs> mounts = new LinkedHashMap<>();
        try {
            for (SourceSpec spec : sources) {
                try {
                    mounts.put(spec.mountPath(), Sources.open(spec.url(), options));
                } catch (IOException e) {
                    throw new IOException("source " + spec.mountPath() + "=" + Sources.redact(spec.url()) + ": " + e.getMessage(), e);
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
            throw e;
        }
        return new MountTable(mounts, clock.instant());
    }

    private static List<SourceSpec> specs(Object sources) {
        List<SourceSpec> out = new ArrayList<>();
        if (sources instanceof Map<?, ?> map) {
            map.forEach((path, url) -> out.add(SourceSpec.of(String.valueOf(path), String.valueOf(url))));
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

    private static Duration duration(Map<String, ?> env, String key) {
        Object v = env.get(key);
        if (v instanceof Duration d) {
            return d;
        }
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt")) {
                return Duration.parse(s);
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            switch (s.charAt(s.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                default: break;
            }
        } catch (RuntimeException e) {
            // Fall through to the message below.
        }
        throw new IllegalArgumentException("env '" + key + "': expected a Duration, PT5S, 500ms, 5s, 2m or 1h, got '" + v + "'");
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

    /**
     * One source: where in the mirror, and what.
     *
     * @param mountPath the path inside the mirror
     * @param url       the source URL (may hold credentials: print it through {@link Sources#redact})
     */
    record SourceSpec(VfsPath mountPath, String url) {

        /** Validates both fields. */
        SourceSpec {
            Objects.requireNonNull(mountPath, "mountPath");
            Objects.requireNonNull(url, "url");
            if (url.isEmpty()) {
                throw new IllegalArgumentException("env 'sources': the URL for " + mountPath + " is missing");
            }
        }

        /**
         * Parses {@code /PATH=URL}.
         *
         * @throws IllegalArgumentException with a message showing the expected form
         */
        static SourceSpec parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq < 0 || !spec.startsWith("/")) {
                throw new IllegalArgumentException("env 'sources': expected /PATH=URL, e.g. /=http://host/pub/, got "
                        + Sources.redact(spec));
            }
            return of(spec.substring(0, eq), spec.substring(eq + 1));
        }

        /**
         * Returns the spec for mount path {@code path} and {@code url}.
         *
         * @throws IllegalArgumentException if the path is not absolute or has {@code .}, {@code ..} or NUL
         */
        static SourceSpec of(String path, String url) {
            VfsPath mountPath;
            try {
                mountPath = VfsPath.parse(path);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("env 'sources': bad mirror path " + path + ": " + e.getMessage(), e);
            }
            return new SourceSpec(mountPath, url);
        }
    }
}
