package io.mirrorfs.it;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.VsftpdServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * The mirror that the serving tests hand to Apache and vsftpd: an nginx (HTTP) and a vsftpd (FTP)
 * upstream on 127.0.0.1 serving generated trees, plus a local directory, mounted by a real
 * mirrorfs process with {@code -o allow_other} as
 *
 * <pre>
 *   MOUNT/http   -&gt; nginx   serving TREE/http
 *   MOUNT/ftp    -&gt; vsftpd  serving TREE/ftp
 *   MOUNT/local  -&gt; file:// TREE/local
 * </pre>
 *
 * so that {@code tree().resolve(p)} is the upstream original of {@code mountPoint().resolve(p)}.
 * {@link #close} unmounts and stops both upstream servers, also after a failure.
 */
final class ServedMirror implements AutoCloseable {

    /** Files in the HTTP tree, by path below {@code http/}. */
    static final List<String> HTTP_FILES = List.of("hello.txt", "data/file-1.bin", "data/file-4k.bin", "data/file-100k.bin",
            "data/file-1m.bin", "data/file-3m.bin", "data/file-7m.bin");
    /** Files in the FTP tree, by path below {@code ftp/}. */
    static final List<String> FTP_FILES = List.of("hello.txt", "pub/file-2k.bin", "pub/file-512k.bin", "pub/file-2m.bin",
            "pub/file-20m.bin", "pub/tool.sh");
    /** The upstream mtime of every generated file: old enough that FTP listings show a year. */
    static final Instant MTIME = Instant.parse("2021-06-07T08:09:10Z");
    /** The 1 GiB file, below {@code http/}, when requested. */
    static final String GIB_FILE = "big/one-GiB.bin";
    static final long GIB = 1L << 30;

    private final Path tree;
    private final Path mountPoint;
    private NginxServer nginx;
    private VsftpdServer vsftpd;
    private MountedMirror mirror;
    private String gibSha256;

    private ServedMirror(Path tree, Path mountPoint) {
        this.tree = tree;
        this.mountPoint = mountPoint;
    }

    /**
     * Generates the trees in {@code tmp}, starts the upstream servers and mounts the mirror on
     * {@code mountPoint} (an existing empty directory).
     *
     * @param withGib   whether to add the 1 GiB file to the HTTP tree
     * @param extraArgs more {@code mount} arguments
     */
    static ServedMirror start(Path tmp, Path mountPoint, boolean withGib, String... extraArgs) throws IOException, InterruptedException {
        ServedMirror s = new ServedMirror(tmp.resolve("tree"), mountPoint);
        try {
            s.generate(withGib);
            Shell.ok(tmp, "chmod a+rx " + tmp + " && chmod -R a+rX " + s.tree.resolve("http") + " " + s.tree.resolve("ftp"));
            s.nginx = NginxServer.start(s.tree.resolve("http"), NginxServer.Listing.EXACT);
            s.vsftpd = VsftpdServer.start(s.tree.resolve("ftp"));
            List<String> args = new java.util.ArrayList<>(List.of("--source", "/http=" + s.nginx.url(), "--source", "/ftp=" + s.vsftpd.url(),
                    "--source", "/local=" + s.tree.resolve("local").toUri(), "-o", "allow_other"));
            args.addAll(List.of(extraArgs));
            s.mirror = MountedMirror.start(mountPoint, "mount", args.toArray(String[]::new));
            return s;
        } catch (IOException | RuntimeException | InterruptedException | Error e) {
            s.close();
            throw e;
        }
    }

    private void generate(boolean withGib) throws IOException {
        write("http/hello.txt", "hello from nginx\n".getBytes());
        write("ftp/hello.txt", "hello from vsftpd\n".getBytes());
        int[] httpSizes = {1, 4096, 100_000, (1 << 20) + 3, 3 << 20, (7 << 20) + 5};
        for (int i = 0; i < httpSizes.length; i++) {
            write("http/" + HTTP_FILES.get(i + 1), GeneratedTree.contentFor("http" + i, httpSizes[i]));
        }
        int[] ftpSizes = {2048, (512 << 10) + 1, 2 << 20, (20 << 20) + 7};
        for (int i = 0; i < ftpSizes.length; i++) {
            write("ftp/" + FTP_FILES.get(i + 1), GeneratedTree.contentFor("ftp" + i, ftpSizes[i]));
        }
        write("ftp/pub/tool.sh", "#!/bin/sh\necho tool\n".getBytes());
        Files.setPosixFilePermissions(tree.resolve("ftp/pub/tool.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        write("local/script.sh", "#!/bin/sh\necho script\n".getBytes());
        Files.setPosixFilePermissions(tree.resolve("local/script.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        write("local/private.txt", "only root upstream\n".getBytes());
        Files.setPosixFilePermissions(tree.resolve("local/private.txt"), PosixFilePermissions.fromString("rw-------"));
        Path privateDir = Files.createDirectories(tree.resolve("local/private-dir"));
        write("local/private-dir/inner.txt", "inner\n".getBytes());
        Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
        if (withGib) {
            gibSha256 = writePseudoRandom(Files.createDirectories(tree.resolve("http/big")).resolve("one-GiB.bin"), GIB);
        }
    }

    private void write(String relative, byte[] content) throws IOException {
        Path p = tree.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        Files.setLastModifiedTime(p, FileTime.from(MTIME));
    }

    /** Writes {@code size} bytes of a fast xorshift stream and returns their SHA-256, computed on the way. */
    private static String writePseudoRandom(Path file, long size) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocate(4 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long x = 0x9E3779B97F4A7C15L;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; done += buf.capacity()) {
                buf.clear();
                while (buf.hasRemaining()) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    buf.putLong(x);
                }
                buf.flip();
                sha.update(buf.array(), 0, buf.limit());
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
        Files.setLastModifiedTime(file, FileTime.from(MTIME));
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Returns the upstream trees' root: {@code http/}, {@code ftp/} and {@code local/} below it. */
    Path tree() {
        return tree;
    }

    /** Returns the mount point. */
    Path mountPoint() {
        return mountPoint;
    }

    /** Returns the mirrorfs process. */
    MountedMirror mirror() {
        return mirror;
    }

    /** Returns the SHA-256 of the 1 GiB file (hex), if it was generated. */
    String gibSha256() {
        if (gibSha256 == null) {
            throw new IllegalStateException("started without the 1 GiB file");
        }
        return gibSha256;
    }

    /** Returns the SHA-256 (hex) of the upstream original of mirror path {@code relative}. */
    String sha256(String relative) throws IOException, InterruptedException {
        return Shell.ok(tree, "sha256sum " + relative).split(" ")[0];
    }

    /** Returns every generated file as a mirror path, e.g. {@code http/data/file-1m.bin}. */
    static List<String> allFiles() {
        return java.util.stream.Stream.concat(HTTP_FILES.stream().map(f -> "http/" + f), FTP_FILES.stream().map(f -> "ftp/" + f)).toList();
    }

    @Override
    public void close() throws InterruptedException {
        if (mirror != null) {
            mirror.close();
        }
        if (vsftpd != null) {
            vsftpd.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }
}
