package io.mirrorfs.nio;

import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A read-only {@link FileSystem} over one {@link Vfs}: the mirror's namespace as
 * {@code mirror://NAME/...} paths.
 *
 * <p>Owns the VFS: {@link #close} closes it, every channel and directory stream still open, and
 * unregisters the file system from its provider; afterwards every file operation throws
 * {@link ClosedFileSystemException} (path manipulation keeps working, as in jimfs). Thread-safe.
 */
final class MirrorFileSystem extends FileSystem {

    private final MirrorFileSystemProvider provider;
    private final String name;
    private final Vfs vfs;
    private final PathResolver resolver;
    private final MirrorFileStore store;
    private final Set<Closeable> openResources = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean open = new AtomicBoolean(true);

    /** Creates the file system called {@code name} (the URI authority, may be empty) over {@code vfs}. */
    MirrorFileSystem(MirrorFileSystemProvider provider, String name, Vfs vfs) {
        this.provider = provider;
        this.name = name;
        this.vfs = vfs;
        this.resolver = new PathResolver(vfs);
        this.store = new MirrorFileStore(vfs.describe());
    }

    /** Returns the name, the authority of this file system's URIs ({@code ""} for {@code mirror:///}). */
    String name() {
        return name;
    }

    @Override
    public MirrorFileSystemProvider provider() {
        return provider;
    }

    /** Closes the open channels and streams and the VFS, then unregisters; idempotent. */
    @Override
    public void close() throws IOException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        IOException failure = null;
        try {
            for (Closeable c : List.copyOf(openResources)) {
                try {
                    c.close();
                } catch (IOException e) {
                    failure = add(failure, e);
                }
            }
            try {
                vfs.close();
            } catch (IOException e) {
                failure = add(failure, e);
            }
        } finally {
            provider.removed(this);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException add(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    /** Returns true: nothing in a mirror can be written. */
    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(MirrorPath.root(this));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of(store);
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return AttributeMaps.VIEWS;
    }

    @Override
    public MirrorPath getPath(String first, String... more) {
        return MirrorPath.parse(this, first, more);
    }

    /**
     * Returns a matcher for {@code glob:PATTERN} (see {@link GlobTranslator}) or
     * {@code regex:PATTERN} ({@link Pattern}), matched against the whole path string.
     *
     * @throws IllegalArgumentException      if there is no {@code syntax:} prefix or no pattern
     * @throws UnsupportedOperationException for a syntax other than glob or regex
     */
    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        int colon = syntaxAndPattern.indexOf(':');
        if (colon <= 0 || colon == syntaxAndPattern.length() - 1) {
            throw new IllegalArgumentException("expected glob:PATTERN or regex:PATTERN, got '" + syntaxAndPattern + "'");
        }
        String syntax = syntaxAndPattern.substring(0, colon);
        String expression = syntaxAndPattern.substring(colon + 1);
        String regex;
        if (syntax.equalsIgnoreCase("glob")) {
            regex = GlobTranslator.toRegex(expression);
        } else if (syntax.equalsIgnoreCase("regex")) {
            regex = expression;
        } else {
            throw new UnsupportedOperationException("path matcher syntax '" + syntax + "' is not supported (use glob or regex)");
        }
        Pattern pattern = Pattern.compile(regex);
        return path -> pattern.matcher(path.toString()).matches();
    }

    /** Returns a service that knows the one principal, {@code mirrorfs}, that owns every file. */
    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return new UserPrincipalLookupService() {
            @Override
            public MirrorPrincipal lookupPrincipalByName(String principal) throws UserPrincipalNotFoundException {
                return lookupPrincipalByGroupName(principal);
            }

            @Override
            public MirrorPrincipal lookupPrincipalByGroupName(String group) throws UserPrincipalNotFoundException {
                if (!MirrorPrincipal.OWNER.name().equals(group)) {
                    throw new UserPrincipalNotFoundException(group);
                }
                return MirrorPrincipal.OWNER;
            }
        };
    }

    /** Always throws {@link UnsupportedOperationException}: sources do not announce changes. */
    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("a mirror cannot be watched: its sources do not announce changes");
    }

    /**
     * Fails if this file system is closed.
     *
     * @throws ClosedFileSystemException if it is
     */
    void checkOpen() {
        if (!open.get()) {
            throw new ClosedFileSystemException();
        }
    }

    /** Returns the attributes of {@code path}, following a final symlink when {@code followLinks}. */
    MirrorFileAttributes lookUpAttributes(MirrorPath path, boolean followLinks) throws IOException {
        checkOpen();
        return new MirrorFileAttributes(resolver.lookup(path, followLinks).attrs());
    }

    /** Returns {@code path} absolute, with {@code .}, {@code ..} and symlinks (all, or all but a final one) resolved. */
    MirrorPath realPath(MirrorPath path, boolean followLinks) throws IOException {
        checkOpen();
        return MirrorPath.absolute(this, resolver.realPath(path, followLinks).segments());
    }

    /**
     * Checks that {@code path} exists and allows {@code modes}.
     *
     * <p>WRITE is refused with {@link AccessDeniedException}, as the JDK's zip file system does for
     * a read-only archive, so {@link java.nio.file.Files#isWritable} answers false instead of
     * throwing. READ is always allowed (a failing read reports its cause); EXECUTE needs an
     * execute bit.
     */
    void checkAccess(MirrorPath path, AccessMode... modes) throws IOException {
        MirrorFileAttributes attrs = lookUpAttributes(path, true);
        for (AccessMode mode : modes) {
            if (mode == AccessMode.WRITE) {
                throw new AccessDeniedException(path.toString(), null, "read-only file system");
            }
            if (mode == AccessMode.EXECUTE && (attrs.mode() & 0111) == 0) {
                throw new AccessDeniedException(path.toString(), null, "no execute permission");
            }
        }
    }

    /** Returns the target of symlink {@code link}, as stored, as a path of this file system. */
    MirrorPath readSymbolicLink(MirrorPath link) throws IOException {
        checkOpen();
        PathResolver.Lookup l = resolver.lookup(link, false);
        if (!l.attrs().isSymlink()) {
            throw new NotLinkException(link.toString());
        }
        return getPath(vfs.readlink(l.vfsPath()));
    }

    /** Opens regular file {@code path} for reading. */
    FileChannel newFileChannel(MirrorPath path, boolean followLinks) throws IOException {
        checkOpen();
        PathResolver.Lookup l = resolver.lookup(path, followLinks).requireRegularFile(path);
        VfsFile file = vfs.open(l.vfsPath());
        MirrorFileChannel[] self = new MirrorFileChannel[1];
        self[0] = new MirrorFileChannel(file, () -> openResources.remove(self[0]));
        return track(self[0]);
    }

    /** Opens the listing of directory {@code dir} (following links), filtered by {@code filter}. */
    DirectoryStream<Path> newDirectoryStream(MirrorPath dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        checkOpen();
        PathResolver.Lookup l = resolver.lookup(dir, true).requireDirectory(dir);
        MirrorDirectoryStream[] self = new MirrorDirectoryStream[1];
        self[0] = new MirrorDirectoryStream(dir, vfs.list(l.vfsPath()), filter, () -> openResources.remove(self[0]));
        return track(self[0]);
    }

    /** Registers {@code resource} to be closed with this file system, or closes it if that already happened. */
    private <C extends Closeable> C track(C resource) throws IOException {
        openResources.add(resource);
        if (!open.get()) {
            resource.close();
            throw new ClosedFileSystemException();
        }
        return resource;
    }

    @Override
    public String toString() {
        return MirrorFileSystemProvider.SCHEME + "://" + name + "/ (" + vfs.describe() + ")";
    }
}
