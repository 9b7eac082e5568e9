package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Sample trees, the real archivers run on them, and snapshots to compare what they extract with what we show. */
final class Fixtures {

    static final long BASE_TIME = 1_600_000_000L;

    private Fixtures() {
    }

    /**
     * Creates a tree exercising the archivers: nested and odd names, a long name, modes, an
     * empty file, a 3 MiB file spanning many gzip checkpoints, a relative symlink and a hard link.
     */
    static Path sourceTree(Path root) throws IOException {
        Files.createDirectories(root);
        write(root.resolve("README.txt"), "hello archives\n");
        write(root.resolve("bin/tool.sh"), "#!/bin/sh\necho tool\n");
        chmod(root.resolve("bin/tool.sh"), "r-xr-x---");
        write(root.resolve("data/empty.txt"), "");
        Files.write(root.resolve("data/big.bin"), compressible(3 << 20, 7));
        write(root.resolve("deep/a/b/c/leaf.txt"), "leaf\n");
        write(root.resolve("names/with space.txt"), "space\n");
        write(root.resolve("names/unicodé ✓.txt"), "utf-8\n");
        write(root.resolve("long/" + "n".repeat(150) + ".txt"), "a name longer than ustar's 100 bytes\n");
        write(root.resolve("private.txt"), "mode 0600\n");
        chmod(root.resolve("private.txt"), "rw-------");
        write(root.resolve("closed/inside.txt"), "in a 0750 directory\n");
        chmod(root.resolve("closed"), "rwxr-x---");
        Files.createDirectories(root.resolve("links"));
        Files.createSymbolicLink(root.resolve("links/rel-link"), Path.of("../README.txt"));
        Files.createLink(root.resolve("links/hard.txt"), root.resolve("README.txt"));
        stampTimes(root);
        return root;
    }

    /** Returns {@code size} bytes that compress about 3:1 and differ everywhere (text-like runs plus noise). */
    static byte[] compressible(int size, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[size];
        String words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ";
        for (int i = 0; i < size; i++) {
            b[i] = (i % 7 == 0) ? (byte) r.nextInt(256) : (byte) words.charAt((i * 31 + r.nextInt(3)) % words.length());
        }
        return b;
    }

    /** Gives every file and directory a distinct whole-second mtime in the past (deepest first). */
    static void stampTimes(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = new ArrayList<>(s.sorted().toList());
        }
        java.util.Collections.reverse(all);
        long t = BASE_TIME;
        for (Path p : all) {
            if (!Files.isSymbolicLink(p)) {
                Files.setLastModifiedTime(p, FileTime.from(t++, TimeUnit.SECONDS));
            }
        }
    }

    static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    /** Runs {@code command} in {@code dir} and fails the test unless it exits 0. */
    static void run(Path dir, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            int rc = p.waitFor();
            assertEquals(0, rc, String.join(" ", command) + " failed:\n" + out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Runs a shell command line in {@code dir}. */
    static void sh(Path dir, String script) throws IOException {
        run(dir, "/bin/sh", "-c", script);
    }

    /** Describes every entry below {@code root} on the host: type, mode without write bits, size, mtime, sha256 or link target. */
    static TreeMap<String, String> snapshot(Path root, boolean fileTimes) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (p.equals(root)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link -> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "dir " + mode(p));
                } else {
                    String time = fileTimes ? " t=" + Files.getLastModifiedTime(p).toMillis() / 1000 : "";
                    out.put(rel, "file " + mode(p) + " " + Files.size(p) + time + " " + sha256(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    /** Describes every entry below {@code root} of {@code vfs} the same way, reading files in 128 KiB requests like FUSE. */
    static TreeMap<String, String> snapshot(Vfs vfs, VfsPath root, boolean fileTimes) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        walk(vfs, root, "", out, fileTimes);
        return out;
    }

    private static void walk(Vfs vfs, VfsPath dir, String prefix, TreeMap<String, String> out, boolean fileTimes) throws IOException {
        for (DirEntry e : vfs.list(dir)) {
            VfsPath p = dir.resolve(e.name());
            String rel = prefix + e.name();
            FileAttrs a = vfs.stat(p);
            assertEquals(a, e.attrs().orElse(a), "listing and stat disagree on " + p);
            switch (a.type()) {
                case SYMLINK -> out.put(rel, "link -> " + vfs.readlink(p));
                case DIRECTORY -> {
                    out.put(rel, "dir " + Integer.toOctalString(a.permissions()));
                    walk(vfs, p, rel + "/", out, fileTimes);
                }
                case FILE -> {
                    byte[] content = readAll(vfs, p);
                    assertEquals(a.size(), content.length, "size of " + p);
                    String time = fileTimes ? " t=" + a.mtime().getEpochSecond() : "";
                    out.put(rel, "file " + Integer.toOctalString(a.permissions()) + " " + a.size() + time + " " + sha256(content));
                }
            }
        }
    }

    /** Reads a whole file through ranged 128 KiB reads. */
    static byte[] readAll(Vfs vfs, VfsPath p) throws IOException {
        try (VfsFile f = vfs.open(p)) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(128 * 1024);
            long pos = 0;
            while (true) {
                buf.clear();
                int n = f.read(pos, buf);
                if (n < 0) {
                    break;
                }
                out.write(buf.array(), 0, n);
                pos += n;
            }
            return out.toByteArray();
        }
    }

    /** Reads {@code length} bytes at {@code offset}. */
    static byte[] readRange(VfsFile f, long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = f.read(pos, buf);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String mode(Path p) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return Integer.toOctalString(mode & 0555);
    }
}
