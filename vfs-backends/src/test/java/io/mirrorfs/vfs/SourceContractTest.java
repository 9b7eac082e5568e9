package io.mirrorfs.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.ServerProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The contract every source must meet, checked against a {@link GeneratedTree} on disk that the
 * source serves (directly, or through a real server on 127.0.0.1).
 *
 * <p>To run it for a new source, subclass it and implement {@link #openSource(Path)}: start the
 * server over the given directory and return {@link #serve} of it (which stops it after the
 * tests), or return a {@link Vfs} for the directory itself. Override {@link #mtimePrecision()} when the protocol reports coarser
 * times than the disk (HTTP listings give minutes), and {@link #oddNames()} if the server cannot
 * represent some names. The tree (with its sparse 1 GiB file and 10,000-entry directory) is made
 * once per class and deleted afterwards.
 *
 * <pre>{@code
 * class FtpSourceContractTest extends SourceContractTest {
 *     protected Vfs openSource(Path tree) throws Exception {
 *         return serve(VsftpdServer.start(tree));
 *     }
 *     protected Duration mtimePrecision() { return Duration.ofSeconds(1); }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SourceContractTest {

    /** The generated tree, on disk. */
    protected GeneratedTree tree;
    /** The source under test, serving {@link #tree}. */
    protected Vfs vfs;
    /** The server passed to {@link #serve}, if any. */
    private ServerProcess server;

    /** Returns a source serving the directory {@code treeRoot}, starting a server if needed. */
    protected abstract Vfs openSource(Path treeRoot) throws Exception;

    /** Returns a source (default options) for {@code started}'s URL; the server is stopped after the tests. */
    protected Vfs serve(ServerProcess started) throws IOException {
        server = started;
        return Sources.open(started.url(), SourceOptions.DEFAULTS);
    }

    /** Stops the server given to {@link #serve}; called after the source is closed. */
    protected void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Returns how far a reported mtime may differ from the disk's (zero: exact to the nanosecond). */
    protected Duration mtimePrecision() {
        return Duration.ZERO;
    }

    /** Returns the odd names (files in {@code /odd names}) the source must list and read. */
    protected List<String> oddNames() {
        return GeneratedTree.ODD_NAMES;
    }

    @BeforeAll
    void setUpTree() throws Exception {
        tree = GeneratedTree.create(true);
        vfs = openSource(tree.root());
    }

    @AfterAll
    void tearDownTree() throws Exception {
        try {
            if (vfs != null) {
                vfs.close();
            }
        } finally {
            try {
                stopServer();
            } finally {
                if (tree != null) {
                    tree.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- listings

    @Test
    void rootListingMatchesDisk() throws IOException {
        assertListingMatches(VfsPath.ROOT);
    }

    @Test
    void everyDirectoryListsLikeTheDisk() throws IOException {
        try (Stream<Path> dirs = Files.walk(tree.root())) {
            for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                assertListingMatches(toVfs(d));
            }
        }
    }

    @Test
    void rootIsADirectory() throws IOException {
        assertTrue(vfs.stat(VfsPath.ROOT).isDirectory());
    }

    @Test
    void emptyDirectoryListsNothing() throws IOException {
        assertEquals(List.of(), vfs.list(VfsPath.parse("/empty-dir")));
        assertTrue(vfs.stat(VfsPath.parse("/empty-dir")).isDirectory());
    }

    @Test
    void tenThousandEntryDirectoryListsEveryName() throws IOException {
        List<DirEntry> entries = vfs.list(VfsPath.parse("/" + GeneratedTree.MANY_DIR));
        assertEquals(GeneratedTree.MANY_COUNT, entries.size());
        assertEquals(diskNames(tree.root().resolve(GeneratedTree.MANY_DIR)).keySet(), names(entries).keySet());
        for (int k : new int[] {0, 1, 4999, 9999}) {
            String n = String.format("f%05d.dat", k);
            assertAttrsMatch(tree.root().resolve(GeneratedTree.MANY_DIR).resolve(n), vfs.stat(VfsPath.parse("/many/" + n)));
        }
    }

    @Test
    void listingAttributesAgreeWithStat() throws IOException {
        for (DirEntry e : vfs.list(VfsPath.parse("/odd names"))) {
            FileAttrs stat = vfs.stat(VfsPath.parse("/odd names").resolve(e.name()));
            assertEquals(e.type(), stat.type(), e.name());
            if (e.attrs().isPresent()) {
                assertEquals(e.attrs().get().size(), stat.size(), e.name());
            }
        }
    }

    // ---------------------------------------------------------------- stat

    @Test
    void everyFileHasTheDiskSizeAndMtime() throws IOException {
        try (Stream<Path> files = Files.walk(tree.root())) {
            for (Path f : (Iterable<Path>) files.filter(p -> !p.startsWith(tree.root().resolve(GeneratedTree.MANY_DIR)))::iterator) {
                assertAttrsMatch(f, vfs.stat(toVfs(f)));
            }
        }
    }

    @Test
    void missingPathsAreNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> vfs.stat(VfsPath.parse("/no-such-file")));
        assertThrows(NoSuchFileException.class, () -> vfs.stat(VfsPath.parse("/nested/no/such")));
        assertThrows(NoSuchFileException.class, () -> vfs.open(VfsPath.parse("/no-such-file")));
        assertThrows(NoSuchFileException.class, () -> vfs.list(VfsPath.parse("/no-such-dir")));
    }

    @Test
    void openingADirectoryFails() {
        assertThrows(FileSystemException.class, () -> vfs.open(VfsPath.parse("/nested")));
    }

    @Test
    void listingAFileFails() {
        assertThrows(FileSystemException.class, () -> vfs.list(VfsPath.parse("/hello.txt")));
    }

    // ---------------------------------------------------------------- content

    @Test
    void smallFilesReadWhole() throws IOException {
        for (String n : List.of("hello.txt", "random-100k.bin", "nested/a/b/c/deep.txt", "nested/a/mid.txt")) {
            assertArrayEquals(Files.readAllBytes(tree.root().resolve(n)), readAll(VfsPath.parse("/" + n)), n);
        }
    }

    @Test
    void emptyFileReadsEndOfFile() throws IOException {
        try (VfsFile f = vfs.open(VfsPath.parse("/empty-file"))) {
            assertEquals(0, f.attrs().size());
            assertEquals(-1, f.read(0, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void oddNamesListAndRead() throws IOException {
        Path dir = tree.root().resolve("odd names");
        Map<String, DirEntry> listed = names(vfs.list(VfsPath.parse("/odd names")));
        for (String n : oddNames()) {
            assertTrue(listed.containsKey(n), () -> "missing " + n + " in " + listed.keySet());
            assertArrayEquals(Files.readAllBytes(dir.resolve(n)), readAll(VfsPath.parse("/odd names").resolve(n)), n);
        }
        VfsPath inner = VfsPath.parse("/odd names/dir with space #1/inner%file.txt");
        assertArrayEquals(Files.readAllBytes(dir.resolve("dir with space #1/inner%file.txt")), readAll(inner));
    }

    @Test
    void randomOffsetsMatchTheDisk() throws IOException {
        Random rnd = new Random(42);
        for (String n : List.of("random-100k.bin", "random-3m.bin")) {
            Path disk = tree.root().resolve(n);
            try (VfsFile f = vfs.open(VfsPath.parse("/" + n)); FileChannel ch = FileChannel.open(disk)) {
                for (int i = 0; i < 200; i++) {
                    long off = (long) (rnd.nextDouble() * f.attrs().size());
                    int len = 1 + rnd.nextInt(i % 2 == 0 ? 4096 : 300_000);
                    assertRangeMatches(f, ch, off, len, i % 3 == 0);
                }
            }
        }
    }

    @Test
    void largeFileHasItsSizeAndContentAtIslandsAndEnd() throws IOException {
        Path disk = tree.root().resolve(GeneratedTree.LARGE_FILE);
        try (VfsFile f = vfs.open(VfsPath.parse("/" + GeneratedTree.LARGE_FILE)); FileChannel ch = FileChannel.open(disk)) {
            assertEquals(GeneratedTree.LARGE_SIZE, f.attrs().size());
            for (long island : GeneratedTree.LARGE_ISLANDS) {
                assertRangeMatches(f, ch, Math.max(0, island - 100), 4096 + 200, false);
            }
            assertRangeMatches(f, ch, GeneratedTree.LARGE_SIZE - (1 << 20), 1 << 20, false);
            // A 1 MiB-aligned read straddling the end returns only the bytes that exist.
            long lastBlock = GeneratedTree.LARGE_SIZE & ~((1L << 20) - 1);
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            assertEquals(GeneratedTree.LARGE_SIZE - lastBlock, readFully(f, lastBlock, buf));
            assertEquals(-1, f.read(GeneratedTree.LARGE_SIZE, ByteBuffer.allocate(10)));
            assertEquals(-1, f.read(GeneratedTree.LARGE_SIZE + 5000, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void sequentialOneMebibyteReadsMatch() throws IOException {
        Path disk = tree.root().resolve(GeneratedTree.LARGE_FILE);
        try (VfsFile f = vfs.open(VfsPath.parse("/" + GeneratedTree.LARGE_FILE)); FileChannel ch = FileChannel.open(disk)) {
            for (long off = 0; off < 48L << 20; off += 1 << 20) {
                assertRangeMatches(f, ch, off, 1 << 20, false);
            }
        }
    }

    @Test
    void concurrentReadsOfOneHandleAreCorrect() throws Exception {
        Path disk = tree.root().resolve("random-3m.bin");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (VfsFile f = vfs.open(VfsPath.parse("/random-3m.bin")); FileChannel ch = FileChannel.open(disk)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < 40; i++) {
                        long off = i % 2 == 0 ? (long) seed * 500_000 + i * 8192L : rnd.nextInt((int) f.attrs().size());
                        assertRangeMatches(f, ch, off, 8192 + rnd.nextInt(70_000), seed % 2 == 0);
                    }
                    return null;
                }));
            }
            for (Future<?> fu : futures) {
                fu.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Returns the VfsPath of a path inside the tree. */
    protected VfsPath toVfs(Path p) {
        VfsPath v = VfsPath.ROOT;
        for (Path seg : tree.root().relativize(p)) {
            if (!seg.toString().isEmpty()) {
                v = v.resolve(seg.toString());
            }
        }
        return v;
    }

    private void assertListingMatches(VfsPath dir) throws IOException {
        Path disk = tree.root();
        for (String s : dir.segments()) {
            disk = disk.resolve(s);
        }
        Map<String, DirEntry> listed = names(vfs.list(dir));
        Map<String, FileType> expected = diskNames(disk);
        assertEquals(expected.keySet(), listed.keySet(), "names of " + dir);
        for (Map.Entry<String, FileType> e : expected.entrySet()) {
            DirEntry entry = listed.get(e.getKey());
            assertEquals(e.getValue(), entry.type(), dir + "/" + e.getKey());
            if (entry.attrs().isPresent() && entry.type() == FileType.FILE) {
                assertEquals(Files.size(disk.resolve(e.getKey())), entry.attrs().get().size(), dir + "/" + e.getKey());
            }
        }
    }

    private void assertAttrsMatch(Path disk, FileAttrs attrs) throws IOException {
        boolean dir = Files.isDirectory(disk, LinkOption.NOFOLLOW_LINKS);
        assertEquals(dir ? FileType.DIRECTORY : FileType.FILE, attrs.type(), disk.toString());
        if (dir) {
            return;
        }
        assertEquals(Files.size(disk), attrs.size(), disk.toString());
        Instant want = Files.getLastModifiedTime(disk).toInstant();
        Duration diff = Duration.between(want, attrs.mtime()).abs();
        if (mtimePrecision().isZero()) {
            assertEquals(want, attrs.mtime(), disk.toString());
        } else {
            assertTrue(diff.compareTo(mtimePrecision()) < 0, () -> disk + ": mtime " + attrs.mtime() + " vs disk " + want);
        }
    }

    private static Map<String, FileType> diskNames(Path dir) throws IOException {
        Map<String, FileType> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> m.put(p.getFileName().toString(),
                    Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? FileType.DIRECTORY : FileType.FILE));
        }
        return m;
    }

    private static Map<String, DirEntry> names(List<DirEntry> entries) {
        Map<String, DirEntry> m = new TreeMap<>();
        for (DirEntry e : entries) {
            assertTrue(m.put(e.name(), e) == null, "duplicate entry " + e.name());
        }
        return m;
    }

    /** Reads the whole file {@code p} through the source, in 64 KiB reads. */
    protected byte[] readAll(VfsPath p) throws IOException {
        try (VfsFile f = vfs.open(p)) {
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(f.attrs().size()));
            long off = 0;
            while (buf.hasRemaining()) {
                int n = f.read(off, buf.slice().limit(Math.min(buf.remaining(), 65536)));
                if (n < 0) {
                    break;
                }
                buf.position(buf.position() + n);
                off += n;
            }
            assertEquals(f.attrs().size(), off, "bytes read from " + p);
            return buf.array();
        }
    }

    private static int readFully(VfsFile f, long offset, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = f.read(offset + total, dst);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total == 0 && offset >= f.attrs().size() ? -1 : total;
    }

    private static void assertRangeMatches(VfsFile f, FileChannel disk, long off, int len, boolean direct) throws IOException {
        ByteBuffer got = direct ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
        int n = readFully(f, off, got);
        ByteBuffer want = ByteBuffer.allocate(len);
        int m = 0;
        while (want.hasRemaining()) {
            int r = disk.read(want, off + m);
            if (r < 0) {
                break;
            }
            m += r;
        }
        assertEquals(Math.max(m, 0), Math.max(n, 0), "length at " + off);
        got.flip();
        want.flip();
        assertTrue(want.equals(got), "content at offset " + off + " length " + len);
    }
}
