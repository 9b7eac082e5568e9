package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * A {@link Vfs} decorator that lets every archive file of the tree below be entered as a
 * directory: {@code NAME#/} (format from the magic bytes, the name as a hint) or
 * {@code NAME#FORMAT/} with FORMAT one of tar, tgz, tbz2, txz, tzst, zip, 7z, ar, cpio, gz, bz2,
 * xz, zst. A single compressed file ({@code x.gz#/}) holds one file named without the suffix.
 * Archives nest: {@code a.tar.gz#/inner.zip#/file} reads the inner zip through the outer
 * archive's ranged reads.
 *
 * <p>Archives are read only through ranged reads of the file below, typically a cache over a
 * remote source. Zip and 7z are opened through their directories; the other formats are indexed
 * by one sequential pass, and the index is persisted (when an index directory is configured)
 * keyed by the archive's location and version. The pass also records where decoding can resume,
 * so that a later read decompresses about one {@link ArchiveOptions#checkpointInterval} before
 * reaching its data:
 * <ul>
 *   <li>gzip: a checkpoint (bit position plus the 32 KiB history) per interval, as zlib's
 *       {@code zran.c}, multi-member files included;</li>
 *   <li>bzip2: the first block after every interval (blocks are independent and hold at most
 *       900 kB of run-length-coded input), single- and multi-stream files (pbzip2, lbzip2,
 *       concatenation) alike;</li>
 *   <li>zstd: the first frame after every interval. Files of several frames come from
 *       {@code pzstd}, from concatenating separately compressed parts or from the seekable format;
 *       a single-frame file ({@code zstd}'s default, also with {@code -T0}) can only be decoded
 *       from its start;</li>
 *   <li>xz: the file's own blocks, through its index. Multi-block files come from {@code xz -T0}
 *       or {@code --block-size}; a single-block file (the default of xz 5.4, as in Debian 12) can
 *       only be decoded from its start, as LZMA2 keeps its dictionary across the block.</li>
 * </ul>
 * Where a file can only be decoded from its start, a member read costs decompressing everything
 * before it; a read that continues where an earlier one stopped reuses that decoder (a few are
 * kept), so reading a member, or several in archive order, decompresses the archive about once.
 * Given a {@link DecodedStore} (the disk tier of {@code --cache-dir}), the pass over an xz or zstd
 * file that cannot resume for more than {@link DecodedCopy#SPAN} bytes keeps a {@link DecodedCopy} of
 * the decoded data there, and later reads come from it.
 *
 * <p>Checkpoints of all archives together, those being indexed included, hold at most
 * {@link ArchiveOptions#checkpointMemory} bytes: when a new one does not fit, the least recently
 * used archives are closed, and failing that the pass keeps every other checkpoint and doubles
 * its interval. An index read from the index directory is thinned the same way to what is free.
 * Whoever passes a listener is told every change of the total, so the memory can be counted
 * within a larger budget (the block cache shrinks by what the checkpoints hold).
 *
 * <p>Concurrent first accesses to one archive share one pass; other paths are not held up by it.
 * A corrupt or truncated archive fails with an {@link IOException} for that archive only.
 * Thread-safe.
 */
public final class ArchiveLayer implements Vfs {

    private static final System.Logger LOG = System.getLogger(ArchiveLayer.class.getName());
    private static final int MAX_DETECTED = 4096;

    private final Vfs inner;
    private final ArchiveOptions options;
    private final CheckpointMemory memory;
    private final ArchiveRegistry registry;
    private final Optional<IndexStore> store;
    private final Optional<DecodedStore> decodedStore;
    private final DecodedCopy.Recent recentChunks = new DecodedCopy.Recent(4);
    private final ForwardDecoders decoders = ForwardDecoders.standard();
    private final ConcurrentHashMap<String, Optional<ArchiveFormat>> detected = new ConcurrentHashMap<>();
    private final ArchiveMetrics metrics = new ArchiveMetrics(decoders::stats);

    /** Creates the layer over {@code inner}; it closes {@code inner} when closed. */
    public ArchiveLayer(Vfs inner, ArchiveOptions options) {
        this(inner, options, bytes -> { });
    }

    /**
     * Creates the layer over {@code inner}, telling {@code checkpointBytes} the heap bytes all
     * checkpoints hold after every change (at most {@link ArchiveOptions#checkpointMemory}); the
     * calls come in order, under a lock, and must return quickly without calling back into the
     * layer. It closes {@code inner} when closed.
     */
    public ArchiveLayer(Vfs inner, ArchiveOptions options, LongConsumer checkpointBytes) {
        this(inner, options, checkpointBytes, Optional.empty());
    }

    /**
     * Creates the layer as {@link #ArchiveLayer(Vfs, ArchiveOptions, LongConsumer)}, keeping
     * decoded copies of archives that can rarely resume decoding in {@code decodedStore}.
     */
    public ArchiveLayer(Vfs inner, ArchiveOptions options, LongConsumer checkpointBytes, Optional<DecodedStore> decodedStore) {
        this.inner = inner;
        this.decodedStore = decodedStore;
        this.options = options;
        this.memory = new CheckpointMemory(options.checkpointMemory(), checkpointBytes);
        this.registry = new ArchiveRegistry(options.maxOpenArchives(), memory);
        this.store = options.indexDirectory().map(IndexStore::new);
    }

    /** Returns what the member decoders did since the layer was created. */
    public DecoderStats decoderStats() {
        return decoders.stats();
    }

    /** Returns this layer's counters (indexes built and loaded, bytes decoded, passes running). */
    public ArchiveMetrics metrics() {
        return metrics;
    }

    /** Returns the heap bytes the checkpoints of all archives hold now. */
    public long checkpointBytes() {
        return memory.held();
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        if (options.visibility() == ArchiveVisibility.OFF) {
            return inner.stat(path);
        }
        try (Resolution r = resolve(path, true)) {
            return r.archiveRoot != null ? r.archiveRoot : r.vfs.stat(r.rest);
        }
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        if (options.visibility() == ArchiveVisibility.OFF) {
            return inner.list(dir);
        }
        try (Resolution r = resolve(dir, false)) {
            List<DirEntry> entries = r.vfs.list(r.rest);
            return options.visibility() == ArchiveVisibility.VISIBLE ? withArchiveEntries(entries) : entries;
        }
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        if (options.visibility() == ArchiveVisibility.OFF) {
            return inner.readlink(path);
        }
        try (Resolution r = resolve(path, true)) {
            if (r.archiveRoot != null) {
                throw new NotLinkException(path.toString());
            }
            return r.vfs.readlink(r.rest);
        }
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        if (options.visibility() == ArchiveVisibility.OFF) {
            return inner.open(path);
        }
        try (Resolution r = resolve(path, true)) {
            if (r.archiveRoot != null) {
                throw new IsDirectoryException(path.toString());
            }
            return openIn(r.archive, r.vfs, r.rest);
        }
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public void close() throws IOException {
        try {
            registry.close();
        } finally {
            decoders.close();
            inner.close();
        }
    }

    /** Opens {@code path} of {@code vfs}; inside an archive the handle keeps the archive open until closed. */
    private static VfsFile openIn(OpenArchive archive, Vfs vfs, VfsPath path) throws IOException {
        if (archive == null) {
            return vfs.open(path);
        }
        if (!archive.retain()) {
            throw new IOException("archive " + vfs.describe() + " was closed");
        }
        try {
            return archive.releasingOnClose(vfs.open(path));
        } catch (IOException | RuntimeException e) {
            archive.release();
            throw e;
        }
    }

    /**
     * Walks {@code path}, entering every {@code NAME#} segment that names a file. With
     * {@code lazyLast}, a final {@code NAME#} is only checked to be an archive (its magic bytes),
     * not indexed, so a {@code stat} of it is cheap.
     */
    private Resolution resolve(VfsPath path, boolean lazyLast) throws IOException {
        Resolution r = new Resolution(inner);
        try {
            List<String> segments = path.segments();
            List<String> local = new ArrayList<>();
            for (int i = 0; i < segments.size(); i++) {
                String segment = segments.get(i);
                Optional<ArchiveName> name = ArchiveName.parse(segment);
                Optional<FileAttrs> attrs = name.isEmpty() ? Optional.empty() : fileAttrs(r.vfs, concat(local, name.get().base()));
                if (attrs.isEmpty()) {
                    local.add(segment);
                    continue;
                }
                VfsPath file = concat(local, name.get().base());
                String key = r.scope + "\n" + file + "\n" + attrs.get().version() + "\n" + name.get().explicitLabel();
                String display = r.display + file;
                if (i == segments.size() - 1 && lazyLast) {
                    requireArchive(key, display, r, file, name.get());
                    r.archiveRoot = rootAttrs(attrs.get());
                    return r;
                }
                OpenArchive parent = r.archive;
                Vfs parentVfs = r.vfs;
                OpenArchive archive = registry.acquire(key, account -> load(key, display, parent, parentVfs, file, name.get(), account));
                r.enter(archive, key, display + "#");
                local.clear();
            }
            r.rest = new VfsPath(local);
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private OpenArchive load(String key, String display, OpenArchive parent, Vfs parentVfs, VfsPath file,
                             ArchiveName name, CheckpointMemory.Account account) throws IOException {
        VfsFile f = openIn(parent, parentVfs, file);
        boolean owned = false;
        try {
            long started = System.nanoTime();
            Optional<ArchiveIndex> saved = store.flatMap(s -> s.load(key)).map(i -> fit(i, account)); // a remount: no detection, no pass
            long loaded = System.nanoTime();
            if (saved.isPresent()) {
                metrics.indexLoaded();
            }
            ArchiveFormat format = saved.isPresent() ? saved.get().format() : formatOf(f, display, file.name(), name);
            DecodedCopy copy = format.compression() == ArchiveFormat.Compression.XZ
                    || format.compression() == ArchiveFormat.Compression.ZSTD
                    ? decodedStore.map(s -> new DecodedCopy(s, key, display, recentChunks)).orElse(null) : null;
            OpenArchive archive = switch (format.container()) {
                case ZIP -> ArchiveOpener.zip(display, f, options, decoders, memory);
                case SEVEN_Z -> ArchiveOpener.sevenZ(display, f, options);
                default -> ArchiveOpener.streamed(display, f,
                        saved.isPresent() ? saved.get() : index(key, display, f, format, file.name(), account, copy), options, copy,
                        decoders);
            };
            owned = true;
            LOG.log(Level.DEBUG, String.format(java.util.Locale.ROOT, "opened %s as %s: %d entries in %.0f ms%s", display,
                    format.label(), archive.tree().size(), (System.nanoTime() - started) / 1e6,
                    saved.isPresent() ? String.format(java.util.Locale.ROOT, " (saved index read in %.0f ms)",
                            (loaded - started) / 1e6) : ""));
            return archive;
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "archive " + display + " cannot be read (corrupt, truncated or unsupported): " + e);
            throw new IOException("archive " + display + " is unreadable: " + e.getMessage(), e);
        } finally {
            if (!owned) {
                f.close();
            }
        }
    }

    private ArchiveIndex index(String key, String display, VfsFile f, ArchiveFormat format, String fileName,
                               CheckpointMemory.Account account, DecodedCopy copy) throws IOException {
        IndexProgress progress = new IndexProgress(display, f.attrs().size(), options.progressInterval().toNanos());
        // xz says where its blocks start in its index, read before the pass; zstd frames are judged as they come.
        boolean record = copy != null && (format.compression() == ArchiveFormat.Compression.ZSTD
                || sparseXz(RandomAccessBytes.of(f)));
        ArchiveIndex index = indexPass(f, format, fileName, progress, account, record ? copy : null);
        progress.finished(index.members().size(), index.resumePoints());
        if (record && copy.bytesWritten() > 0) {
            LOG.log(Level.INFO, String.format(Locale.ROOT, "archive %s cannot be read at random: kept a decoded copy (%.1f MiB) in %s, "
                    + "so reads need not decode from its start", display, copy.bytesWritten() / 1048576.0, decodedStore.orElseThrow().description()));
        }
        store.ifPresent(s -> s.save(key, index));
        return index;
    }

    /** Runs {@link StreamIndexer#index}, shown as running in {@link #metrics} meanwhile. */
    private ArchiveIndex indexPass(VfsFile f, ArchiveFormat format, String fileName, IndexProgress progress,
                                   CheckpointMemory.Account account, DecodedCopy copy) throws IOException {
        metrics.passStarted(progress);
        ArchiveIndex index = null;
        try {
            index = StreamIndexer.index(RandomAccessBytes.of(f), format, ArchiveFormat.singleMemberName(fileName),
                    options, progress, account, copy);
            return index;
        } finally {
            metrics.passEnded(progress, index != null, index == null ? 0 : index.decodedSize());
        }
    }

    private static boolean sparseXz(RandomAccessBytes file) throws IOException {
        XzCursors xz = new XzCursors(file);
        return DecodedCopy.needed(xz.longestSpan(xz.decodedSize()));
    }

    /**
     * Takes the checkpoint memory of a saved index, thinning it until it fits: it may have been
     * made under a larger budget, or other archives hold the memory now.
     */
    private static ArchiveIndex fit(ArchiveIndex index, CheckpointMemory.Account account) {
        ArchiveIndex fitted = index;
        while (!account.tryTake(fitted.checkpointWeight())) {
            ArchiveIndex thinner = fitted.thinned(); // ends with the file starts alone, which cost nothing
            fitted = thinner.checkpointWeight() < fitted.checkpointWeight() ? thinner
                    : new ArchiveIndex(fitted.format(), fitted.decodedSize(), fitted.members(), List.of(), List.of());
        }
        return fitted;
    }

    private ArchiveFormat formatOf(VfsFile f, String display, String fileName, ArchiveName name) throws IOException {
        if (name.format().isPresent()) {
            return ArchiveFormat.explicit(name.format().get(), RandomAccessBytes.of(f));
        }
        return ArchiveFormat.detect(RandomAccessBytes.of(f), fileName)
                .orElseThrow(() -> new NoSuchFileException(display + "#", null, "not an archive of a known format"));
    }

    /** Checks (once per archive version) that {@code file} is an archive, without indexing it. */
    private void requireArchive(String key, String display, Resolution r, VfsPath file, ArchiveName name) throws IOException {
        if (name.format().isPresent()) {
            return;
        }
        Optional<ArchiveFormat> format = detected.get(key);
        if (format == null) {
            try (VfsFile f = openIn(r.archive, r.vfs, file)) {
                format = ArchiveFormat.detect(RandomAccessBytes.of(f), file.name());
            }
            if (detected.size() > MAX_DETECTED) {
                detected.clear();
            }
            detected.put(key, format);
        }
        if (format.isEmpty()) {
            throw new NoSuchFileException(display + "#", null, "not an archive of a known format");
        }
    }

    private static Optional<FileAttrs> fileAttrs(Vfs vfs, VfsPath file) throws IOException {
        try {
            FileAttrs a = vfs.stat(file);
            return a.isFile() ? Optional.of(a) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The archive directory takes the file's mtime and read bits, with search bits where it is readable. */
    private static FileAttrs rootAttrs(FileAttrs file) {
        int read = file.permissions() & 0444;
        return new FileAttrs(FileType.DIRECTORY, 0, file.mtime(), read | (read >> 2), "");
    }

    private static List<DirEntry> withArchiveEntries(List<DirEntry> entries) {
        Set<String> names = new HashSet<>();
        entries.forEach(e -> names.add(e.name()));
        List<DirEntry> out = new ArrayList<>(entries);
        for (DirEntry e : entries) {
            String archive = e.name() + "#";
            if (e.type() == FileType.FILE && ArchiveFormat.looksLikeArchive(e.name()) && !names.contains(archive)) {
                out.add(e.attrs().map(a -> DirEntry.of(archive, rootAttrs(a)))
                        .orElse(DirEntry.typeOnly(archive, FileType.DIRECTORY)));
            }
        }
        return out;
    }

    private static VfsPath concat(List<String> dir, String name) {
        List<String> all = new ArrayList<>(dir);
        all.add(name);
        return new VfsPath(all);
    }

    /** A segment {@code NAME#} or {@code NAME#FORMAT}. */
    private record ArchiveName(String base, Optional<ArchiveFormat> format, String explicitLabel) {

        static Optional<ArchiveName> parse(String segment) {
            int hash = segment.lastIndexOf('#');
            if (hash <= 0) {
                return Optional.empty();
            }
            String suffix = segment.substring(hash + 1).toLowerCase(Locale.ROOT);
            if (suffix.isEmpty()) {
                return Optional.of(new ArchiveName(segment.substring(0, hash), Optional.empty(), ""));
            }
            ArchiveFormat f = ArchiveFormat.EXPLICIT.get(suffix);
            return f == null ? Optional.empty() : Optional.of(new ArchiveName(segment.substring(0, hash), Optional.of(f), suffix));
        }
    }

    /** Where a path lands: a tree and the path in it, holding references on the archives entered. */
    private static final class Resolution implements AutoCloseable {
        private final List<OpenArchive> held = new ArrayList<>();
        Vfs vfs;
        String scope;
        String display = "";
        OpenArchive archive;
        VfsPath rest = VfsPath.ROOT;
        FileAttrs archiveRoot;

        Resolution(Vfs inner) {
            this.vfs = inner;
            this.scope = inner.describe();
        }

        void enter(OpenArchive a, String key, String newDisplay) {
            held.add(a);
            archive = a;
            vfs = a.tree();
            scope = key;
            display = newDisplay;
        }

        @Override
        public void close() {
            held.forEach(OpenArchive::release);
            held.clear();
        }
    }
}
