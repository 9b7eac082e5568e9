package io.mirrorfs.nio;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Looks up mirror paths in the {@link Vfs}, following symlinks inside the mirror the way the
 * kernel does for the FUSE mount; the only class that interprets {@code .}, {@code ..} and links.
 *
 * <p>Link targets are resolved inside the mirror: a relative target against the link's directory,
 * an absolute one against the mirror's root, {@code ..} never climbs above the root. So nothing
 * outside the mirror is reachable, even through a link a source chose to show. Thread-safe.
 */
final class PathResolver {

    /**
     * The most symlinks one lookup follows before failing with "Too many levels of symbolic
     * links" (ELOOP): 40, glibc's {@code MAXSYMLINKS} (sysdeps/generic/eloop-threshold.h), the
     * same limit Linux applies to path walks and jimfs copies.
     */
    static final int MAX_SYMLINK_DEPTH = 40;

    private final Vfs vfs;

    /** Creates a resolver over {@code vfs}. */
    PathResolver(Vfs vfs) {
        this.vfs = vfs;
    }

    /**
     * Returns where {@code path} lands and its attributes, following a final symlink when
     * {@code followFinal}; the VfsPath may still run through links the source resolves itself.
     *
     * <p>The common case costs one {@code stat}: a path without {@code .}, {@code ..} or a final
     * link is asked for directly. Only a miss or a link pays for the walk, one {@code stat} per
     * name, which finds links in the middle of the path.
     *
     * @throws NoSuchFileException if it (or a directory on the way) does not exist
     * @throws FileSystemException if more than {@link #MAX_SYMLINK_DEPTH} links are followed
     */
    Lookup lookup(MirrorPath path, boolean followFinal) throws IOException {
        List<String> names = path.toAbsolutePath().names();
        if (names.stream().noneMatch(n -> n.equals(".") || n.equals(".."))) {
            VfsPath direct = new VfsPath(names);
            try {
                FileAttrs attrs = vfs.stat(direct);
                if (!attrs.isSymlink() || !followFinal) {
                    return new Lookup(direct, attrs);
                }
            } catch (FileSystemException e) {
                // A symlink in the middle of the path, a file used as a directory (which sources
                // report as anything from ENOTDIR to NoSuchFile), or truly missing: the walk,
                // checking one name at a time, tells which and throws the standard exception.
            }
        }
        return walk(path, followFinal);
    }

    /**
     * Returns the path with every symlink (or every one but a final link, when not
     * {@code followFinal}) resolved and {@code .}/{@code ..} removed; one {@code stat} per name.
     *
     * @throws NoSuchFileException if it (or a directory on the way) does not exist
     */
    VfsPath realPath(MirrorPath path, boolean followFinal) throws IOException {
        return walk(path, followFinal).vfsPath();
    }

    private Lookup walk(MirrorPath path, boolean followFinal) throws IOException {
        String shown = path.toString();
        Deque<String> todo = new ArrayDeque<>(path.toAbsolutePath().names());
        VfsPath current = VfsPath.ROOT;
        FileAttrs currentAttrs = null;
        int links = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                current = current.parent().orElse(VfsPath.ROOT);
                currentAttrs = null;
                continue;
            }
            VfsPath next = current.resolve(name);
            FileAttrs attrs = stat(next, shown);
            boolean last = todo.isEmpty();
            if (attrs.isSymlink() && (followFinal || !last)) {
                if (++links > MAX_SYMLINK_DEPTH) {
                    throw new FileSystemException(shown, null, "Too many levels of symbolic links");
                }
                String target = vfs.readlink(next);
                if (target.startsWith("/")) {
                    current = VfsPath.ROOT;
                    currentAttrs = null;
                }
                pushFront(todo, target);
                continue;
            }
            if (!last && !attrs.isDirectory()) {
                throw new NoSuchFileException(shown, null, next + " is not a directory");
            }
            current = next;
            currentAttrs = attrs;
        }
        return new Lookup(current, currentAttrs != null ? currentAttrs : stat(current, shown));
    }

    private FileAttrs stat(VfsPath p, String shown) throws IOException {
        try {
            return vfs.stat(p);
        } catch (NoSuchFileException | NotDirectoryException e) {
            // Report the path the caller asked for, not the link-resolved one.
            throw new NoSuchFileException(shown);
        }
    }

    private static void pushFront(Deque<String> todo, String target) {
        String[] parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
        }
    }

    /**
     * Where a path landed.
     *
     * @param vfsPath the path to hand to the {@link Vfs}
     * @param attrs   its attributes (of the link itself when the final link was not followed)
     */
    record Lookup(VfsPath vfsPath, FileAttrs attrs) {

        /**
         * Returns this lookup if it is a directory.
         *
         * @throws NotDirectoryException naming {@code shown} otherwise
         */
        Lookup requireDirectory(MirrorPath shown) throws NotDirectoryException {
            if (!attrs.isDirectory()) {
                throw new NotDirectoryException(shown.toString());
            }
            return this;
        }

        /**
         * Returns this lookup if it is a regular file.
         *
         * @throws FileSystemException naming {@code shown} otherwise ({@link IsDirectoryException} for a directory)
         */
        Lookup requireRegularFile(MirrorPath shown) throws FileSystemException {
            if (attrs.isDirectory()) {
                throw new IsDirectoryException(shown.toString());
            }
            if (attrs.isSymlink()) {
                throw new FileSystemException(shown.toString(), null, "is a symbolic link (NOFOLLOW_LINKS)");
            }
            if (!attrs.isFile()) {
                throw new FileSystemException(shown.toString(), null, "not a regular file");
            }
            return this;
        }
    }
}
