package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.VfsFile;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.apache.commons.compress.archivers.sevenz.SevenZArchiveEntry;
import org.apache.commons.compress.archivers.sevenz.SevenZFile;
import org.apache.commons.compress.archivers.zip.UnicodePathExtraField;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.archivers.zip.ZipMethod;

/**
 * Turns an archive file into an {@link OpenArchive}: streamed formats from their
 * {@link ArchiveIndex} (built now or loaded from the {@link IndexStore}), zip and 7z from their
 * own directories read through ranged reads. Stateless.
 */
final class ArchiveOpener {

    /** The unix file type bits of a mode (stat(2)). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFDIR = 0040000;
    private static final int MAX_LINK = 4096;
    /** Members at least this large are read from their local header on as one sequential stream. */
    private static final long SEQUENTIAL_MEMBER = 1 << 20;

    private ArchiveOpener() {
    }

    /**
     * Returns the streamed archive {@code index} over {@code file}, which it takes ownership of,
     * its decoded data read from {@code copy} (may be null) if the file offers too few places to
     * resume decoding.
     */
    static OpenArchive streamed(String description, VfsFile file, ArchiveIndex index, ArchiveOptions options,
                                DecodedCopy copy) throws IOException {
        return streamed(description, file, index, options, copy, new ArchiveMetrics());
    }

    /** As {@link #streamed(String, VfsFile, ArchiveIndex, ArchiveOptions, DecodedCopy)}, counting decoded bytes in {@code metrics}. */
    static OpenArchive streamed(String description, VfsFile file, ArchiveIndex index, ArchiveOptions options,
                                DecodedCopy copy, ArchiveMetrics metrics) throws IOException {
        RandomAccessBytes raw = RandomAccessBytes.of(file);
        ArchiveFormat format = index.format();
        List<Closeable> resources = new ArrayList<>();
        RandomAccessBytes data;
        if (format.compression() == ArchiveFormat.Compression.NONE) {
            data = raw;
        } else {
            DecodedCursor.Factory cursors = switch (format.compression()) {
                case GZIP -> index.checkpoints().isEmpty()
                        ? new StreamCursors(raw, ArchiveFormat.decoder(format.compression()))
                        : new GzipCursors(raw, index.checkpoints());
                case XZ -> new XzCursors(raw);
                case BZIP2 -> index.blockStarts().isEmpty()
                        ? new StreamCursors(raw, ArchiveFormat.decoder(format.compression()))
                        : new Bzip2Cursors(raw, index.blockStarts());
                case ZSTD -> index.blockStarts().isEmpty()
                        ? new StreamCursors(raw, ArchiveFormat.decoder(format.compression()))
                        : new ZstdCursors(raw, index.blockStarts());
                default -> new StreamCursors(raw, ArchiveFormat.decoder(format.compression()));
            };
            long size = index.decodedSize();
            boolean copied = copy != null && DecodedCopy.needed(cursors.longestSpan(size));
            DecodedView view = new DecodedView(cursors, size, metrics::decoded);
            resources.add(view::close);
            data = copied ? copy.over(view) : view;
        }
        resources.add(file);
        FileAttrs archiveAttrs = file.attrs();
        ArchiveTree tree = new ArchiveTree(description, archiveAttrs, withArchiveMtime(index.members(), archiveAttrs),
                (m, attrs) -> new SliceFile(data, m, attrs), options.showOutsideSymlinks());
        return new OpenArchive(format, tree, index.checkpointWeight(), resources);
    }

    /** A single compressed file has no mtime of its own in the index: it takes the archive's. */
    private static List<Member> withArchiveMtime(List<Member> members, FileAttrs archive) {
        if (members.size() != 1 || !members.get(0).mtime().equals(Instant.EPOCH) || members.get(0).mode() >= 0) {
            return members;
        }
        Member m = members.get(0);
        return List.of(new Member(m.name(), m.type(), m.size(), archive.mtime(), archive.permissions() & 07555,
                m.link(), false, m.offset(), m.sparse()));
    }

    /** Opens zip {@code file}: the central directory is read at the end, nothing else. */
    static OpenArchive zip(String description, VfsFile file, ArchiveOptions options) throws IOException {
        RandomAccessBytes raw = RandomAccessBytes.of(file);
        RangeChannel channel = new RangeChannel(raw, 64 * 1024);
        ZipFile zip = ZipFile.builder()
                .setSeekableByteChannel(channel)
                .setCharset(StandardCharsets.UTF_8) // names are decoded again by zipName
                .setUseUnicodeExtraFields(true)
                .setIgnoreLocalFileHeader(true)
                .get();
        try {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            List<Member> members = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                zipMember(zip, entries.get(i), i).ifPresent(members::add);
            }
            ArchiveTree tree = new ArchiveTree(description, file.attrs(), members,
                    (m, attrs) -> zipEntryFile(zip, channel, raw, entries.get((int) m.offset()), attrs), options.showOutsideSymlinks());
            return new OpenArchive(ArchiveFormat.EXPLICIT.get("zip"), tree, 0, List.of(zip, file));
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    private static Optional<Member> zipMember(ZipFile zip, ZipArchiveEntry e, int index) throws IOException {
        String name = zipName(e);
        Instant mtime = e.getLastModifiedTime().toInstant();
        boolean unix = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX && e.getUnixMode() != 0;
        int mode = unix ? e.getUnixMode() & 07777 : -1;
        if (e.isDirectory()) {
            return Optional.of(Member.directory(name, mtime, mode));
        }
        if (e.isUnixSymlink()) {
            if (e.getSize() > MAX_LINK || !zip.canReadEntryData(e)) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(e)) {
                return Optional.of(Member.symlink(name, new String(in.readNBytes(MAX_LINK), StandardCharsets.UTF_8), mtime));
            }
        }
        if (unix && (e.getUnixMode() & S_IFMT) != 0 && (e.getUnixMode() & S_IFMT) != 0100000) {
            return Optional.empty(); // devices, fifos
        }
        return Optional.of(Member.file(name, e.getSize(), mtime, mode, index));
    }

    /**
     * Returns the entry's name: as flagged UTF-8 (APPNOTE 4.4.4 bit 11) or from the Info-ZIP
     * Unicode Path field when present; otherwise the raw bytes as UTF-8 when they are valid UTF-8
     * (what Info-ZIP's zip writes on a UTF-8 system, and what unzip restores byte for byte), else
     * as CP437, the format's historical default.
     */
    private static String zipName(ZipArchiveEntry e) {
        if (e.getGeneralPurposeBit().usesUTF8ForNames() || e.getExtraField(UnicodePathExtraField.UPATH_ID) != null) {
            return e.getName();
        }
        byte[] raw = e.getRawName();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(raw, Charset.forName("Cp437"));
        }
    }

    /**
     * Stored entries are read in place; deflated ones are inflated from their start by a per-handle
     * stream over exactly their compressed bytes; entries of other methods through commons-compress.
     * The first two read with the end of the entry's data as the reader's end
     * ({@link VfsFile#readWithin}), so a cache or HTTP source below fetches ahead no further.
     */
    private static VfsFile zipEntryFile(ZipFile zip, RangeChannel channel, RandomAccessBytes raw, ZipArchiveEntry e,
                                        FileAttrs attrs) throws IOException {
        if (!zip.canReadEntryData(e)) {
            throw new IOException("zip entry " + e.getName() + " uses an unsupported method or encryption");
        }
        if (e.getMethod() == ZipMethod.STORED.getCode()) {
            long dataOffset = zipDataOffset(raw, e);
            return new SliceFile(raw, Member.file(e.getName(), e.getSize(), attrs.mtime(), 0, dataOffset), attrs);
        }
        if (e.getMethod() == ZipMethod.DEFLATED.getCode()) {
            long dataOffset = zipDataOffset(raw, e);
            long dataEnd = dataOffset + e.getCompressedSize();
            return new StreamMemberFile(attrs, () -> inflating(raw, dataOffset, dataEnd), new Object(), null);
        }
        // With setIgnoreLocalFileHeader, getInputStream reads the entry's local header on first use
        // by positioning the shared channel and reading, unsynchronised (commons-compress 1.28
        // ZipFile.setDataOffset, through a shared buffer too); concurrent first opens then cached
        // wrong data offsets in the entries ("invalid block type" for good, found by LoadTest).
        // Entry streams lock the channel for each position+read, so opening under the same lock
        // makes the header read atomic.
        return new StreamMemberFile(attrs, () -> {
            synchronized (channel) {
                return zip.getInputStream(e);
            }
        }, new Object(), null);
    }

    /**
     * Returns raw deflate data {@code [from, to)} of {@code raw} inflated. Each stream has its
     * own reader, so deflated entries decode in parallel. The trailing zero byte is the "dummy"
     * input {@link Inflater} asks for in nowrap mode (as commons-compress and java.util.zip add).
     */
    private static InputStream inflating(RandomAccessBytes raw, long from, long to) {
        InputStream compressed = new SequenceInputStream(new RangeInputStream(raw, from, 64 * 1024, to),
                new ByteArrayInputStream(new byte[1]));
        Inflater inflater = new Inflater(true);
        return new InflaterInputStream(compressed, inflater, 8192) {
            private boolean ended;

            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    if (!ended) {
                        ended = true;
                        inflater.end();
                    }
                }
            }
        };
    }

    /** Reads the local file header (APPNOTE 4.3.7) for where the data starts: 30 bytes plus name and extra. */
    private static long zipDataOffset(RandomAccessBytes raw, ZipArchiveEntry e) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(30).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        // The member's data follows the header: name and extra field (each at most 64 KiB), then
        // the compressed bytes; the reader ends there at the latest.
        long compressed = e.getCompressedSize();
        if (compressed >= SEQUENTIAL_MEMBER) {
            raw.adviseSequential(e.getLocalHeaderOffset()); // header and data in one stream
        }
        raw.readFullyWithin(e.getLocalHeaderOffset(), header,
                compressed < 0 ? Long.MAX_VALUE : e.getLocalHeaderOffset() + 30 + 2 * 0xffffL + compressed);
        if (header.getInt(0) != 0x04034b50) {
            throw new IOException("zip entry " + e.getName() + ": no local file header at " + e.getLocalHeaderOffset());
        }
        return e.getLocalHeaderOffset() + 30 + (header.getShort(26) & 0xffff) + (header.getShort(28) & 0xffff);
    }

    /** Opens 7z {@code file}; its headers are read through ranged reads, entries decoded on demand. */
    static OpenArchive sevenZ(String description, VfsFile file, ArchiveOptions options) throws IOException {
        RandomAccessBytes raw = RandomAccessBytes.of(file);
        SevenZFile sevenZ = SevenZFile.builder().setSeekableByteChannel(new RangeChannel(raw, 64 * 1024)).get();
        try {
            List<SevenZArchiveEntry> entries = new ArrayList<>();
            sevenZ.getEntries().forEach(entries::add);
            List<Member> members = new ArrayList<>();
            StreamMemberFile.Owner owner = new StreamMemberFile.Owner();
            for (int i = 0; i < entries.size(); i++) {
                sevenZMember(sevenZ, entries.get(i), i, owner).ifPresent(members::add);
            }
            ArchiveTree tree = new ArchiveTree(description, file.attrs(), members, (m, attrs) -> new StreamMemberFile(attrs,
                    () -> sevenZ.getInputStream(entries.get((int) m.offset())), sevenZ, owner), options.showOutsideSymlinks());
            return new OpenArchive(ArchiveFormat.EXPLICIT.get("7z"), tree, 0, List.of(sevenZ, file));
        } catch (IOException | RuntimeException e) {
            sevenZ.close();
            throw e;
        }
    }

    private static Optional<Member> sevenZMember(SevenZFile sevenZ, SevenZArchiveEntry e, int index,
                                                 StreamMemberFile.Owner owner) throws IOException {
        if (e.isAntiItem()) {
            return Optional.empty();
        }
        Instant mtime = e.getHasLastModifiedDate() ? e.getLastModifiedTime().toInstant() : Instant.EPOCH;
        int attributes = e.getHasWindowsAttributes() ? e.getWindowsAttributes() : 0;
        // p7zip keeps the unix st_mode in the high 16 bits, flagged by 0x8000 (FILE_ATTRIBUTE_UNIX_EXTENSION).
        int unixMode = (attributes & 0x8000) != 0 ? attributes >>> 16 : -1;
        int mode = unixMode < 0 ? -1 : unixMode & 07777;
        if (e.isDirectory() || unixMode >= 0 && (unixMode & S_IFMT) == S_IFDIR) {
            return Optional.of(Member.directory(e.getName(), mtime, mode));
        }
        if (unixMode >= 0 && (unixMode & S_IFMT) == S_IFLNK) {
            if (e.getSize() > MAX_LINK) {
                return Optional.empty();
            }
            synchronized (sevenZ) {
                owner.current = null;
                try (InputStream in = sevenZ.getInputStream(e)) {
                    return Optional.of(Member.symlink(e.getName(), new String(in.readNBytes(MAX_LINK), StandardCharsets.UTF_8), mtime));
                }
            }
        }
        return Optional.of(new Member(e.getName(), FileType.FILE, e.hasStream() ? e.getSize() : 0, mtime, mode, "",
                false, index, new long[0]));
    }
}
