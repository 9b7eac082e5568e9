package io.mirrorfs.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small, real, in-memory {@link Vfs} for tests: files, directories and symlinks added by the
 * test, content replaceable to simulate an upstream change, operations counted. Thread-safe.
 */
public final class MemoryVfs implements Vfs {

    private final String name;
    private final Map<VfsPath, FileAttrs> attrs = new ConcurrentHashMap<>();
    private final Map<VfsPath, byte[]> contents = new ConcurrentHashMap<>();
    private final Map<VfsPath, String> links = new ConcurrentHashMap<>();
    private final AtomicInteger stats = new AtomicInteger();
    private final AtomicInteger lists = new AtomicInteger();
    private final AtomicInteger opens = new AtomicInteger();
    private final AtomicInteger reads = new AtomicInteger();
    private volatile IOException failure;

    /** Creates an empty tree (just the root) called {@code name} in {@link #describe}. */
    public MemoryVfs(String name) {
        this.name = name;
        attrs.put(VfsPath.ROOT, FileAttrs.directory(Instant.EPOCH));
    }

    /** Adds (or replaces) a file with {@code content}, creating parent directories. */
    public MemoryVfs file(String path, byte[] content, Instant mtime) {
        VfsPath p = VfsPath.parse(path);
        mkdirs(p.parent().orElseThrow());
        contents.put(p, content.clone());
        attrs.put(p, FileAttrs.file(content.length, mtime, 0644));
        return this;
    }

    /** Adds a file with UTF-8 text. */
    public MemoryVfs file(String path, String text) {
        return file(path, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), Instant.EPOCH);
    }

    /** Adds a directory and its parents. */
    public MemoryVfs dir(String path) {
        mkdirs(VfsPath.parse(path));
        return this;
    }

    /** Adds a symlink to {@code target}. */
    public MemoryVfs symlink(String path, String target) {
        VfsPath p = VfsPath.parse(path);
        mkdirs(p.parent().orElseThrow());
        links.put(p, target);
        attrs.put(p, new FileAttrs(FileType.SYMLINK, target.length(), Instant.EPOCH, 0777, ""));
        return this;
    }

    /** Makes every later operation fail with {@code e} (null: work again), like a dead server. */
    public void failWith(IOException e) {
        failure = e;
    }

    private void mkdirs(VfsPath dir) {
        for (VfsPath p = dir; !p.isRoot(); p = p.parent().orElseThrow()) {
            attrs.putIfAbsent(p, FileAttrs.directory(Instant.EPOCH));
        }
    }

    /** Returns how many stat calls were made. */
    public int statCount() {
        return stats.get();
    }

    /** Returns how many list calls were made. */
    public int listCount() {
        return lists.get();
    }

    /** Returns how many files were opened. */
    public int openCount() {
        return opens.get();
    }

    /** Returns how many reads were made. */
    public int readCount() {
        return reads.get();
    }

    private void maybeFail() throws IOException {
        IOException e = failure;
        if (e != null) {
            throw e;
        }
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        stats.incrementAndGet();
        maybeFail();
        FileAttrs a = attrs.get(path);
        if (a == null) {
            throw new NoSuchFileException(path.toString());
        }
        return a;
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        lists.incrementAndGet();
        maybeFail();
        FileAttrs a = attrs.get(dir);
        if (a == null) {
            throw new NoSuchFileException(dir.toString());
        }
        if (!a.isDirectory()) {
            throw new NotDirectoryException(dir.toString());
        }
        List<DirEntry> entries = new ArrayList<>();
        attrs.forEach((p, at) -> {
            if (p.depth() == dir.depth() + 1 && p.startsWith(dir)) {
                entries.add(DirEntry.of(p.name(), at));
            }
        });
        entries.sort(java.util.Comparator.comparing(DirEntry::name));
        return entries;
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        maybeFail();
        String target = links.get(path);
        if (target == null) {
            stat(path);
            throw new NotLinkException(path.toString());
        }
        return target;
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        opens.incrementAndGet();
        FileAttrs a = stat(path);
        if (a.isDirectory()) {
            throw new IsDirectoryException(path.toString());
        }
        return new VfsFile() {
            @Override
            public FileAttrs attrs() {
                return a;
            }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                reads.incrementAndGet();
                maybeFail();
                FileAttrs now = attrs.get(path);
                if (now == null || !now.version().equals(a.version())) {
                    throw new StaleFileException(path.toString(), a.version(), now == null ? "(deleted)" : now.version());
                }
                byte[] data = contents.get(path);
                if (offset >= data.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), data.length - offset);
                dst.put(data, (int) offset, n);
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public String describe() {
        return "memory:" + name;
    }
}
