package io.mirrorfs.fuse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Random;

/** Generates the demo's sample tree: text, binary, nested directories, odd names and a symlink. */
final class DemoTree {

    private DemoTree() {
    }

    /** Creates the sample tree in a new temporary directory and returns it. */
    static Path create() throws IOException {
        Path root = Files.createTempDirectory("mirrorfs-demo-");
        write(root.resolve("README.txt"), """
                Welcome to the mirrorfs demo.

                This directory is a read-only FUSE mount served by mirrorfs from a sample tree
                that it generated at start-up. Everything here is read on demand through the
                same layers a remote HTTP or FTP mirror uses.

                Try:  ls -lR .   cat docs/guide.md   sha256sum data/random-1MiB.bin
                      readlink latest   touch x (fails: Read-only file system)
                      ls -l archives/sample.tar.gz#/   (an archive entered as a directory)
                """);
        Files.createDirectories(root.resolve("docs/nested/deeper"));
        write(root.resolve("docs/guide.md"), "# Guide\n\nmirrorfs presents remote servers as a local directory.\n");
        write(root.resolve("docs/nested/deeper/leaf.txt"), "a file three levels down\n");
        write(root.resolve("docs/name with spaces.txt"), "spaces are fine\n");
        write(root.resolve("docs/unicodé-ñame-✓.txt"), "UTF-8 names are fine\n");
        Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("empty-dir"));
        byte[] random = new byte[1 << 20];
        new Random(42).nextBytes(random);
        Files.write(root.resolve("data/random-1MiB.bin"), random);
        try (OutputStream out = Files.newOutputStream(root.resolve("data/numbers.txt"))) {
            for (int i = 1; i <= 100_000; i++) {
                out.write((i + "\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        Files.createFile(root.resolve("data/empty.bin"));
        Files.createSymbolicLink(root.resolve("latest"), Path.of("docs/guide.md"));
        writeSampleArchive(root.resolve("archives/sample.tar.gz"), root);
        return root;
    }

    /** Deletes a tree made by {@link #create}, without following symlinks. */
    static void delete(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Packs the docs and data directories into a tar.gz, seen inside the mount at {@code sample.tar.gz#/}. */
    private static void writeSampleArchive(Path archive, Path root) throws IOException {
        Files.createDirectories(archive.getParent());
        try (OutputStream file = Files.newOutputStream(archive);
             org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream gz =
                     new org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream(file);
             org.apache.commons.compress.archivers.tar.TarArchiveOutputStream tar =
                     new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(gz, "UTF-8")) {
            tar.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : new String[] {"docs", "data"}) {
                try (java.util.stream.Stream<Path> files = Files.walk(root.resolve(dir))) {
                    for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                        tar.putArchiveEntry(tar.createArchiveEntry(p, root.relativize(p).toString()));
                        if (Files.isRegularFile(p)) {
                            Files.copy(p, tar);
                        }
                        tar.closeArchiveEntry();
                    }
                }
            }
        }
    }

    private static void write(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }
}
