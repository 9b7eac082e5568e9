package io.mirrorfs.vfs;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

/** Creates a {@link Vfs} for URLs of the schemes it handles. Implementations are stateless. */
public interface SourceFactory {

    /** Returns the lower-case URL schemes this factory handles, such as {@code http}. */
    Set<String> schemes();

    /**
     * Returns a source for {@code url}. Does no network I/O: an unreachable server must not stop
     * the mount; it fails later, per request, with a clear error.
     *
     * @throws IllegalArgumentException if the URL is malformed for this scheme
     * @throws IOException              if a local resource (such as a directory) is unusable
     */
    Vfs create(URI url, SourceOptions options) throws IOException;
}
