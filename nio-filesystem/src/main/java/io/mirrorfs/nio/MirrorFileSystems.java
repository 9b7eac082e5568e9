package io.mirrorfs.nio;

import io.mirrorfs.vfs.Vfs;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.spi.FileSystemProvider;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Opens a mirror {@link FileSystem} over a {@link Vfs} the caller built, such as the same
 * assembly (sources, cache, archive layer) a FUSE mount serves. Thread-safe.
 *
 * <p>The file system is registered with the installed {@code mirror:} provider, so
 * {@code Paths.get(path.toUri())} finds it until it is closed; closing it closes the VFS.
 */
public final class MirrorFileSystems {

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9.-]*");
    private static final AtomicLong NEXT_ID = new AtomicLong(1);
    private static final MirrorFileSystemProvider FALLBACK = new MirrorFileSystemProvider();

    private MirrorFileSystems() {
    }

    /** Returns a new file system over {@code vfs} with a generated name ({@code mirror://vfs-N/}). */
    public static FileSystem newFileSystem(Vfs vfs) {
        while (true) {
            try {
                return newFileSystem("vfs-" + NEXT_ID.getAndIncrement(), vfs);
            } catch (FileSystemAlreadyExistsException e) {
                // A caller took that name explicitly: try the next one.
            }
        }
    }

    /**
     * Returns a new file system called {@code name} over {@code vfs}; its URIs are
     * {@code mirror://NAME/PATH}.
     *
     * @throws IllegalArgumentException         if the name is not a letter followed by letters, digits, '.' or '-'
     * @throws FileSystemAlreadyExistsException if a file system of that name is open (the VFS
     *                                          is then left open, still the caller's)
     */
    public static FileSystem newFileSystem(String name, Vfs vfs) {
        Objects.requireNonNull(vfs, "vfs");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("file system name '" + name
                    + "' must be a letter followed by letters, digits, '.' or '-' (it becomes the URI authority)");
        }
        return provider().newFileSystem(name, vfs);
    }

    /** Returns the installed provider, so that URIs resolve through {@code Paths.get(URI)}. */
    static MirrorFileSystemProvider provider() {
        for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
            if (p instanceof MirrorFileSystemProvider mirror) {
                return mirror;
            }
        }
        // Not on the system class path (e.g. loaded by a plugin class loader): a private instance.
        return FALLBACK;
    }
}
