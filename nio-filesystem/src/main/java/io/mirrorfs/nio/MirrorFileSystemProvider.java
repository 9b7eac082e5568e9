package io.mirrorfs.nio;

import io.mirrorfs.vfs.Vfs;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The {@code mirror:} file system provider: mirrorfs's layered VFS (local, HTTP, FTP sources,
 * archives, the cache) as a read-only {@link java.nio.file.FileSystem}, for programs without FUSE.
 *
 * <pre>{@code
 * try (FileSystem fs = FileSystems.newFileSystem(URI.create("mirror:///"),
 *         Map.of("sources", Map.of("/pub", "http://example.org/pub/")))) {
 *     Files.walk(fs.getPath("/pub")).forEach(System.out::println);
 * }
 * }</pre>
 *
 * <p>URIs are {@code mirror://NAME/PATH}; {@code mirror:///PATH} names the file system without
 * a name. The {@code env} keys are described by {@code EnvConfig} (see the module README);
 * {@link MirrorFileSystems} opens a file system over a {@link Vfs} built by the caller.
 * Registered through {@code META-INF/services}. Every mutating operation throws
 * {@link ReadOnlyFileSystemException}, checked before the path is looked up; {@code checkAccess}
 * with WRITE throws {@link java.nio.file.AccessDeniedException} so {@code Files.isWritable} says
 * false. Thread-safe.
 */
public final class MirrorFileSystemProvider extends FileSystemProvider {

    /** The URI scheme, {@code mirror}. */
    public static final String SCHEME = "mirror";

    private static final Set<OpenOption> WRITE_OPTIONS = Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.DELETE_ON_CLOSE);

    private final ConcurrentMap<String, MirrorFileSystem> fileSystems = new ConcurrentHashMap<>();
    private final Clock clock;

    /** Creates the provider; {@link java.util.ServiceLoader} calls this once per class loader. */
    public MirrorFileSystemProvider() {
        this(Clock.systemUTC());
    }

    /** Creates a provider whose mount tables date their synthesised directories by {@code clock}. */
    MirrorFileSystemProvider(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    /**
     * Opens the sources named in {@code env} as the file system of {@code uri}
     * ({@code mirror:///} or {@code mirror://NAME/}).
     *
     * @throws IllegalArgumentException         for another URI form or a bad {@code env}
     * @throws FileSystemAlreadyExistsException if that file system is open
     * @throws IOException                      if a source cannot be opened
     */
    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        String name = nameOf(uri);
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
            throw new IllegalArgumentException("a mirror file system URI has no path: use mirror:///, got " + uri);
        }
        EnvConfig config = EnvConfig.parse(env);
        if (fileSystems.containsKey(name)) {
            throw new FileSystemAlreadyExistsException(uri.toString());
        }
        Vfs vfs = config.open(clock);
        try {
            return newFileSystem(name, vfs);
        } catch (FileSystemAlreadyExistsException e) {
            vfs.close(); // Another thread opened the same name meanwhile.
            throw e;
        }
    }

    /**
     * Registers a file system called {@code name} over {@code vfs}, which it then owns.
     *
     * @throws FileSystemAlreadyExistsException if one by that name is open (the VFS stays the caller's)
     */
    MirrorFileSystem newFileSystem(String name, Vfs vfs) {
        MirrorFileSystem fs = new MirrorFileSystem(this, name, vfs);
        if (fileSystems.putIfAbsent(name, fs) != null) {
            throw new FileSystemAlreadyExistsException(SCHEME + "://" + name + "/");
        }
        return fs;
    }

    /** Forgets {@code fs} after it closed, so its name can be used again. */
    void removed(MirrorFileSystem fs) {
        fileSystems.remove(fs.name(), fs);
    }

    /** Returns the open file system named by {@code uri}'s authority. */
    @Override
    public FileSystem getFileSystem(URI uri) {
        return registered(uri);
    }

    /** Returns the open file system {@code uri} names, or throws {@link FileSystemNotFoundException}. */
    private MirrorFileSystem registered(URI uri) {
        String name = nameOf(uri);
        MirrorFileSystem fs = fileSystems.get(name);
        if (fs == null) {
            throw new FileSystemNotFoundException(uri.toString());
        }
        return fs;
    }

    /** Returns the path of {@code uri} ({@code mirror://NAME/PATH}, percent-decoded) in its open file system. */
    @Override
    public Path getPath(URI uri) {
        MirrorFileSystem fs = registered(uri);
        String path = uri.getPath();
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a mirror URI needs an absolute path, such as mirror:///dir/file: " + uri);
        }
        return fs.getPath(path);
    }

    private static String nameOf(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("URI scheme is not '" + SCHEME + "': " + uri);
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("a mirror URI has no query or fragment (encode '#' as %23): " + uri);
        }
        return uri.getAuthority() == null ? "" : uri.getAuthority();
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, attrs);
    }

    /**
     * Opens a read-only channel; WRITE, APPEND, CREATE, CREATE_NEW and DELETE_ON_CLOSE throw
     * {@link ReadOnlyFileSystemException}, TRUNCATE_EXISTING is ignored as for any read-only
     * open, NOFOLLOW_LINKS refuses a final symlink.
     */
    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        MirrorPath p = check(path);
        for (OpenOption o : options) {
            if (WRITE_OPTIONS.contains(o)) {
                throw new ReadOnlyFileSystemException();
            }
            if (!(o instanceof StandardOpenOption) && o != LinkOption.NOFOLLOW_LINKS) {
                throw new UnsupportedOperationException("open option " + o + " is not supported");
            }
        }
        return p.getFileSystem().newFileChannel(p, !options.contains(LinkOption.NOFOLLOW_LINKS));
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) {
        check(path);
        throw new ReadOnlyFileSystemException();
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        MirrorPath p = check(dir);
        return p.getFileSystem().newDirectoryStream(p, Objects.requireNonNull(filter, "filter"));
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) {
        check(dir);
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) {
        check(link);
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void createLink(Path link, Path existing) {
        check(link);
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void delete(Path path) {
        check(path);
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException} (both paths are in a mirror). */
    @Override
    public void copy(Path source, Path target, CopyOption... options) {
        check(source);
        check(target);
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void move(Path source, Path target, CopyOption... options) {
        check(source);
        check(target);
        throw new ReadOnlyFileSystemException();
    }

    /** Returns whether both paths lead to the same entry once every symlink is resolved. */
    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        MirrorPath p = check(path);
        if (p.equals(path2)) {
            return true;
        }
        if (!(path2 instanceof MirrorPath q) || q.getFileSystem() != p.getFileSystem()) {
            return false;
        }
        return p.toRealPath().equals(q.toRealPath());
    }

    /** Returns whether the name starts with a dot, the POSIX convention. */
    @Override
    public boolean isHidden(Path path) {
        MirrorPath p = check(path);
        MirrorPath name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        MirrorPath p = check(path);
        p.getFileSystem().lookUpAttributes(p, true);
        return p.getFileSystem().getFileStores().iterator().next();
    }

    /** See {@link MirrorFileSystem#checkAccess}: WRITE throws {@link java.nio.file.AccessDeniedException}. */
    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        MirrorPath p = check(path);
        p.getFileSystem().checkAccess(p, modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        return MirrorAttributeView.of(type, check(path), followLinks(options));
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        MirrorPath p = check(path);
        if (type != BasicFileAttributes.class && type != PosixFileAttributes.class) {
            throw new UnsupportedOperationException("attributes of type " + type.getName() + " are not available");
        }
        return type.cast(p.getFileSystem().lookUpAttributes(p, followLinks(options)));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        MirrorPath p = check(path);
        AttributeMaps.viewOf(attributes);
        return AttributeMaps.read(p.getFileSystem().lookUpAttributes(p, followLinks(options)), attributes);
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
        check(path);
        throw new ReadOnlyFileSystemException();
    }

    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        MirrorPath p = check(link);
        return p.getFileSystem().readSymbolicLink(p);
    }

    /** Returns {@code path}'s real path (see {@link MirrorPath#toRealPath}). */
    MirrorPath toRealPath(MirrorPath path, LinkOption... options) throws IOException {
        return path.getFileSystem().realPath(path, followLinks(options));
    }

    private static boolean followLinks(LinkOption... options) {
        return !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS);
    }

    /** Returns {@code path} as a mirror path of an open file system. */
    private static MirrorPath check(Path path) {
        Objects.requireNonNull(path, "path");
        if (!(path instanceof MirrorPath p)) {
            throw new ProviderMismatchException("not a mirror path: " + path + " (" + path.getClass().getName() + ")");
        }
        p.getFileSystem().checkOpen();
        return p;
    }
}
