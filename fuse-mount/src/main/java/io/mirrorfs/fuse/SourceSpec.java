package io.mirrorfs.fuse;

import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.VfsPath;
import java.util.Objects;

/**
 * One {@code --source /PATH=URL} argument: where in the mirror, and what.
 *
 * @param mountPath the path inside the mirror
 * @param url       the source URL, as given (may hold credentials: print it with {@link #redacted})
 */
record SourceSpec(VfsPath mountPath, String url) {

    SourceSpec {
        Objects.requireNonNull(mountPath, "mountPath");
        Objects.requireNonNull(url, "url");
    }

    /**
     * Parses {@code /PATH=URL}.
     *
     * @throws IllegalArgumentException with a message showing the expected form
     */
    static SourceSpec parse(String arg) {
        int eq = arg.indexOf('=');
        if (eq < 0 || !arg.startsWith("/")) {
            throw new IllegalArgumentException("--source " + Sources.redact(arg)
                    + ": expected /PATH=URL, e.g. --source /=http://host/pub/ or --source /local=file:///srv/data");
        }
        String path = arg.substring(0, eq);
        String url = arg.substring(eq + 1);
        if (url.isEmpty()) {
            throw new IllegalArgumentException("--source " + path + "=: the URL is missing");
        }
        try {
            return new SourceSpec(VfsPath.parse(path), url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--source " + Sources.redact(arg) + ": bad mirror path " + path + ": " + e.getMessage());
        }
    }

    /** Returns {@code /PATH=URL} without any password. */
    String redacted() {
        return mountPath + "=" + Sources.redact(url);
    }
}
