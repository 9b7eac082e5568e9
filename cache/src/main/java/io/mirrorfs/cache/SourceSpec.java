package io.mirrorfs.cache;

import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.VfsPath;
import java.util.Objects;

/**
 * One source of a mirror, as given by {@code --source /PATH=URL} on the command line or by a
 * {@code sources} entry of the NIO provider's env map: where in the mirror, and what. Immutable.
 *
 * @param mountPath the path inside the mirror
 * @param url       the source URL, as given (may hold credentials: print it with {@link #redacted})
 */
public record SourceSpec(VfsPath mountPath, String url) {

    /** Checks that both parts are present. */
    public SourceSpec {
        Objects.requireNonNull(mountPath, "mountPath");
        Objects.requireNonNull(url, "url");
    }

    /**
     * Parses {@code /PATH=URL}.
     *
     * @throws IllegalArgumentException with a message showing the expected form
     */
    public static SourceSpec parse(String arg) {
        int eq = arg.indexOf('=');
        if (eq < 0 || !arg.startsWith("/")) {
            throw new IllegalArgumentException("source " + Sources.redact(arg)
                    + ": expected /PATH=URL, e.g. --source /=http://host/pub/ or --source /local=file:///srv/data");
        }
        String path = arg.substring(0, eq);
        String url = arg.substring(eq + 1);
        if (url.isEmpty()) {
            throw new IllegalArgumentException("source " + path + "=: the URL is missing");
        }
        try {
            return new SourceSpec(VfsPath.parse(path), url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("source " + Sources.redact(arg) + ": bad mirror path " + path + ": " + e.getMessage());
        }
    }

    /** Returns {@code /PATH=URL} without any password. */
    public String redacted() {
        return mountPath + "=" + Sources.redact(url);
    }
}
