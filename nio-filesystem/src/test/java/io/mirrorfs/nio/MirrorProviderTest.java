package io.mirrorfs.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.ForwardingVfs;
import io.mirrorfs.vfs.MemoryVfs;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.Vfs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.DosFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.spi.FileSystemProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The provider's behaviour over an in-memory VFS: reads, attributes, listings, links, refusals, closing. */
class MirrorProviderTest {

    private static final Instant MTIME = Instant.parse("2024-03-04T05:06:07.123456789Z");
    private static final byte[] BIG = new byte[200_003];

    static {
        new Random(1).nextBytes(BIG);
    }

    private MemoryVfs memory;
    private ClosingVfs vfs;
    private FileSystem fs;

    @BeforeEach
    void open() {
        memory = new MemoryVfs("provider")
                .file("/hello.txt", "hello, world\n")
                .file("/data/big.bin", BIG, MTIME)
                .file("/data/empty", new byte[0], MTIME)
                .file("/dir/sub/deep.txt", "deep\n")
                .file("/.hidden", "dot\n")
                .file("/odd/hash#tag 100%.txt", "odd\n")
                .dir("/empty-dir")
                .symlink("/links/rel", "../hello.txt")
                .symlink("/links/abs", "/data/big.bin")
                .symlink("/links/dirlink", "../dir")
                .symlink("/links/up", "../../../../hello.txt")
                .symlink("/links/dangling", "nowhere")
                .symlink("/links/self", "self")
                .symlink("/links/dot", ".");
        // chain0 -> chain1 -> ... -> chain40 -> /hello.txt: 41 links to follow from chain0, 40 from chain1.
        for (int i = 0; i < 41; i++) {
            memory.symlink("/chain/c" + i, i == 40 ? "/hello.txt" : "c" + (i + 1));
        }
        vfs = new ClosingVfs(memory);
        fs = MirrorFileSystems.newFileSystem(vfs);
    }

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    private Path p(String s) {
        return fs.getPath(s);
    }

    @Test
    void providerIsInstalledForTheMirrorScheme() {
        assertTrue(FileSystemProvider.installedProviders().stream()
                .anyMatch(pr -> pr instanceof MirrorFileSystemProvider && pr.getScheme().equals("mirror")));
        assertTrue(fs.provider() == MirrorFileSystems.provider());
    }

    @Test
    void readsWholeFilesAndStreams() throws IOException {
        assertEquals("hello, world\n", Files.readString(p("/hello.txt")));
        assertArrayEquals(BIG, Files.readAllBytes(p("/data/big.bin")));
        assertEquals(0, Files.readAllBytes(p("/data/empty")).length);
        assertEquals(List.of("odd"), Files.readAllLines(p("/odd/hash#tag 100%.txt")));
        try (InputStream in = Files.newInputStream(p("/data/big.bin"))) {
            assertEquals(100_000, in.skip(100_000));
            byte[] b = in.readNBytes(10);
            assertArrayEquals(java.util.Arrays.copyOfRange(BIG, 100_000, 100_010), b);
            assertEquals(BIG.length - 100_010, in.available());
        }
    }

    @Test
    void byteChannelSeeksReadsAndRefusesWrites() throws IOException {
        SeekableByteChannel ch = Files.newByteChannel(p("/data/big.bin"));
        try {
            assertEquals(BIG.length, ch.size());
            ch.position(150_000);
            ByteBuffer buf = ByteBuffer.allocate(100_000);
            assertEquals(50_003, ch.read(buf));
            assertEquals(BIG.length, ch.position());
            assertArrayEquals(java.util.Arrays.copyOfRange(BIG, 150_000, BIG.length), java.util.Arrays.copyOf(buf.array(), 50_003));
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
            ch.position(BIG.length + 10L);
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
            assertEquals(0, ch.position(0).read(ByteBuffer.allocate(0)));
            assertThrows(IllegalArgumentException.class, () -> ch.position(-1));
            assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1)));
            assertThrows(NonWritableChannelException.class, () -> ch.truncate(0));
            ch.close();
            assertFalse(ch.isOpen());
            assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
            assertThrows(ClosedChannelException.class, ch::size);
        } finally {
            ch.close();
        }
    }

    @Test
    void fileChannelPositionalReadsRunConcurrently() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (FileChannel ch = FileChannel.open(p("/links/abs"))) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 200; i++) {
                        int off = r.nextInt(BIG.length);
                        int len = 1 + r.nextInt(5000);
                        ByteBuffer b = ByteBuffer.allocate(len);
                        int n = ch.read(b, off);
                        assertEquals(Math.min(len, BIG.length - off), n);
                        assertArrayEquals(java.util.Arrays.copyOfRange(BIG, off, off + n), java.util.Arrays.copyOf(b.array(), n));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            assertThrows(NonWritableChannelException.class, () -> ch.lock());
            assertTrue(ch.lock(0, Long.MAX_VALUE, true).isValid());
            assertThrows(UnsupportedOperationException.class, () -> ch.map(FileChannel.MapMode.READ_ONLY, 0, 10));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void basicAndPosixAttributes() throws IOException {
        BasicFileAttributes b = Files.readAttributes(p("/data/big.bin"), BasicFileAttributes.class);
        assertTrue(b.isRegularFile());
        assertFalse(b.isDirectory() || b.isSymbolicLink() || b.isOther());
        assertEquals(BIG.length, b.size());
        assertEquals(FileTime.from(MTIME), b.lastModifiedTime());
        assertNull(b.fileKey());
        PosixFileAttributes x = Files.readAttributes(p("/data"), PosixFileAttributes.class);
        assertTrue(x.isDirectory());
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(x.permissions()));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(p("/hello.txt"))));
        assertEquals("mirrorfs", x.owner().getName());
        assertEquals("mirrorfs", x.group().getName());
        assertEquals(x.owner(), Files.getOwner(p("/hello.txt")));
        assertEquals(x.owner(), fs.getUserPrincipalLookupService().lookupPrincipalByName("mirrorfs"));
        assertEquals(BIG.length, Files.size(p("/links/abs")));
        assertTrue(Files.readAttributes(p("/links/abs"), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isSymbolicLink());
    }

    @Test
    void attributeMapsByName() throws IOException {
        Map<String, Object> basic = Files.readAttributes(p("/hello.txt"), "*");
        assertEquals(List.of("lastModifiedTime", "lastAccessTime", "creationTime", "size", "isRegularFile", "isDirectory",
                "isSymbolicLink", "isOther", "fileKey"), List.copyOf(basic.keySet()));
        assertEquals(13L, basic.get("size"));
        Map<String, Object> posix = Files.readAttributes(p("/hello.txt"), "posix:*");
        assertTrue(posix.keySet().containsAll(List.of("permissions", "owner", "group", "size")));
        assertEquals(Map.of("size", 13L, "isDirectory", false), Files.readAttributes(p("/hello.txt"), "basic:size,isDirectory"));
        assertEquals(Map.of("owner", MirrorPrincipal.OWNER), Files.readAttributes(p("/hello.txt"), "owner:owner"));
        assertEquals(true, Files.getAttribute(p("/links/rel"), "isSymbolicLink", LinkOption.NOFOLLOW_LINKS));
        assertEquals(FileTime.from(MTIME), Files.getAttribute(p("/data/big.bin"), "posix:lastModifiedTime"));
        assertThrows(UnsupportedOperationException.class, () -> Files.readAttributes(p("/hello.txt"), "dos:*"));
        assertThrows(IllegalArgumentException.class, () -> Files.readAttributes(p("/hello.txt"), "basic:nonsense"));
        assertThrows(IllegalArgumentException.class, () -> Files.readAttributes(p("/hello.txt"), "basic:permissions"));
    }

    @Test
    void attributeViewsReadAndRefuseToWrite() throws IOException {
        BasicFileAttributeView basic = Files.getFileAttributeView(p("/hello.txt"), BasicFileAttributeView.class);
        assertEquals("basic", basic.name());
        assertEquals(13, basic.readAttributes().size());
        assertThrows(ReadOnlyFileSystemException.class, () -> basic.setTimes(null, null, null));
        PosixFileAttributeView posix = Files.getFileAttributeView(p("/hello.txt"), PosixFileAttributeView.class);
        assertEquals("posix", posix.name());
        assertThrows(ReadOnlyFileSystemException.class, () -> posix.setPermissions(java.util.Set.of()));
        assertNull(Files.getFileAttributeView(p("/hello.txt"), DosFileAttributeView.class));
        BasicFileAttributeView missing = Files.getFileAttributeView(p("/missing"), BasicFileAttributeView.class);
        assertThrows(NoSuchFileException.class, missing::readAttributes);
        assertEquals(java.util.Set.of("basic", "owner", "posix"), fs.supportedFileAttributeViews());
    }

    @Test
    void directoryStreamsListAndFilter() throws IOException {
        assertEquals(List.of("/data/big.bin", "/data/empty"), list(p("/data"), "*"));
        assertEquals(List.of("/dir/sub/deep.txt"), list(p("/dir/sub"), "*.txt"));
        assertEquals(List.of("links/dirlink/sub"), list(p("links/dirlink"), "*"));
        assertEquals(List.of(), list(p("/empty-dir"), "*"));
        assertEquals(List.of("/.hidden", "/hello.txt"), list(p("/"), "{.hidden,hello.txt}"));
        assertThrows(NotDirectoryException.class, () -> Files.newDirectoryStream(p("/hello.txt")));
        assertThrows(NoSuchFileException.class, () -> Files.newDirectoryStream(p("/missing")));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p("/data"))) {
            ds.iterator();
            assertThrows(IllegalStateException.class, ds::iterator);
        }
        DirectoryStream<Path> ds = Files.newDirectoryStream(p("/data"));
        var it = ds.iterator();
        ds.close();
        assertFalse(it.hasNext(), "a closed stream iterates as if at its end");
        assertTrue(Files.isHidden(p("/.hidden")));
        assertFalse(Files.isHidden(p("/hello.txt")));
    }

    private static List<String> list(Path dir, String glob) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            List<String> out = new ArrayList<>();
            ds.forEach(x -> out.add(x.toString()));
            out.sort(null);
            return out;
        }
    }

    @Test
    void walkVisitsEverythingWithoutFollowingLinks() throws IOException {
        try (Stream<Path> s = Files.walk(p("/dir"))) {
            assertEquals(List.of("/dir", "/dir/sub", "/dir/sub/deep.txt"), s.map(Path::toString).sorted().toList());
        }
        try (Stream<Path> s = Files.walk(p("/"))) {
            List<String> all = s.map(Path::toString).toList();
            assertTrue(all.contains("/links/dirlink"));
            assertFalse(all.contains("/links/dirlink/sub"));
            assertEquals(21 + 41, all.size(), "21 entries plus 41 chain links: " + all);
        }
    }

    @Test
    void walkFollowingLinksDetectsTheLoop() throws IOException {
        List<String> loops = new ArrayList<>();
        List<String> files = new ArrayList<>();
        Files.walkFileTree(p("/links"), java.util.Set.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                files.add(file.toString());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                if (exc instanceof FileSystemLoopException) {
                    loops.add(file.toString());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        assertEquals(List.of("/links/dot"), loops);
        assertTrue(files.containsAll(List.of("/links/rel", "/links/abs", "/links/dirlink/sub/deep.txt", "/links/up")), files.toString());
    }

    @Test
    void symlinksAreReportedAndFollowedInsideTheMirror() throws IOException {
        assertTrue(Files.isSymbolicLink(p("/links/rel")));
        assertFalse(Files.isSymbolicLink(p("/hello.txt")));
        assertEquals(p("../hello.txt"), Files.readSymbolicLink(p("/links/rel")));
        assertEquals(p("/data/big.bin"), Files.readSymbolicLink(p("/links/abs")));
        assertThrows(NotLinkException.class, () -> Files.readSymbolicLink(p("/hello.txt")));
        assertEquals("hello, world\n", Files.readString(p("/links/rel")));
        assertEquals("hello, world\n", Files.readString(p("/links/up")), "'..' stops at the mirror's root");
        assertArrayEquals(BIG, Files.readAllBytes(p("/links/abs")), "absolute targets resolve against the mirror's root");
        assertEquals("deep\n", Files.readString(p("/links/dirlink/sub/deep.txt")), "a link in the middle of a path");
        assertEquals("deep\n", Files.readString(p("/links/dirlink/../dir/sub/./deep.txt")), "'..' after a link is physical");
        assertEquals(p("/dir/sub/deep.txt"), p("/links/dirlink/sub/deep.txt").toRealPath());
        assertEquals(p("/links/rel"), p("/links/x/../rel").normalize().toRealPath(LinkOption.NOFOLLOW_LINKS));
        assertEquals(p("/hello.txt"), p("links/rel").toRealPath());
        assertTrue(Files.isSameFile(p("/links/rel"), p("/hello.txt")));
        assertFalse(Files.isSameFile(p("/links/abs"), p("/hello.txt")));
        assertTrue(Files.isDirectory(p("/links/dirlink")));
        assertFalse(Files.isDirectory(p("/links/dirlink"), LinkOption.NOFOLLOW_LINKS));
        assertThrows(FileSystemException.class, () -> Files.newByteChannel(p("/links/rel"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void danglingLoopingAndOverlongLinkChainsFail() throws IOException {
        assertFalse(Files.exists(p("/links/dangling")));
        assertTrue(Files.exists(p("/links/dangling"), LinkOption.NOFOLLOW_LINKS));
        assertThrows(NoSuchFileException.class, () -> Files.readString(p("/links/dangling")));
        FileSystemException loop = assertThrows(FileSystemException.class, () -> Files.readString(p("/links/self")));
        assertTrue(loop.getMessage().contains("Too many levels of symbolic links"), loop.getMessage());
        assertEquals("hello, world\n", Files.readString(p("/chain/c1")), "40 links are followed (glibc's MAXSYMLINKS)");
        FileSystemException tooMany = assertThrows(FileSystemException.class, () -> Files.readString(p("/chain/c0")));
        assertTrue(tooMany.getMessage().contains("Too many levels"), tooMany.getMessage());
        assertFalse(tooMany instanceof NoSuchFileException);
    }

    @Test
    void missingFilesAndWrongTypesFailWithTheStandardExceptions() {
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(p("/missing")));
        assertThrows(NoSuchFileException.class, () -> Files.readAttributes(p("/hello.txt/x"), BasicFileAttributes.class));
        assertThrows(NoSuchFileException.class, () -> Files.readString(p("/dir/missing/x")));
        FileSystemException dir = assertThrows(FileSystemException.class, () -> Files.newByteChannel(p("/dir")));
        assertTrue(dir.getMessage().contains("is a directory"), dir.getMessage());
        assertFalse(Files.exists(p("/missing")));
        assertTrue(Files.notExists(p("/missing")));
    }

    @Test
    void upstreamFailuresPropagateAsIOExceptions() throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(p("/hello.txt"))) {
            memory.file("/hello.txt", "changed upstream\n");
            assertThrows(StaleFileException.class, () -> ch.read(ByteBuffer.allocate(10)));
        }
        assertEquals("changed upstream\n", Files.readString(p("/hello.txt")), "a fresh open sees the new version");
        memory.failWith(new IOException("server down"));
        IOException e = assertThrows(IOException.class, () -> Files.readString(p("/hello.txt")));
        assertEquals("server down", e.getMessage());
        assertThrows(IOException.class, () -> Files.newDirectoryStream(p("/")));
    }

    @Test
    void everyWriteIsRefusedAndChangesNothing(@TempDir Path local) throws IOException {
        Path localFile = Files.writeString(local.resolve("f.txt"), "local");
        Path hello = p("/hello.txt");
        Path fresh = p("/new.txt");
        List<Executable> writes = List.of(
                () -> Files.newOutputStream(hello),
                () -> Files.newOutputStream(fresh),
                () -> Files.newByteChannel(hello, StandardOpenOption.WRITE),
                () -> Files.newByteChannel(hello, StandardOpenOption.APPEND),
                () -> Files.newByteChannel(fresh, StandardOpenOption.CREATE),
                () -> Files.newByteChannel(fresh, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                () -> Files.newByteChannel(hello, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE),
                () -> FileChannel.open(hello, StandardOpenOption.WRITE),
                () -> Files.write(hello, new byte[1]),
                () -> Files.writeString(fresh, "x"),
                () -> Files.createFile(fresh),
                () -> Files.createDirectory(p("/newdir")),
                () -> Files.createDirectories(p("/newdir/sub")),
                () -> Files.createTempFile(p("/dir"), "x", "y"),
                () -> Files.delete(hello),
                () -> Files.deleteIfExists(hello),
                () -> Files.delete(p("/missing")),
                () -> Files.move(hello, p("/moved.txt")),
                () -> Files.copy(hello, p("/copied.txt")),
                () -> Files.copy(localFile, p("/copied.txt")),
                () -> Files.copy(new ByteArrayInputStream(new byte[1]), fresh),
                () -> Files.copy(localFile, hello, StandardCopyOption.REPLACE_EXISTING),
                () -> Files.setAttribute(hello, "basic:lastModifiedTime", FileTime.fromMillis(0)),
                () -> Files.setLastModifiedTime(hello, FileTime.fromMillis(0)),
                () -> Files.setPosixFilePermissions(hello, PosixFilePermissions.fromString("rwxrwxrwx")),
                () -> Files.setOwner(hello, MirrorPrincipal.OWNER),
                () -> Files.createSymbolicLink(p("/newlink"), hello),
                () -> Files.createLink(p("/hardlink"), hello));
        for (int i = 0; i < writes.size(); i++) {
            assertThrows(ReadOnlyFileSystemException.class, writes.get(i), "write attempt #" + i);
        }
        assertEquals("hello, world\n", Files.readString(hello));
        assertFalse(Files.exists(fresh));
        assertEquals("local", Files.readString(localFile));
        assertThrows(AccessDeniedException.class, () -> fs.provider().checkAccess(hello, java.nio.file.AccessMode.WRITE));
        assertFalse(Files.isWritable(hello));
        assertTrue(Files.isReadable(hello));
        assertTrue(Files.isExecutable(p("/dir")));
        assertFalse(Files.isExecutable(hello));
        assertTrue(fs.isReadOnly());
        assertTrue(Files.getFileStore(hello).isReadOnly());
        assertEquals("mirrorfs", Files.getFileStore(hello).type());
        assertThrows(NoSuchFileException.class, () -> Files.getFileStore(p("/missing")));
        // Copying out of the mirror is a read, and works.
        Files.copy(hello, local.resolve("out.txt"));
        assertEquals("hello, world\n", Files.readString(local.resolve("out.txt")));
    }

    @Test
    void closingTheFileSystemClosesTheVfsAndEverythingOpen() throws IOException {
        Path hello = p("/hello.txt");
        URI uri = hello.toUri();
        assertEquals(hello, Paths.get(uri));
        SeekableByteChannel ch = Files.newByteChannel(hello);
        DirectoryStream<Path> ds = Files.newDirectoryStream(p("/"));
        var entries = ds.iterator();
        fs.close();
        fs.close();
        assertFalse(fs.isOpen());
        assertEquals(1, vfs.closes.get(), "closed once");
        assertFalse(ch.isOpen());
        assertFalse(entries.hasNext());
        assertThrows(ClosedFileSystemException.class, () -> Files.readAllBytes(hello));
        assertThrows(ClosedFileSystemException.class, () -> Files.newDirectoryStream(p("/")));
        assertThrows(ClosedFileSystemException.class, () -> Files.readAttributes(hello, BasicFileAttributes.class));
        assertThrows(ClosedFileSystemException.class, () -> Files.exists(hello));
        assertThrows(ClosedFileSystemException.class, () -> Files.delete(hello));
        assertThrows(FileSystemNotFoundException.class, () -> Paths.get(uri));
        assertEquals(p("/hello.txt"), p("/").resolve("hello.txt"), "paths still work");
    }

    @Test
    void namedFileSystemsAreUniqueUntilClosed() throws IOException {
        MemoryVfs other = new MemoryVfs("named").file("/x", "x");
        try (FileSystem named = MirrorFileSystems.newFileSystem("named", other)) {
            assertEquals(URI.create("mirror://named/x"), named.getPath("/x").toUri());
            assertEquals("x", Files.readString(Paths.get(URI.create("mirror://named/x"))));
            assertThrows(java.nio.file.FileSystemAlreadyExistsException.class, () -> MirrorFileSystems.newFileSystem("named", other));
            assertTrue(named == java.nio.file.FileSystems.getFileSystem(URI.create("mirror://named/")));
        }
        MirrorFileSystems.newFileSystem("named", other).close();
        assertThrows(IllegalArgumentException.class, () -> MirrorFileSystems.newFileSystem("bad name", other));
    }

    /** A forwarding VFS that counts {@link #close} calls (and does not close its delegate). */
    private static final class ClosingVfs extends ForwardingVfs {
        final AtomicInteger closes = new AtomicInteger();

        ClosingVfs(Vfs delegate) {
            super(delegate);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }
}
