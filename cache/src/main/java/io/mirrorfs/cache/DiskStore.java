package io.mirrorfs.cache;

import io.mirrorfs.vfs.archive.DecodedStore;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The persistent tier: a directory of checksummed entries (cached blocks, and the attributes
 * needed to open a file offline), bounded by size with least-recently-used eviction.
 *
 * <p>Each entry is one file named by the SHA-256 of its key, holding a magic number, the full
 * key, the payload length, a CRC32C of key and payload, and the payload. A read checks all four,
 * so a truncated, corrupted or colliding file is deleted and reported as absent, never served.
 * Writes go to a temporary file that is renamed into place, so a crash leaves either the old
 * entry, the new one, or a temporary file that the next start deletes. Recency survives a
 * restart through the files' modification times, which a hit refreshes.
 *
 * <p>Thread-safe: the index is guarded by this object's lock; file I/O happens outside it.
 */
final class DiskStore implements DecodedStore {

    private static final System.Logger LOG = System.getLogger(DiskStore.class.getName());
    private static final int MAGIC = 0x4d464331; // "MFC1"
    private static final String SUFFIX = ".mfc";

    private final Path root;
    private final long maxBytes;
    private final DirectoryLock lock;
    /** Entry file to its size, least recently used first. Guarded by {@code this}. */
    private final LinkedHashMap<Path, Long> lru = new LinkedHashMap<>(256, 0.75f, true);
    private long totalBytes;
    private final LongAdder corrupt = new LongAdder();
    /**
     * Shard directories known to exist. Why: {@code Files.createDirectories} on an existing
     * directory fails a mkdir(2) and throws and catches an exception inside the JDK, and a cold
     * random read writes one entry per 64 KiB it fetches; with the temporary file's SecureRandom
     * name and a second failed stat, that was a third of the writer's CPU (perf, 2,000 random reads).
     */
    private final java.util.Set<Path> shards = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Names temporary files: one writer process per directory (the lock), so a counter is unique. */
    private final java.util.concurrent.atomic.AtomicLong temporaries = new java.util.concurrent.atomic.AtomicLong();

    private DiskStore(Path root, long maxBytes, DirectoryLock lock) {
        this.root = root;
        this.maxBytes = maxBytes;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the store in {@code dir}, taking its lock (one daemon per
     * directory), indexing the entries a previous run left, oldest first, and deleting its
     * temporary files.
     *
     * @throws IOException if the directory cannot be created or read, or another process holds it
     */
    static DiskStore open(Path dir, long maxBytes) throws IOException {
        DirectoryLock lock = DirectoryLock.take(dir);
        try {
            return open(dir, maxBytes, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static DiskStore open(Path dir, long maxBytes, DirectoryLock lock) throws IOException {
        Path root = dir.resolve("v1");
        Files.createDirectories(root);
        DiskStore store = new DiskStore(root, maxBytes, lock);
        record Found(Path path, long size, FileTime mtime) {
        }
        List<Found> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root, 2)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(SUFFIX) && Files.isRegularFile(p)) {
                    found.add(new Found(p, Files.size(p), Files.getLastModifiedTime(p)));
                }
            }
        }
        found.sort(Comparator.comparing(Found::mtime));
        synchronized (store) {
            for (Found f : found) {
                store.lru.put(f.path, f.size);
                store.totalBytes += f.size;
            }
        }
        store.trim();
        return store;
    }

    /** Releases the directory's lock; the store must not be used afterwards. */
    void close() {
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "disk cache: cannot release the lock of " + root.getParent() + ": " + e);
        }
    }

    /** Returns whether an entry for {@code key} is held (not whether it is intact: {@link #read} checks that). */
    @Override
    public synchronized boolean contains(String key) {
        return lru.containsKey(fileFor(key));
    }

    /**
     * Returns the payload stored under {@code key}, or empty when absent or found damaged (then
     * deleted). Read straight into an array of the payload's size: one allocation and one copy
     * per entry (a decoded archive chunk is 1 MiB, read at every chunk a reader enters).
     */
    @Override
    public Optional<byte[]> read(String key) {
        Entry e = readChecked(key, byte[]::new);
        return e == null ? Optional.empty() : Optional.of(e.data());
    }

    /**
     * Reads the payload stored under {@code key} straight into {@code dst} (no intermediate
     * copy: blocks are read into pooled arrays) and returns its length; empty when absent, too
     * large for {@code dst}, or damaged (then deleted, as in {@link #read}).
     */
    OptionalInt readInto(String key, byte[] dst) {
        Entry e = readChecked(key, length -> length <= dst.length ? dst : null);
        return e == null ? OptionalInt.empty() : OptionalInt.of(e.length());
    }

    /** A payload read: its array and how much of it the payload fills. */
    private record Entry(byte[] data, int length) {
    }

    /**
     * Reads the entry for {@code key} into the array {@code into} gives for the payload's length
     * (null: none fits), checking magic, key, length and checksum; null when absent or
     * unreadable, and when damaged or too long for the caller's array, that entry being counted
     * and deleted.
     */
    private Entry readChecked(String key, java.util.function.IntFunction<byte[]> into) {
        Path file = fileFor(key);
        if (!indexed(file)) {
            return null;
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int headerLength = 16 + k.length;
        Entry entry = null;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long payload = ch.size() - headerLength;
            // Shorter than a header, or longer than the caller's array (a block's entry is never
            // longer than the block): damaged.
            byte[] dst = payload >= 0 && payload <= Integer.MAX_VALUE - 16 ? into.apply((int) payload) : null;
            if (dst != null) {
                int length = (int) payload;
                ByteBuffer h = ByteBuffer.allocate(headerLength);
                readFully(ch, h, 0);
                byte[] header = h.array();
                h.flip();
                if (h.getInt() == MAGIC && h.getInt() == k.length && Arrays.equals(header, 8, 8 + k.length, k, 0, k.length)) {
                    h.position(8 + k.length);
                    int storedLength = h.getInt();
                    int crc = h.getInt();
                    readFully(ch, ByteBuffer.wrap(dst, 0, length), headerLength);
                    if (storedLength == length && crc == crc(k, dst, 0, length)) {
                        entry = new Entry(dst, length);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (java.io.EOFException e) {
            entry = null; // shorter than its size said: damaged
        } catch (IOException e) {
            LOG.log(Level.WARNING, "disk cache: cannot read " + file + ": " + e);
            return null;
        }
        if (entry == null) {
            corrupt.increment();
            LOG.log(Level.WARNING, "disk cache: " + file + " is damaged (bad checksum, key or length); deleted, will refetch");
            remove(file);
            return null;
        }
        touch(file);
        return entry;
    }

    /**
     * Returns whether the index holds {@code file}. A miss is answered from the index, without
     * trying to open the file: every block a cold read fetches used to cost a failed open(2) and
     * a NoSuchFileException first. The index is complete: it is built from the directory at
     * start-up, this process is the only writer (the directory lock), and every write and removal
     * updates it.
     */
    private synchronized boolean indexed(Path file) {
        return lru.containsKey(file);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            if (ch.read(dst, position + dst.position()) < 0) {
                throw new java.io.EOFException("truncated");
            }
        }
    }

    private void touch(Path file) {
        synchronized (this) {
            lru.get(file); // marks it most recently used
        }
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // Recency is then only approximate after a restart; the data is fine.
        }
    }

    /** Stores {@code payload} under {@code key}, replacing any previous entry, then evicts to the bound. */
    @Override
    public void write(String key, byte[] payload) throws IOException {
        write(key, payload, payload.length);
    }

    /** Stores the first {@code length} bytes of {@code payload} under {@code key}. */
    void write(String key, byte[] payload, int length) throws IOException {
        Path file = fileFor(key);
        Path shard = file.getParent();
        if (!shards.contains(shard)) {
            Files.createDirectories(shard);
            shards.add(shard);
        }
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.allocate(16 + k.length);
        header.putInt(MAGIC).putInt(k.length).put(k).putInt(length).putInt(crc(k, payload, 0, length)).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, 0, length);
        long encodedLength = header.remaining() + (long) length;
        Path tmp = shard.resolve("w" + temporaries.incrementAndGet() + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer[] parts = {header, body};
                while (body.hasRemaining() || header.hasRemaining()) {
                    ch.write(parts); // gathering write: the block is not copied into a new array
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        synchronized (this) {
            Long old = lru.put(file, encodedLength);
            totalBytes += encodedLength - (old == null ? 0 : old);
        }
        trim();
    }

    @Override
    public long capacity() {
        return maxBytes;
    }

    /** Returns the bytes held on disk. */
    synchronized long bytes() {
        return totalBytes;
    }

    /** Returns the number of entries (files) held on disk. */
    synchronized int files() {
        return lru.size();
    }

    /** Returns how many damaged entries were found and deleted. */
    long corruptCount() {
        return corrupt.sum();
    }

    /** Returns the file that holds (or would hold) {@code key}; for tests that damage entries. */
    Path fileFor(String key) {
        String hash = sha256(key);
        return root.resolve(hash.substring(0, 2)).resolve(hash + SUFFIX);
    }

    private void trim() {
        List<Path> victims = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<Path, Long>> it = lru.entrySet().iterator();
            while (totalBytes > maxBytes && it.hasNext()) {
                Map.Entry<Path, Long> eldest = it.next();
                totalBytes -= eldest.getValue();
                victims.add(eldest.getKey());
                it.remove();
            }
        }
        for (Path p : victims) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "disk cache: cannot delete " + p + ": " + e);
            }
        }
    }

    /** Removes the entry for {@code key}, if any. */
    void remove(String key) {
        remove(fileFor(key));
    }

    private void remove(Path file) {
        synchronized (this) {
            Long size = lru.remove(file);
            if (size != null) {
                totalBytes -= size;
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "disk cache: cannot delete " + file + ": " + e);
        }
    }

    private static int crc(byte[] key, byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(key);
        c.update(data, off, len);
        return (int) c.getValue();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
