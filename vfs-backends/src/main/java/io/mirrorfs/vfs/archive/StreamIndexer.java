package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The one sequential pass that indexes a streamed archive: it decompresses everything once
 * (recording gzip checkpoints on the way), notes where each entry's data starts in the
 * decompressed stream, and reads nothing twice. An uncompressed tar is read header by header,
 * skipping member data without fetching it. Stateless; one call per pass.
 */
final class StreamIndexer {

    /** A symlink target longer than this (cpio stores it as content) is not a symlink we show. */
    private static final int MAX_LINK = 4096;

    private StreamIndexer() {
    }

    /**
     * Indexes {@code file} of {@code format} on its own, its checkpoints within
     * {@link ArchiveOptions#checkpointMemory}; {@code singleName} names the one member of a single
     * compressed file.
     *
     * @throws IOException if the archive is corrupt or truncated
     */
    static ArchiveIndex index(RandomAccessBytes file, ArchiveFormat format, String singleName, ArchiveOptions options,
                              IndexProgress progress) throws IOException {
        try (CheckpointMemory.Account memory = new CheckpointMemory(options.checkpointMemory(), bytes -> { }).account()) {
            return index(file, format, singleName, options, progress, memory, null);
        }
    }

    /**
     * Indexes {@code file} of {@code format}, taking checkpoint memory from {@code memory}, which
     * then holds exactly {@link ArchiveIndex#checkpointWeight} of the index returned (on failure,
     * whatever it held before plus what the pass took; the caller closes it). With {@code copy}
     * (may be null), the decoded data is recorded there where the file offers too few places to
     * resume decoding (for zstd decided as the frames go by; the caller decides for the others).
     *
     * @throws IOException if the archive is corrupt or truncated
     */
    static ArchiveIndex index(RandomAccessBytes file, ArchiveFormat format, String singleName, ArchiveOptions options,
                              IndexProgress progress, CheckpointMemory.Account memory, DecodedCopy copy) throws IOException {
        if (format.compression() == ArchiveFormat.Compression.NONE && format.container() == ArchiveFormat.Container.TAR) {
            return new ArchiveIndex(format, file.size(), plainTar(file), List.of(), List.of());
        }
        RangeInputStream raw = new RangeInputStream(file, 0, 1 << 20);
        GzipIndexer gzip = null;
        Bzip2Indexer bzip2 = null;
        ZstdIndexer zstd = null;
        InputStream decoded;
        long interval = options.checkpointInterval();
        if (format.compression() == ArchiveFormat.Compression.GZIP && NativeInflater.available()) {
            gzip = new GzipIndexer(raw, interval, memory);
            decoded = gzip;
        } else if (format.compression() == ArchiveFormat.Compression.BZIP2) {
            bzip2 = new Bzip2Indexer(file, raw, interval, memory);
            decoded = bzip2;
        } else if (format.compression() == ArchiveFormat.Compression.ZSTD) {
            zstd = new ZstdIndexer(raw, interval, memory);
            decoded = zstd;
        } else {
            decoded = ArchiveFormat.decoder(format.compression()).decode(raw);
        }
        DecodedCopy.Recorder recorder = null;
        if (copy != null && gzip == null) {
            ZstdIndexer frames = zstd;
            recorder = copy.recorder(frames == null ? () -> true : frames::framesSparse);
        }
        try (Counting counted = new Counting(decoded, raw, progress, gzip, recorder)) {
            List<Member> members = switch (format.container()) {
                case TAR -> tar(counted);
                case AR -> ar(counted);
                case CPIO -> cpio(counted);
                case SINGLE -> List.of();
                case ZIP, SEVEN_Z -> throw new IllegalArgumentException(format.label() + " is not a streamed format");
            };
            counted.drain();
            if (recorder != null) {
                recorder.finish();
            }
            if (format.container() == ArchiveFormat.Container.SINGLE) {
                members = List.of(Member.file(singleName, counted.count, Instant.EPOCH, -1, 0));
            }
            List<Checkpoint> checkpoints = gzip == null ? List.of() : gzip.checkpoints();
            List<BlockStart> starts = bzip2 != null ? bzip2.blockStarts() : zstd != null ? zstd.blockStarts() : List.of();
            return new ArchiveIndex(format, counted.count, members, checkpoints, starts);
        }
    }

    private static List<Member> plainTar(RandomAccessBytes file) throws IOException {
        List<Member> members = new ArrayList<>();
        try (TarFile tar = new TarFile(new RangeChannel(file, 64 * 1024), 10240, 512, "UTF-8", false)) {
            for (TarArchiveEntry e : tar.getEntries()) {
                fromTar(e, e.getDataOffset()).ifPresent(members::add);
            }
        }
        return members;
    }

    private static List<Member> tar(Counting in) throws IOException {
        List<Member> members = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(in, 10240, 512, "UTF-8", false);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            fromTar(e, in.count).ifPresent(members::add);
            if (e.isFile() && !e.isLink() && !e.isSymbolicLink() && !e.isSparse() && !e.isDirectory()) {
                in.discardNext(e.getSize()); // the data of a plain file is only passed over
            }
        }
        return members;
    }

    private static Optional<Member> fromTar(TarArchiveEntry e, long offset) throws IOException {
        Instant mtime = e.getLastModifiedTime().toInstant();
        int mode = e.getMode() & 07777;
        if (e.isSymbolicLink()) {
            return Optional.of(Member.symlink(e.getName(), e.getLinkName(), mtime));
        }
        if (e.isLink()) {
            return Optional.of(Member.hardLink(e.getName(), e.getLinkName(), mtime, mode));
        }
        if (e.isDirectory()) {
            return Optional.of(Member.directory(e.getName(), mtime, mode));
        }
        if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO() || e.isGlobalPaxHeader()) {
            return Optional.empty(); // not part of a mirror
        }
        if (!e.isSparse()) {
            return Optional.of(Member.file(e.getName(), e.getSize(), mtime, mode, offset));
        }
        List<TarArchiveStructSparse> chunks = e.getOrderedSparseHeaders();
        long[] map = new long[chunks.size() * 2];
        for (int i = 0; i < chunks.size(); i++) {
            map[2 * i] = chunks.get(i).getOffset();
            map[2 * i + 1] = chunks.get(i).getNumbytes();
        }
        return Optional.of(new Member(e.getName(), FileType.FILE, e.getRealSize(), mtime, mode, "", false, offset, map));
    }

    private static List<Member> ar(Counting in) throws IOException {
        List<Member> members = new ArrayList<>();
        ArArchiveInputStream ar = new ArArchiveInputStream(in);
        ArArchiveEntry e;
        while ((e = ar.getNextEntry()) != null) {
            Instant mtime = Instant.ofEpochSecond(e.getLastModified());
            members.add(Member.file(e.getName(), e.getLength(), mtime, e.getMode() & 07777, in.count));
        }
        return members;
    }

    private static List<Member> cpio(Counting in) throws IOException {
        List<Member> members = new ArrayList<>();
        Map<Integer, String> inodeOf = new HashMap<>();
        CpioArchiveInputStream cpio = new CpioArchiveInputStream(in, StandardCharsets.UTF_8.name());
        CpioArchiveEntry e;
        while ((e = cpio.getNextEntry()) != null) {
            Instant mtime = Instant.ofEpochSecond(e.getTime());
            int mode = (int) (e.getMode() & 07777);
            if (e.isDirectory()) {
                members.add(Member.directory(e.getName(), mtime, mode));
            } else if (e.isSymbolicLink()) {
                byte[] target = cpioLinkTarget(cpio, e);
                if (target != null) {
                    members.add(Member.symlink(e.getName(), new String(target, StandardCharsets.UTF_8), mtime));
                }
            } else if (e.isRegularFile()) {
                if (e.getNumberOfLinks() > 1) {
                    inodeOf.put(members.size(), cpioInode(e));
                }
                members.add(Member.file(e.getName(), e.getSize(), mtime, mode, in.count));
            }
        }
        return sharedCpioData(members, inodeOf);
    }

    /**
     * Returns a symlink's target (its data), or null when it is longer than {@link #MAX_LINK}; the
     * data is consumed either way. GNU cpio's {@code -H crc} sums the data of regular files only
     * and writes 0 as a symlink's checksum, which commons-compress would compare with the sum of
     * the target and fail the whole archive on ("CRC Error"); cpio itself extracts such links, so
     * a 0 there is taken as "no checksum".
     */
    private static byte[] cpioLinkTarget(CpioArchiveInputStream cpio, CpioArchiveEntry e) throws IOException {
        java.io.ByteArrayOutputStream target = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        long sum = 0;
        long left = e.getSize();
        while (left > 0) {
            int n = cpio.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new java.io.EOFException("cpio symlink " + e.getName() + " is truncated");
            }
            for (int i = 0; i < n; i++) {
                sum += chunk[i] & 0xff;
            }
            if (target.size() + n <= MAX_LINK) {
                target.write(chunk, 0, n);
            }
            left -= n;
        }
        if (e.getFormat() == CpioConstants.FORMAT_NEW_CRC && e.getChksum() == 0) {
            e.setChksum(sum & 0xFFFFFFFFL); // checked by the stream when the entry is closed
        }
        return e.getSize() <= MAX_LINK ? target.toByteArray() : null;
    }

    /**
     * Identifies a hard-linked file's inode: newc and crc headers carry the device as major and
     * minor numbers, odc and bin as one number (commons-compress throws for the other accessor).
     */
    private static String cpioInode(CpioArchiveEntry e) {
        boolean newFormat = (e.getFormat() & CpioConstants.FORMAT_NEW_MASK) != 0;
        String device = newFormat ? e.getDeviceMaj() + ":" + e.getDeviceMin() : Long.toString(e.getDevice());
        return device + ":" + e.getInode();
    }

    /** newc stores a hard-linked file's data once, with the last of its names: give it to all names. */
    private static List<Member> sharedCpioData(List<Member> members, Map<Integer, String> inodeOf) {
        Map<String, Member> holders = new HashMap<>();
        inodeOf.forEach((i, inode) -> {
            if (members.get(i).size() > 0) {
                holders.put(inode, members.get(i));
            }
        });
        inodeOf.forEach((i, inode) -> {
            Member holder = holders.get(inode);
            if (holder != null && members.get(i).size() == 0) {
                members.set(i, holder.renamed(members.get(i).name()));
            }
        });
        return members;
    }

    /**
     * Counts decompressed bytes (the offset of the next one) and reports compressed progress.
     * Bytes announced by {@link #discardNext} are handed to the reader (tar skipping a member)
     * without being copied into its buffer, when the decoder can pass over them.
     */
    private static final class Counting extends FilterInputStream {
        private final RangeInputStream raw;
        private final IndexProgress progress;
        private final GzipIndexer discarder;
        private final DecodedCopy.Recorder recorder;
        private long count;
        private long discard;

        Counting(InputStream in, RangeInputStream raw, IndexProgress progress, GzipIndexer discarder,
                 DecodedCopy.Recorder recorder) {
            super(in);
            this.recorder = recorder;
            this.raw = raw;
            this.progress = progress;
            this.discarder = discarder;
        }

        /** Announces that the next {@code n} bytes are read only to be skipped (a member's data). */
        void discardNext(long n) {
            if (discarder != null) {
                discard = n;
            }
        }

        @Override
        public int read() throws IOException {
            if (discard > 0) {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : 0;
            }
            int b = in.read();
            if (b >= 0) {
                count++;
                if (recorder != null) {
                    recorder.accept(new byte[] {(byte) b}, 0, 1);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            if (discard > 0) {
                n = discarder.discard((int) Math.min(len, discard));
                discard -= Math.max(n, 0);
            } else {
                n = in.read(b, off, len);
                if (n > 0 && recorder != null) {
                    recorder.accept(b, off, n);
                }
            }
            if (n > 0) {
                count += n;
                progress.update(raw.position());
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Decompressed data cannot be skipped without decoding it: read, so the count stays exact.
            byte[] scratch = new byte[(int) Math.min(n, 64 * 1024)];
            long done = 0;
            while (done < n) {
                int got = read(scratch, 0, (int) Math.min(scratch.length, n - done));
                if (got < 0) {
                    break;
                }
                done += got;
            }
            return done;
        }

        /** Decodes the rest, so the length is known and every checksum has been verified. */
        void drain() throws IOException {
            byte[] scratch = new byte[256 * 1024];
            while (read(scratch, 0, scratch.length) >= 0) {
                // discard
            }
        }
    }
}
