package io.mirrorfs.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.ServerProcess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/**
 * The FUSE integration tests' behaviour checks, run through the NIO API against a real source:
 * a {@link GeneratedTree} served over some URL and opened with
 * {@code FileSystems.newFileSystem(URI.create("mirror://NAME/"), Map.of("sources", ...))}, the
 * way a program would (so the ServiceLoader registration and the env parsing are exercised too).
 *
 * <p>The source is mounted at {@code /pub/mirror}, so the mount table's synthesised parents are
 * part of every check. Subclasses start the server in {@link #sourceUrl} and stop it in
 * {@link #stopServer}; the tree is made once per class (without the 10,000-entry directory) and
 * deleted afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MirrorBehaviourChecks {

    /** Where in the mirror the source is mounted. */
    static final String MOUNT = "/pub/mirror";

    private GeneratedTree tree;
    private FileSystem fs;
    /** The server passed to {@link #serve}, if any. */
    private ServerProcess server;

    /** Returns the URL of a source serving {@code treeRoot}, starting a server if needed. */
    protected abstract String sourceUrl(Path treeRoot) throws Exception;

    /** Returns {@code started}'s URL; the server is stopped after the checks. */
    protected String serve(ServerProcess started) {
        server = started;
        return started.url();
    }

    /** Stops the server given to {@link #serve}; called after the file system is closed. */
    protected void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    /** Returns how far a reported mtime may differ from the disk's. */
    protected Duration mtimePrecision() {
        return Duration.ZERO;
    }

    /** Returns whether the sparse 1 GiB file is hashed whole (else only read at random offsets). */
    protected boolean hashLargeFile() {
        return true;
    }

    @BeforeAll
    void openMirror() throws Exception {
        tree = GeneratedTree.create(false);
        try {
            String name = getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
            fs = FileSystems.newFileSystem(URI.create("mirror://" + name + "/"),
                    Map.of("sources", Map.of(MOUNT, sourceUrl(tree.root())), "readTimeout", "30s"));
        } catch (Exception | Error e) {
            closeMirror();
            throw e;
        }
    }

    @AfterAll
    void closeMirror() throws Exception {
        try {
            if (fs != null) {
                fs.close();
            }
        } finally {
            try {
                stopServer();
            } finally {
                tree.close();
            }
        }
    }

    private Path mirror() {
        return fs.getPath(MOUNT);
    }

    @Test
    void walkSizesAndMtimesMatchTheTree() throws IOException {
        Map<String, String> expected = describe(tree.root());
        Map<String, String> actual = describe(mirror());
        assertEquals(expected.keySet(), actual.keySet());
        assertEquals(expected, actual);
        try (Stream<Path> files = Files.walk(tree.root())) {
            for (Path local : files.filter(Files::isRegularFile).toList()) {
                FileTime want = Files.getLastModifiedTime(local);
                FileTime got = Files.getLastModifiedTime(mirror().resolve(tree.root().relativize(local).toString()));
                long diff = Math.abs(Duration.between(want.toInstant(), got.toInstant()).toNanos());
                assertTrue(diff <= mtimePrecision().toNanos(), local + ": " + want + " vs " + got);
            }
        }
        assertEquals(List.of("/pub"), names(fs.getPath("/")), "the mount point's parents are synthesised");
        assertTrue(Files.isDirectory(fs.getPath("/pub")));
    }

    /** Returns relative path to "type size" for everything below {@code root}, as find would print it. */
    private static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                String type = a.isDirectory() ? "d" : a.isRegularFile() ? "f" : "?";
                out.put(root.relativize(p).toString(), type + " " + (a.isDirectory() ? 0 : a.size()));
            }
        }
        return out;
    }

    private static List<String> names(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(p -> out.add(p.toString()));
        }
        out.sort(null);
        return out;
    }

    @Test
    void sha256OfEveryFileMatchesTheTree() throws Exception {
        List<Path> files;
        try (Stream<Path> all = Files.walk(tree.root())) {
            files = all.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path local : files) {
            String rel = tree.root().relativize(local).toString();
            if (rel.equals(GeneratedTree.LARGE_FILE) && !hashLargeFile()) {
                continue;
            }
            Path remote = mirror().resolve(rel);
            assertEquals(sha256(local), rel.startsWith("odd") ? sha256Stream(remote) : sha256(remote), rel);
        }
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            while (ch.read(buf.clear()) > 0) {
                md.update(buf.flip());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256Stream(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void thousandRandomReadsMatchTheTree() throws IOException {
        String[] names = {"random-3m.bin", GeneratedTree.LARGE_FILE, "random-100k.bin"};
        Random r = new Random(7);
        for (String name : names) {
            try (FileChannel expected = FileChannel.open(tree.root().resolve(name));
                 FileChannel actual = FileChannel.open(mirror().resolve(name))) {
                long size = expected.size();
                assertEquals(size, actual.size());
                for (int i = 0; i < 1000 / names.length + 1; i++) {
                    int len = 1 + r.nextInt(65_536);
                    long off = i % 4 == 0 && name.equals(GeneratedTree.LARGE_FILE)
                            ? GeneratedTree.LARGE_ISLANDS[r.nextInt(GeneratedTree.LARGE_ISLANDS.length)] + r.nextInt(2048)
                            : (long) (r.nextDouble() * (size + 1000)); // some reads start past the end
                    ByteBuffer e = ByteBuffer.allocate(len);
                    ByteBuffer a = ByteBuffer.allocate(len);
                    int en = Math.max(0, expected.read(e, off));
                    int an = Math.max(0, actual.read(a, off));
                    assertEquals(en, an, name + ": bytes read at " + off);
                    assertArrayEquals(e.array(), a.array(), name + ": content at " + off + "+" + len);
                }
            }
        }
    }

    @Test
    void oddNamesListAndReadThroughGlobs() throws IOException {
        Path odd = mirror().resolve("odd names");
        List<String> listed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(odd, "*.txt")) {
            ds.forEach(p -> listed.add(p.getFileName().toString()));
        }
        List<String> want = GeneratedTree.ODD_NAMES.stream().filter(n -> n.endsWith(".txt")).sorted().toList();
        listed.sort(null);
        assertEquals(want, listed);
        for (String n : GeneratedTree.ODD_NAMES) {
            Path p = odd.resolve(n);
            assertEquals(p, Path.of(p.toUri()), "URI round trip of " + n);
            assertArrayEquals(Files.readAllBytes(tree.root().resolve("odd names").resolve(n)), Files.readAllBytes(p), n);
        }
    }

    @Test
    void errorsAreTheStandardExceptions() {
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(mirror().resolve("missing.txt")));
        assertThrows(NoSuchFileException.class, () -> Files.size(fs.getPath("/elsewhere")));
        assertThrows(NotDirectoryException.class, () -> Files.newDirectoryStream(mirror().resolve("hello.txt")));
        assertThrows(NoSuchFileException.class, () -> Files.readAttributes(mirror().resolve("hello.txt/x"), BasicFileAttributes.class));
    }

    @Test
    void everyWriteIsRefusedAndChangesNothing() throws IOException {
        String before = snapshot(tree.root());
        Path hello = mirror().resolve("hello.txt");
        Path dir = mirror().resolve("empty-dir");
        List<Executable> writes = List.of(
                () -> Files.newOutputStream(hello),
                () -> Files.newOutputStream(mirror().resolve("new.txt")),
                () -> Files.newByteChannel(hello, StandardOpenOption.WRITE),
                () -> Files.newByteChannel(hello, StandardOpenOption.APPEND),
                () -> Files.newByteChannel(mirror().resolve("new.txt"), StandardOpenOption.CREATE),
                () -> Files.createDirectory(mirror().resolve("newdir")),
                () -> Files.delete(hello),
                () -> Files.delete(dir),
                () -> Files.move(hello, mirror().resolve("moved.txt")),
                () -> Files.copy(hello, mirror().resolve("copy.txt")),
                () -> Files.copy(new ByteArrayInputStream(new byte[] {1}), mirror().resolve("copy.txt")),
                () -> Files.setLastModifiedTime(hello, FileTime.fromMillis(0)),
                () -> Files.setAttribute(hello, "posix:permissions", java.util.Set.of()),
                () -> Files.createSymbolicLink(mirror().resolve("link"), hello),
                () -> Files.createLink(mirror().resolve("hard"), hello),
                () -> Files.writeString(hello, "x"));
        for (int i = 0; i < writes.size(); i++) {
            assertThrows(ReadOnlyFileSystemException.class, writes.get(i), "write attempt #" + i);
        }
        assertEquals(before, snapshot(tree.root()));
    }

    private static String snapshot(Path root) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted().toList()) {
                sb.append(root.relativize(p)).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p)).append('\n');
            }
        }
        return sb.toString();
    }
}
