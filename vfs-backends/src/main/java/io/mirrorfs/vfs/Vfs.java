package io.mirrorfs.vfs;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A read-only tree of files: a source (local, HTTP, FTP), an archive, a mount table of those, or
 * a decorator such as a cache.
 *
 * <p>Errors are {@code java.nio.file} exceptions ({@link java.nio.file.NoSuchFileException},
 * {@link java.nio.file.NotDirectoryException}, {@link java.nio.file.AccessDeniedException}, ...)
 * or other {@link IOException}s; errno exists only at the FUSE edge. Implementations are
 * thread-safe.
 */
public interface Vfs extends Closeable {

    /**
     * Returns the attributes of {@code path} without following a final symlink.
     *
     * @throws java.nio.file.NoSuchFileException if it does not exist
     */
    FileAttrs stat(VfsPath path) throws IOException;

    /**
     * Returns the entries of directory {@code dir} (without {@code .} and {@code ..}).
     *
     * @throws java.nio.file.NotDirectoryException if it is not a directory
     */
    List<DirEntry> list(VfsPath dir) throws IOException;

    /**
     * Lists {@code dir} unless its content is unchanged since the listing that carried
     * {@code knownValidator} (see {@link Listing#validator}): returns empty when the source
     * confirms it unchanged (an HTTP 304 to If-None-Match / If-Modified-Since), else the current
     * listing with its validator. An empty {@code knownValidator} always lists. This default
     * always lists and gives no validator, which is right for sources that have none (FTP, local
     * directories: a cache above compares the entries instead).
     *
     * @throws java.nio.file.NotDirectoryException if it is not a directory
     */
    default Optional<Listing> listIfChanged(VfsPath dir, String knownValidator) throws IOException {
        return Optional.of(new Listing(list(dir), ""));
    }

    /**
     * Returns the target of symlink {@code path}, as stored (relative or absolute).
     *
     * @throws java.nio.file.NotLinkException if it is not a symlink
     */
    String readlink(VfsPath path) throws IOException;

    /**
     * Opens regular file {@code path} for ranged reads, pinning its current version.
     *
     * @throws java.nio.file.FileSystemException if it is a directory
     */
    VfsFile open(VfsPath path) throws IOException;

    /** Returns a short description for logs, such as the source URL (never with a password). */
    String describe();

    /** Releases connections, threads and caches held by this tree. */
    @Override
    default void close() throws IOException {
    }
}
