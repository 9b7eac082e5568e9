package io.mirrorfs.cache;

import io.mirrorfs.vfs.archive.DecodedStore;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The persistent tier: cached blocks, listings, attributes and decoded copies as checksummed
 * records appended to segment files, bounded by size, the oldest segment evicted first.
 *
 * <p>Why segments, not one file per entry (the first layout, {@code v1/}): a cold random read
 * stores one 64 KiB piece and a {@code find} one record per file, and creating, renaming and
 * later unlinking an ext4 inode for each was most of the tier's cost: cold random reads were
 * 1.44x slower than without a disk tier, and {@code perf} put 41 % of the daemon's samples in
 * the kernel, mostly allocating inodes. Appending to an open file is one pwrite(2). Measured by
 * hand in one run (2,000 cold random 4 KiB reads, fresh daemons, median of 3): 689 us with a file
 * per entry, 424 us with segments, 371 us without a disk tier.
 *
 * <p>A record is a magic number, the key's length, the key, the payload's length (-1 for a
 * tombstone, which records a removal), a CRC32C of key and payload, and the payload. A read
 * checks all of them, so a torn, corrupted or misplaced record is dropped and reported absent,
 * never served. Crash safety comes from appending: a record enters the index only once it is
 * written; at start-up the segments are scanned, later records win over earlier ones, and a
 * segment is cut at the first record that does not parse (the tail a crash tore). Recency: a hit
 * on a record in the older half of the store appends it again, so what is read survives the
 * eviction of its old segment, and the order survives a restart with the segments' numbers.
 * A closing store saves each segment's index beside it ({@link SegmentHint}), so a start-up reads
 * one small file per segment instead of every record's header (after a kill, only the segments
 * without a matching hint are scanned, and their hints saved then).
 *
 * <p>Thread-safe: the segment list is guarded by this object's lock, which only writers take;
 * file I/O happens outside it, at positions reserved under it. Readers look records up in a
 * concurrent index.
 */
final class DiskStore implements DecodedStore {

    private static final System.Logger LOG = System.getLogger(DiskStore.class.getName());
    private static final int MAGIC = 0x4d464332; // "MFC2"
    private static final String SUFFIX = ".seg";
    private static final String HINT_SUFFIX = ".hint";
    private static final int TOMBSTONE = -1;
    private static final int MAX_KEY = 64 << 10;
    /** Bytes read at once when scanning a record's header at start-up: a key of usual length fits. */
    private static final int SCAN_READ = 1024;

    private final Path root;
    private final long maxBytes;
    /** A segment is closed once it holds this much; a sixteenth of the bound, so eviction frees little at once. */
    private final long segmentBytes;
    private final DirectoryLock lock;
    /**
     * Key to its newest intact-looking record, a removal's tombstone included: concurrent writes
     * and removals of one key then end with the record a restart's scan would pick (the last one
     * in the segments), whatever order their writes finish in. Concurrent, so that a reader's
     * lookup never waits for this object's lock: the writer that holds it runs at nice 19 and
     * may be preempted inside.
     */
    private final Map<String, Location> index = new ConcurrentHashMap<>();
    /** Segments, oldest first; the last is the one written to. Guarded by {@code this}. */
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long nextSegment;
    /** Numbers of the oldest and newest segment, for readers' recency test without the lock. */
    private volatile long oldestNumber;
    private volatile long newestNumber;
    private long totalBytes;
    private final LongAdder corrupt = new LongAdder();

    /** One segment file; its channel is shared by readers and writers (positional I/O only). */
    private static final class Segment {
        final long number;
        final Path path;
        /** Replaced (under this segment's lock) only when a thread's interruption closed it. */
        volatile FileChannel channel;
        /** Bytes reserved (written or being written). Guarded by the store. */
        long size;
        /** Keys recorded here, for eviction. Guarded by the store. */
        final List<String> keys = new ArrayList<>();
        /** Set when evicted: its I/O fails and must not be retried (nor the file reopened). */
        volatile boolean evicted;
        /** Appends reserved here and not yet indexed (or given up). Guarded by the store. */
        int pending;
        /** The size its saved hint covers (-1: none) and that hint's length. Guarded by the store. */
        long hintedSize = -1;
        long hintBytes;

        Segment(long number, Path path, FileChannel channel, long size) {
            this.number = number;
            this.path = path;
            this.channel = channel;
            this.size = size;
        }

        /** Returns the channel, reopened if a reader's interruption closed it. */
        FileChannel channel() throws IOException {
            if (evicted) {
                throw new ClosedChannelException();
            }
            FileChannel c = channel;
            if (c.isOpen()) {
                return c; // no lock on the common path: see the index's comment
            }
            synchronized (this) {
                if (!channel.isOpen()) {
                    channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                return channel;
            }
        }

        synchronized void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing is lost: the segment is read-only from here or deleted
            }
        }
    }

    /**
     * Where a record is: its segment, its start, the length of its header (key included) and
     * payload ({@link #TOMBSTONE} for a removal).
     */
    private record Location(Segment segment, long offset, int headerLength, int length) {
        boolean isTombstone() {
            return length == TOMBSTONE;
        }

        boolean isAfter(Location other) {
            return segment.number != other.segment.number ? segment.number > other.segment.number : offset > other.offset;
        }
    }

    private DiskStore(Path root, long maxBytes, DirectoryLock lock) {
        this.root = root;
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.max(64 << 10, Math.min(64L << 20, maxBytes / 16));
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the store in {@code dir}, taking its lock (one daemon per
     * directory), indexing the records a previous run left and removing the first layout's
     * directory if one is there.
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
        Path old = dir.resolve("v1");
        if (Files.isDirectory(old)) {
            LOG.log(Level.INFO, "disk cache: removing " + old + ", the layout of an older mirrorfs (one file per entry)");
            deleteTree(old);
        }
        Path root = dir.resolve("v2");
        Files.createDirectories(root);
        DiskStore store = new DiskStore(root, maxBytes, lock);
        List<Path> found;
        List<Path> hints;
        try (Stream<Path> files = Files.list(root)) {
            List<Path> all = files.toList();
            found = all.stream().filter(p -> p.getFileName().toString().endsWith(SUFFIX)).toList();
            hints = all.stream().filter(p -> !p.getFileName().toString().endsWith(SUFFIX)).toList();
        }
        for (Path h : hints) { // a hint whose segment is gone, or a hint's temporary file
            String name = h.getFileName().toString();
            if (!name.endsWith(HINT_SUFFIX) || !found.contains(h.resolveSibling(name.replace(HINT_SUFFIX, SUFFIX)))) {
                Files.deleteIfExists(h);
            }
        }
        List<Long> numbers = new ArrayList<>();
        for (Path p : found) {
            String name = p.getFileName().toString();
            try {
                numbers.add(Long.parseLong(name.substring(0, name.length() - SUFFIX.length()), 16));
            } catch (NumberFormatException e) {
                Files.deleteIfExists(p); // not ours
            }
        }
        numbers.sort(Comparator.naturalOrder());
        synchronized (store) {
            for (long n : numbers) {
                store.scan(n);
            }
        }
        store.trim();
        return store;
    }

    /** Indexes segment {@code number}: every record that parses, up to the first that does not, where the file is cut. */
    private void scan(long number) throws IOException {
        Path path = segmentPath(number);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment seg = new Segment(number, path, ch, 0);
        long fileSize = ch.size();
        Optional<List<SegmentHint.Entry>> hinted = SegmentHint.read(hintPath(number), fileSize);
        if (hinted.isPresent()) {
            for (SegmentHint.Entry e : hinted.get()) {
                index.put(e.key(), new Location(seg, e.offset(), e.headerLength(), e.length()));
                seg.keys.add(e.key());
            }
            seg.size = fileSize;
            seg.hintedSize = fileSize;
            seg.hintBytes = Files.size(hintPath(number));
            totalBytes += fileSize + seg.hintBytes;
            segments.addLast(seg);
            numbered();
            nextSegment = Math.max(nextSegment, number + 1);
            return;
        }
        long pos = 0;
        ByteBuffer buf = ByteBuffer.allocate(SCAN_READ);
        while (pos < fileSize) {
            Scanned found = parseHeader(seg, pos, fileSize, buf);
            if (found == null) {
                corrupt.increment();
                LOG.log(Level.WARNING, "disk cache: " + path + " ends in a torn record at byte " + pos + "; cut there");
                ch.truncate(pos);
                break;
            }
            Location loc = found.location();
            index.put(found.key(), loc); // segments are scanned in order: the later record wins
            seg.keys.add(found.key());
            pos += loc.headerLength() + (long) Math.max(0, loc.length());
        }
        seg.size = pos;
        totalBytes += pos;
        segments.addLast(seg);
        numbered();
        nextSegment = Math.max(nextSegment, number + 1);
        saveHint(seg); // so that the next start-up reads it instead of scanning again
    }

    /**
     * Saves the hint of {@code seg} (see {@link SegmentHint}) unless it has one for its size, has
     * appends in flight (a hint must not miss a record that is on disk) or was evicted.
     */
    private void saveHint(Segment seg) {
        long covered;
        List<SegmentHint.Entry> entries = new ArrayList<>();
        synchronized (this) {
            if (seg.evicted || seg.pending > 0 || seg.size == seg.hintedSize) {
                return;
            }
            covered = seg.size;
            for (String key : new java.util.LinkedHashSet<>(seg.keys)) {
                Location loc = index.get(key);
                if (loc != null && loc.segment() == seg) {
                    entries.add(new SegmentHint.Entry(key, loc.offset(), loc.headerLength(), loc.length()));
                }
            }
        }
        entries.sort(Comparator.comparingLong(SegmentHint.Entry::offset));
        Path hint = hintPath(seg.number);
        try {
            SegmentHint.write(hint, covered, entries);
            long length = Files.size(hint);
            synchronized (this) {
                seg.hintedSize = covered;
                totalBytes += length - seg.hintBytes;
                seg.hintBytes = length;
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "disk cache: cannot save the index of " + seg.path + " (the next start-up scans it): " + e);
        }
    }

    /** A record's header found by the start-up scan. */
    private record Scanned(Location location, String key) {
    }

    /** Parses the record header at {@code pos}; null when it does not fit the file or is not a record. */
    private static Scanned parseHeader(Segment seg, long pos, long fileSize, ByteBuffer buf) throws IOException {
        buf.clear().limit((int) Math.min(buf.capacity(), fileSize - pos));
        readFully(seg.channel, buf, pos);
        if (buf.position() < 16 || buf.getInt(0) != MAGIC) {
            return null;
        }
        int keyLength = buf.getInt(4);
        int headerLength = 16 + keyLength;
        if (keyLength <= 0 || keyLength > MAX_KEY || pos + headerLength > fileSize) {
            return null;
        }
        ByteBuffer header = buf;
        if (headerLength > buf.position()) { // a key longer than one scan read
            header = ByteBuffer.allocate(headerLength);
            readFully(seg.channel, header, pos);
        }
        int length = header.getInt(8 + keyLength);
        if (length < TOMBSTONE || pos + headerLength + Math.max(0, length) > fileSize) {
            return null;
        }
        String key = new String(header.array(), 8, keyLength, StandardCharsets.UTF_8);
        return new Scanned(new Location(seg, pos, headerLength, length), key);
    }

    /** Releases the directory's lock and closes the segments; the store must not be used afterwards. */
    void close() {
        List<Segment> open;
        synchronized (this) {
            open = new ArrayList<>(segments);
        }
        open.forEach(this::saveHint);
        trim(); // the hints count in the bound: it holds on disk once this daemon is gone
        synchronized (this) {
            open = new ArrayList<>(segments); // what trim left; the evicted ones are closed already
        }
        open.forEach(Segment::close);
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "disk cache: cannot release the lock of " + root.getParent() + ": " + e);
        }
    }

    /** Returns whether an entry for {@code key} is held (not whether it is intact: {@link #read} checks that). */
    @Override
    public boolean contains(String key) {
        Location loc = index.get(key);
        return loc != null && !loc.isTombstone();
    }

    /**
     * Returns the payload stored under {@code key}, or empty when absent or found damaged (then
     * removed). Read straight into an array of the payload's size.
     */
    @Override
    public Optional<byte[]> read(String key) {
        Entry e = readChecked(key, byte[]::new);
        return e == null ? Optional.empty() : Optional.of(e.data());
    }

    /**
     * Reads the payload stored under {@code key} straight into {@code dst} (no intermediate
     * copy: blocks are read into pooled arrays) and returns its length; empty when absent, too
     * large for {@code dst}, or damaged (then removed, as in {@link #read}).
     */
    OptionalInt readInto(String key, byte[] dst) {
        Entry e = readChecked(key, length -> length <= dst.length ? dst : null);
        return e == null ? OptionalInt.empty() : OptionalInt.of(e.length());
    }

    /** A payload read: its array and how much of it the payload fills. */
    private record Entry(byte[] data, int length) {
    }

    /**
     * Reads the record for {@code key} into the array {@code into} gives for the payload's length
     * (null: none fits), checking magic, key, length and checksum; null when absent or
     * unreadable, and when damaged or too long for the caller's array, that record being counted
     * and removed. A hit in the older half of the store is appended again (see the class comment).
     */
    private Entry readChecked(String key, IntFunction<byte[]> into) {
        Location loc = index.get(key);
        if (loc == null || loc.isTombstone()) {
            return null;
        }
        long oldest = oldestNumber;
        long newest = newestNumber;
        boolean old = loc.segment().number < newest - (newest - oldest + 1) / 2;
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        Entry entry = null;
        try {
            byte[] dst = into.apply(loc.length());
            if (dst != null && loc.headerLength() == 16 + k.length) {
                FileChannel ch = loc.segment().channel();
                ByteBuffer h = ByteBuffer.allocate(loc.headerLength());
                readFully(ch, h, loc.offset());
                byte[] header = h.array();
                if (h.getInt(0) == MAGIC && h.getInt(4) == k.length && Arrays.equals(header, 8, 8 + k.length, k, 0, k.length)
                        && h.getInt(8 + k.length) == loc.length()) {
                    int crc = h.getInt(12 + k.length);
                    readFully(ch, ByteBuffer.wrap(dst, 0, loc.length()), loc.offset() + loc.headerLength());
                    if (crc == crc(k, dst, 0, loc.length())) {
                        entry = new Entry(dst, loc.length());
                    }
                }
            }
        } catch (ClosedChannelException e) {
            return null; // evicted meanwhile, or this thread was interrupted: a miss, not damage
        } catch (java.io.EOFException e) {
            entry = null; // shorter than its header said: damaged
        } catch (IOException e) {
            LOG.log(Level.WARNING, "disk cache: cannot read " + loc.segment().path + ": " + e);
            return null;
        }
        if (entry == null) {
            corrupt.increment();
            LOG.log(Level.WARNING, "disk cache: the record of " + printable(key) + " in " + loc.segment().path
                    + " is damaged (bad checksum, key or length); dropped, will refetch");
            remove(key);
            return null;
        }
        if (old) {
            try {
                write(key, entry.data(), entry.length());
            } catch (IOException e) {
                // recency only: the record stays where it was
            }
        }
        return entry;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        int start = dst.position();
        while (dst.hasRemaining()) {
            if (ch.read(dst, position + dst.position() - start) < 0) {
                throw new java.io.EOFException("truncated");
            }
        }
    }

    /** Stores {@code payload} under {@code key}, replacing any previous entry, then evicts to the bound. */
    @Override
    public void write(String key, byte[] payload) throws IOException {
        write(key, payload, payload.length);
    }

    /** Stores the first {@code length} bytes of {@code payload} under {@code key}. */
    void write(String key, byte[] payload, int length) throws IOException {
        append(key, payload, length);
    }

    /** Appends a record ({@code length} {@link #TOMBSTONE}: a removal) and indexes it once written. */
    private void append(String key, byte[] payload, int length) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        if (k.length == 0 || k.length > MAX_KEY) {
            throw new IllegalArgumentException("disk cache key of " + k.length + " bytes");
        }
        int payloadLength = Math.max(0, length);
        ByteBuffer header = ByteBuffer.allocate(16 + k.length);
        header.putInt(MAGIC).putInt(k.length).put(k).putInt(length).putInt(crc(k, payload, 0, payloadLength)).flip();
        long recordLength = header.remaining() + (long) payloadLength;
        Segment seg;
        long pos;
        synchronized (this) {
            seg = segments.peekLast();
            if (seg == null || seg.size >= segmentBytes) {
                seg = newSegment();
            }
            pos = seg.size;
            seg.size += recordLength;
            totalBytes += recordLength;
            seg.pending++;
        }
        boolean written = false;
        try {
            FileChannel ch = seg.channel();
            writeFully(ch, header, pos);
            if (payloadLength > 0) {
                writeFully(ch, ByteBuffer.wrap(payload, 0, payloadLength), pos + header.capacity());
            }
            written = true;
        } catch (ClosedByInterruptException e) {
            // this thread was interrupted: the hole this leaves is cut at the next start-up
        } catch (ClosedChannelException e) {
            // evicted while being written: nothing to index
        } finally {
            synchronized (this) {
                seg.pending--;
                if (written && !seg.evicted) {
                    Location loc = new Location(seg, pos, header.capacity(), length);
                    Location current = index.get(key);
                    if (current == null || loc.isAfter(current)) {
                        index.put(key, loc);
                        seg.keys.add(key);
                    }
                }
            }
        }
        if (written) {
            trim();
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src, long position) throws IOException {
        int start = src.position();
        while (src.hasRemaining()) {
            ch.write(src, position + src.position() - start);
        }
    }

    /** Opens a new segment to write to. Called with this object's lock held. */
    private Segment newSegment() throws IOException {
        long number = nextSegment++;
        Path path = segmentPath(number);
        Files.deleteIfExists(hintPath(number)); // left by a segment of that number that is gone
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment seg = new Segment(number, path, ch, 0);
        segments.addLast(seg);
        numbered();
        return seg;
    }

    /** Publishes the oldest and newest segment numbers. Called with this object's lock held. */
    private void numbered() {
        if (!segments.isEmpty()) {
            oldestNumber = segments.getFirst().number;
            newestNumber = segments.getLast().number;
        }
    }

    @Override
    public long capacity() {
        return maxBytes;
    }

    /** Returns the bytes held on disk. */
    synchronized long bytes() {
        return totalBytes;
    }

    /** Returns the number of entries held on disk (counted: a stats read, not a hot path). */
    int files() {
        return (int) index.values().stream().filter(l -> !l.isTombstone()).count();
    }

    /** Returns how many damaged records were found and dropped. */
    long corruptCount() {
        return corrupt.sum();
    }

    /** Where the record of a key lies, for tests that damage it: its segment file, start and end. */
    record Stored(Path segment, long start, long end) {
    }

    /** Returns where the record of {@code key} lies, if the index holds one; for tests. */
    Optional<Stored> stored(String key) {
        Location loc = index.get(key);
        return loc == null || loc.isTombstone() ? Optional.empty()
                : Optional.of(new Stored(loc.segment().path, loc.offset(), loc.offset() + loc.headerLength() + Math.max(0, loc.length())));
    }

    /** Returns the keys of every entry held; for tests. */
    List<String> keys() {
        return index.entrySet().stream().filter(e -> !e.getValue().isTombstone()).map(Map.Entry::getKey).toList();
    }

    private Path segmentPath(long number) {
        return root.resolve(String.format("%016x%s", number, SUFFIX));
    }

    private Path hintPath(long number) {
        return root.resolve(String.format("%016x%s", number, HINT_SUFFIX));
    }

    /** Evicts the oldest segments (never the one written to) until the store is within its bound. */
    private void trim() {
        List<Segment> victims = new ArrayList<>();
        synchronized (this) {
            while (totalBytes > maxBytes && segments.size() > 1) {
                Segment eldest = segments.removeFirst();
                eldest.evicted = true;
                totalBytes -= eldest.size + eldest.hintBytes;
                for (String key : eldest.keys) {
                    Location loc = index.get(key);
                    if (loc != null && loc.segment() == eldest) {
                        index.remove(key, loc);
                    }
                }
                victims.add(eldest);
            }
            numbered();
            Segment last = segments.peekLast();
            if (last != null && totalBytes > maxBytes && last.size >= segmentBytes) {
                // Only the written-to segment is left and it alone is over the bound: start another,
                // so that the next trim can evict it.
                try {
                    newSegment();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "disk cache: cannot start a segment in " + root + ": " + e);
                }
            }
        }
        for (Segment s : victims) {
            s.close();
            try {
                Files.deleteIfExists(hintPath(s.number));
                Files.deleteIfExists(s.path);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "disk cache: cannot delete " + s.path + ": " + e);
            }
        }
    }

    /** Removes the entry for {@code key}, if any, by appending a tombstone. */
    void remove(String key) {
        Location current = index.get(key);
        if (current == null || current.isTombstone()) {
            return;
        }
        try {
            append(key, new byte[0], TOMBSTONE);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "disk cache: cannot record the removal of an entry in " + root + ": " + e);
        }
    }

    private static int crc(byte[] key, byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(key);
        c.update(data, off, len);
        return (int) c.getValue();
    }

    /** Keys hold NULs between their parts; a log line shows them as '|'. */
    private static String printable(String key) {
        return key.replace('\0', '|');
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Iterator<Path> it = s.sorted(Comparator.reverseOrder()).iterator(); it.hasNext();) {
                Files.deleteIfExists(it.next());
            }
        }
    }
}
