package io.mirrorfs.cache;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.Listing;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small real in-memory source that counts what reaches it: files under directories, each
 * with a version that changes when the content does. Reads can be held at a gate, and the whole
 * source can be taken "down" (every call fails as an unreachable server would). Thread-safe.
 */
final class CountingSource implements Vfs {

    private record Entry(FileAttrs attrs, byte[] data) {
    }

    private final Map<VfsPath, Entry> entries = new ConcurrentHashMap<>();
    private final Map<VfsPath, String> links = new ConcurrentHashMap<>();
    private final AtomicInteger versionCounter = new AtomicInteger();
    final AtomicInteger stats = new AtomicInteger();
    final AtomicInteger lists = new AtomicInteger();
    final AtomicInteger opens = new AtomicInteger();
    /** Listings answered "unchanged" (a 304). */
    final AtomicInteger unchanged = new AtomicInteger();
    private volatile boolean validatorsOn = true;
    final AtomicInteger reads = new AtomicInteger();
    /** Offsets of upstream reads, in the order they arrived. */
    final List<Long> readOffsets = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicInteger readsInProgress = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile boolean down;

    CountingSource() {
        entries.put(VfsPath.ROOT, new Entry(FileAttrs.directory(Instant.EPOCH), new byte[0]));
    }

    /** Adds or replaces file {@code path} (creating parents) with {@code data}, under a new version. */
    CountingSource put(String path, byte[] data) {
        VfsPath p = VfsPath.parse(path);
        for (VfsPath d = p.parent().orElseThrow(); !d.isRoot(); d = d.parent().orElseThrow()) {
            entries.putIfAbsent(d, new Entry(FileAttrs.directory(Instant.EPOCH), new byte[0]));
        }
        String version = "v" + versionCounter.incrementAndGet();
        entries.put(p, new Entry(new FileAttrs(FileType.FILE, data.length, Instant.ofEpochSecond(1000), 0444, version), data.clone()));
        return this;
    }

    /** Returns {@code n} bytes of a deterministic pattern that differs per {@code seed}. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 12) * 7 + seed);
        }
        return b;
    }

    /** Holds every upstream read until {@link #openGate()}. */
    void closeGate() {
        gate = new CountDownLatch(1);
    }

    void openGate() {
        gate.countDown();
    }

    /** Makes every call fail like an unreachable server (true) or work again (false). */
    void setDown(boolean value) {
        down = value;
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        failIfDown();
        stats.incrementAndGet();
        return entry(path).attrs;
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        failIfDown();
        lists.incrementAndGet();
        if (!entry(dir).attrs.isDirectory()) {
            throw new NotDirectoryException(dir.toString());
        }
        List<DirEntry> out = new ArrayList<>();
        entries.forEach((p, e) -> {
            if (p.parent().isPresent() && p.parent().get().equals(dir)) {
                out.add(DirEntry.of(p.name(), e.attrs));
            }
        });
        return out;
    }

    /**
     * Like an HTTP server whose index pages carry an ETag: the validator is a digest of the
     * listing, and a matching one is answered "unchanged" (counted in {@link #unchanged}).
     */
    @Override
    public Optional<Listing> listIfChanged(VfsPath dir, String knownValidator) throws IOException {
        List<DirEntry> now = list(dir);
        String validator = "etag:" + Integer.toHexString(new java.util.TreeSet<>(now.stream().map(DirEntry::toString).toList()).hashCode());
        if (validatorsOn && validator.equals(knownValidator)) {
            unchanged.incrementAndGet();
            return Optional.empty();
        }
        return Optional.of(new Listing(now, validatorsOn ? validator : ""));
    }

    /** Makes listings carry validators (true, the default) or none, like FTP (false). */
    void setValidators(boolean value) {
        validatorsOn = value;
    }

    /** Removes {@code path}. */
    void remove(String path) {
        entries.remove(VfsPath.parse(path));
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        failIfDown();
        String target = links.get(path);
        if (target == null) {
            throw new NotLinkException(path.toString());
        }
        return target;
    }

    /** Adds symlink {@code path} (its parent must exist) pointing at {@code target}. */
    CountingSource link(String path, String target) {
        VfsPath p = VfsPath.parse(path);
        entries.put(p, new Entry(new FileAttrs(FileType.SYMLINK, target.length(), Instant.ofEpochSecond(1000), 0777, "l"), new byte[0]));
        links.put(p, target);
        return this;
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        failIfDown();
        opens.incrementAndGet();
        Entry opened = entry(path);
        return new VfsFile() {
            @Override
            public FileAttrs attrs() {
                return opened.attrs;
            }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                failIfDown();
                reads.incrementAndGet();
                readOffsets.add(offset);
                readsInProgress.incrementAndGet();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                } finally {
                    readsInProgress.decrementAndGet();
                }
                Entry now = entry(path);
                if (!now.attrs.version().equals(opened.attrs.version())) {
                    throw new StaleFileException(path.toString(), opened.attrs.version(), now.attrs.version());
                }
                if (offset >= now.data.length) {
                    return -1;
                }
                int n = (int) Math.min(dst.remaining(), now.data.length - offset);
                dst.put(now.data, (int) offset, n);
                bytesRead.addAndGet(n);
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public String describe() {
        return "mem:";
    }

    private Entry entry(VfsPath path) throws NoSuchFileException {
        Entry e = entries.get(path);
        if (e == null) {
            throw new NoSuchFileException(path.toString());
        }
        return e;
    }

    private void failIfDown() throws IOException {
        if (down) {
            throw new ConnectException("connection refused (test source is down)");
        }
    }
}
