package io.mirrorfs.cache;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic source held in memory: {@link #DIRS} directories of {@link #FILES} small files each,
 * listed with exact sizes and mtimes like a web server's index page. It exists so a fresh daemon
 * can run its own lookup and listing code before the first user request (see
 * {@link StatsFileVfs#serveWarmupTree}); nothing in it touches a real source. Its files read as
 * zero bytes. Thread-safe (immutable).
 */
final class WarmupTree implements Vfs {

    /** Directories at the root, {@code d000} to {@code d149}. */
    static final int DIRS = 150;
    /** Files in each directory, {@code f00} to {@code f99}. */
    static final int FILES = 100;

    private static final Instant MTIME = Instant.parse("2020-01-01T00:00:00Z");
    private static final FileAttrs DIR_ATTRS = FileAttrs.directory(MTIME);
    private static final byte[] ZEROS = new byte[4 * 1024];

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        List<String> names = path.segments();
        if (names.isEmpty()) {
            return DIR_ATTRS;
        }
        int dir = index(names.get(0), 'd', 3, DIRS);
        if (dir >= 0 && names.size() == 1) {
            return DIR_ATTRS;
        }
        if (dir >= 0 && names.size() == 2) {
            int file = index(names.get(1), 'f', 2, FILES);
            if (file >= 0) {
                return fileAttrs(dir, file);
            }
        }
        throw new NoSuchFileException(path.toString());
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        FileAttrs attrs = stat(dir);
        if (!attrs.isDirectory()) {
            throw new NotDirectoryException(dir.toString());
        }
        List<DirEntry> entries = new ArrayList<>();
        if (dir.segments().isEmpty()) {
            for (int d = 0; d < DIRS; d++) {
                entries.add(DirEntry.of(String.format("d%03d", d), DIR_ATTRS));
            }
        } else {
            int d = index(dir.segments().get(0), 'd', 3, DIRS);
            for (int f = 0; f < FILES; f++) {
                entries.add(DirEntry.of(String.format("f%02d", f), fileAttrs(d, f)));
            }
        }
        return entries;
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        stat(path);
        throw new NotLinkException(path.toString());
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        FileAttrs attrs = stat(path);
        if (attrs.isDirectory()) {
            throw new IsDirectoryException(path.toString());
        }
        return new ZeroFile(attrs);
    }

    @Override
    public String describe() {
        return "warm-up tree";
    }

    private static FileAttrs fileAttrs(int dir, int file) {
        return FileAttrs.file(dir * FILES + file, MTIME, 0444);
    }

    /** Returns the number in a name such as {@code d042} ({@code prefix}, {@code digits} digits, below {@code limit}), or -1. */
    private static int index(String name, char prefix, int digits, int limit) {
        if (name.length() != digits + 1 || name.charAt(0) != prefix) {
            return -1;
        }
        int n = 0;
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n < limit ? n : -1;
    }

    /** A file of zero bytes. */
    private record ZeroFile(FileAttrs attrs) implements VfsFile {
        @Override
        public int read(long offset, ByteBuffer dst) {
            if (offset >= attrs.size()) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), attrs.size() - offset);
            for (int left = n; left > 0; ) {
                int chunk = Math.min(left, ZEROS.length);
                dst.put(ZEROS, 0, chunk);
                left -= chunk;
            }
            return n;
        }

        @Override
        public void close() {
        }
    }
}
