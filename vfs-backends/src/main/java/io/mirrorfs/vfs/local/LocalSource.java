package io.mirrorfs.vfs.local;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of a local directory ({@code file:///DIR}).
 *
 * <p>Nothing outside the root is reachable: paths are resolved without following symlinks in the
 * last segment, intermediate directories are checked to stay below the root, and symlinks whose
 * target leaves the root are hidden (unless configured otherwise) because a server such as
 * Apache with FollowSymLinks would otherwise publish the host's files. Link targets are returned
 * relative, so the kernel resolves them inside the mount. Sockets, FIFOs and devices are hidden.
 * Thread-safe.
 */
public final class LocalSource implements Vfs {

    private final Path root;
    private final boolean showOutsideSymlinks;

    /** Creates a source over directory {@code root}, which must exist. */
    public LocalSource(Path root, boolean showOutsideSymlinks) throws IOException {
        this.root = root.toRealPath();
        this.showOutsideSymlinks = showOutsideSymlinks;
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        Path p = resolve(path);
        FileAttrs attrs = attrsOf(p);
        if (attrs.isSymlink() && !isVisibleLink(p)) {
            throw new NoSuchFileException(path.toString(), null, "symlink leaves the source and is hidden");
        }
        return attrs;
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        Path p = resolve(dir);
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            throw Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? new NotDirectoryException(dir.toString())
                    : new NoSuchFileException(dir.toString());
        }
        List<DirEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(p)) {
            for (Path child : stream) {
                entryOf(child).ifPresent(entries::add);
            }
        }
        return entries;
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        Path p = resolve(path);
        if (!Files.isSymbolicLink(p)) {
            throw Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? new NotLinkException(path.toString())
                    : new NoSuchFileException(path.toString());
        }
        if (!isVisibleLink(p)) {
            throw new NoSuchFileException(path.toString(), null, "symlink leaves the source and is hidden");
        }
        Path target = Files.readSymbolicLink(p);
        if (!target.isAbsolute()) {
            return target.toString();
        }
        Path normalized = target.normalize();
        // An absolute target inside the root would resolve against the host's root once the
        // kernel follows it: rewrite it relative to the link's directory.
        if (normalized.startsWith(root)) {
            String rel = p.getParent().relativize(normalized).toString();
            return rel.isEmpty() ? "." : rel;
        }
        return target.toString();
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        Path p = resolve(path);
        FileAttrs attrs = stat(path);
        if (attrs.isDirectory()) {
            throw new IsDirectoryException(path.toString());
        }
        if (!attrs.isFile()) {
            throw new FileSystemException(path.toString(), null, "not a regular file");
        }
        FileChannel channel = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        return new LocalFile(p, path.toString(), channel, attrs);
    }

    @Override
    public String describe() {
        return root.toUri().toString();
    }

    /** Maps a VfsPath to a host path, refusing anything whose parent directories leave the root. */
    private Path resolve(VfsPath path) throws IOException {
        Path p = root;
        for (String segment : path.segments()) {
            p = p.resolve(segment);
        }
        if (path.depth() > 1) {
            Path parent;
            try {
                parent = p.getParent().toRealPath();
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(path.toString());
            }
            if (!parent.startsWith(root)) {
                throw new NoSuchFileException(path.toString(), null, "path leaves the source");
            }
        }
        return p;
    }

    private Optional<DirEntry> entryOf(Path child) {
        String name = child.getFileName().toString();
        if (!VfsPath.isValidName(name)) {
            return Optional.empty();
        }
        try {
            FileAttrs attrs = attrsOf(child);
            if (attrs.isSymlink() && !isVisibleLink(child)) {
                return Optional.empty();
            }
            return Optional.of(DirEntry.of(name, attrs));
        } catch (IOException e) {
            // Vanished between listing and stat, or a special file: not part of the mirror.
            return Optional.empty();
        }
    }

    private boolean isVisibleLink(Path link) {
        if (showOutsideSymlinks) {
            return true;
        }
        try {
            Path target = Files.readSymbolicLink(link);
            Path resolved = link.getParent().resolve(target).normalize();
            if (!resolved.startsWith(root)) {
                return false;
            }
            // The target may itself run through links leaving the root: check the real path
            // where it exists; a dangling link inside the root stays visible.
            if (Files.exists(resolved)) {
                return resolved.toRealPath().startsWith(root);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static FileAttrs attrsOf(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        int mode = modeBits(a);
        if (a.isSymbolicLink()) {
            long len = Files.readSymbolicLink(p).toString().length();
            return new FileAttrs(FileType.SYMLINK, len, a.lastModifiedTime().toInstant(), 0777, "");
        }
        if (a.isDirectory()) {
            return new FileAttrs(FileType.DIRECTORY, 0, a.lastModifiedTime().toInstant(), mode, "");
        }
        if (a.isRegularFile()) {
            return FileAttrs.file(a.size(), a.lastModifiedTime().toInstant(), mode);
        }
        throw new FileSystemException(p.toString(), null, "not a file, directory or symlink");
    }

    private static int modeBits(PosixFileAttributes a) {
        int mode = 0;
        for (PosixFilePermission perm : a.permissions()) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return mode;
    }

    /** An open local file; reads are positional, so concurrent reads need no locking. */
    private static final class LocalFile implements VfsFile {
        private final Path hostPath;
        private final String name;
        private final FileChannel channel;
        private final FileAttrs attrs;

        LocalFile(Path hostPath, String name, FileChannel channel, FileAttrs attrs) {
            this.hostPath = hostPath;
            this.name = name;
            this.channel = channel;
            this.attrs = attrs;
        }

        @Override
        public FileAttrs attrs() {
            return attrs;
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            if (offset >= attrs.size()) {
                return -1;
            }
            int want = (int) Math.min(dst.remaining(), attrs.size() - offset);
            ByteBuffer slice = dst.slice().limit(want);
            while (slice.hasRemaining()) {
                int n = channel.read(slice, offset + slice.position());
                if (n < 0) {
                    break;
                }
            }
            // A local file changed in place cannot be detected reliably by mtime alone, but
            // size or mtime moving means the bytes just read may be a mix: refuse them.
            FileAttrs now = attrsOf(hostPath);
            if (!now.version().equals(attrs.version())) {
                throw new StaleFileException(name, attrs.version(), now.version());
            }
            dst.position(dst.position() + slice.position());
            return slice.position();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
