package io.mirrorfs.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * A deterministic tree of files on disk for source tests: small files, odd names, empty
 * directories, nested directories, a sparse 1 GiB file and a 10,000-entry directory.
 *
 * <p>Every server-backed test (nginx, Apache, vsftpd) serves one of these, so that all sources
 * are checked against the same content. {@link #close} deletes it.
 */
public final class GeneratedTree implements AutoCloseable {

    /** Names that need escaping in URLs or are otherwise easy to get wrong (none starts with a dot: nginx autoindex hides those). */
    public static final List<String> ODD_NAMES = List.of(
            "with space.txt", "100%.txt", "50%25 encoded.txt", "hash#tag.txt", "what?.txt", "a+b.txt",
            "semi;colon.txt", "ünïcödé-日本語.txt", "quote'and&amp.txt", "tilde~.txt", "comma,eq=.txt",
            "brackets[1](2).txt", "dollar$@!.txt", "mid..dots..", "trailing.dot.");

    /** The directory with 10,000 entries. */
    public static final String MANY_DIR = "many";
    /** How many files {@link #MANY_DIR} holds. */
    public static final int MANY_COUNT = 10_000;
    /** The sparse large file, 1 GiB plus a few bytes so the last block is partial. */
    public static final String LARGE_FILE = "large.bin";
    /** The size of {@link #LARGE_FILE}. */
    public static final long LARGE_SIZE = (1L << 30) + 12_345;
    /** Offsets at which {@link #LARGE_FILE} holds non-zero data (4 KiB islands), the rest is holes. */
    public static final long[] LARGE_ISLANDS = {0, 4096 * 3 + 17, 1L << 20, 123_456_789, 1L << 29, LARGE_SIZE - 4096};

    private final Path root;

    private GeneratedTree(Path root) {
        this.root = root;
    }

    /** Creates the tree in a new temporary directory; when {@code withMany} is false the 10,000-entry dir is left out. */
    public static GeneratedTree create(boolean withMany) throws IOException {
        Path root = Files.createTempDirectory("mirrorfs-tree-");
        // A world-readable tree: servers running as another user (Apache's www-data) must read it.
        root.toFile().setReadable(true, false);
        root.toFile().setExecutable(true, false);
        GeneratedTree t = new GeneratedTree(root);
        t.populate(withMany);
        return t;
    }

    /** Returns the root directory. */
    public Path root() {
        return root;
    }

    /** Returns the deterministic content of a generated small file called {@code name}. */
    public static byte[] contentFor(String name, int size) {
        byte[] b = new byte[size];
        new Random(name.hashCode()).nextBytes(b);
        return b;
    }

    private void populate(boolean withMany) throws IOException {
        Instant base = Instant.parse("2023-05-17T10:11:12Z");
        write(root.resolve("hello.txt"), "hello, world\n".getBytes(StandardCharsets.UTF_8), base);
        write(root.resolve("empty-file"), new byte[0], base.plusSeconds(61));
        write(root.resolve("random-100k.bin"), contentFor("random-100k.bin", 100_003), base.plusSeconds(3600));
        write(root.resolve("random-3m.bin"), contentFor("random-3m.bin", 3 * 1024 * 1024 + 5), base.plusSeconds(7200));
        Files.createDirectories(root.resolve("empty-dir"));
        Path odd = Files.createDirectories(root.resolve("odd names"));
        int i = 0;
        for (String n : ODD_NAMES) {
            write(odd.resolve(n), contentFor(n, 1000 + 37 * i++), base.plusSeconds(86_400L * i));
        }
        Path oddDir = Files.createDirectories(odd.resolve("dir with space #1"));
        write(oddDir.resolve("inner%file.txt"), contentFor("inner", 77), base);
        Path deep = Files.createDirectories(root.resolve("nested/a/b/c"));
        write(deep.resolve("deep.txt"), contentFor("deep.txt", 4321), base.plusSeconds(5));
        write(root.resolve("nested/a/mid.txt"), contentFor("mid.txt", 12), base.plusSeconds(6));
        writeLarge(root.resolve(LARGE_FILE), base.plusSeconds(999));
        if (withMany) {
            Path many = Files.createDirectories(root.resolve(MANY_DIR));
            for (int k = 0; k < MANY_COUNT; k++) {
                String n = String.format("f%05d.dat", k);
                write(many.resolve(n), (n + "\n").repeat(1 + k % 7).getBytes(StandardCharsets.US_ASCII), base.plusSeconds(k));
            }
        }
        makeWorldReadable();
    }

    private static void write(Path p, byte[] content, Instant mtime) throws IOException {
        Files.write(p, content);
        Files.setLastModifiedTime(p, FileTime.from(mtime));
    }

    private static void writeLarge(Path p, Instant mtime) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(LARGE_SIZE);
            for (long off : LARGE_ISLANDS) {
                f.seek(off);
                f.write(contentFor("island" + off, (int) Math.min(4096, LARGE_SIZE - off)));
            }
        }
        Files.setLastModifiedTime(p, FileTime.from(mtime));
    }

    private void makeWorldReadable() throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                dir.toFile().setReadable(true, false);
                dir.toFile().setExecutable(true, false);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                file.toFile().setReadable(true, false);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes the tree. */
    @Override
    public void close() {
        deleteRecursively(root);
    }

    /** Deletes {@code dir} and everything below it, ignoring what is already gone. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
