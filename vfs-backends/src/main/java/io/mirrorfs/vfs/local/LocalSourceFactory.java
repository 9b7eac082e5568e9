package io.mirrorfs.vfs.local;

import io.mirrorfs.vfs.SourceFactory;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Set;

/** Creates {@link LocalSource}s for {@code file:///DIR} URLs. */
public final class LocalSourceFactory implements SourceFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public Vfs create(URI url, SourceOptions options) throws IOException {
        if (url.getAuthority() != null && !url.getAuthority().isEmpty() && !url.getAuthority().equals("localhost")) {
            throw new IllegalArgumentException("file URL must not name a host: " + url + " (use file:///DIR)");
        }
        if (url.getPath() == null || !url.getPath().startsWith("/")) {
            throw new IllegalArgumentException("file URL needs an absolute path: " + url + " (use file:///DIR)");
        }
        Path dir = Path.of(url.getPath());
        if (!Files.isDirectory(dir)) {
            throw Files.exists(dir) ? new NotDirectoryException(dir.toString())
                    : new java.nio.file.NoSuchFileException(dir.toString(), null, "source directory does not exist");
        }
        return new LocalSource(dir, options.showOutsideSymlinks());
    }
}
