package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Persists {@link ArchiveIndex}es in a directory, one gzip-compressed file per archive, named by
 * the SHA-256 of the archive's key (its location and version), so a remount finds the index of
 * an unchanged archive and a changed archive never matches a stale index. Files are written to a
 * temporary name and moved into place, so a crash leaves no half-written index. A damaged or
 * foreign file reads as absent. Thread-safe.
 */
final class IndexStore {

    private static final System.Logger LOG = System.getLogger(ArchiveLayer.class.getName());
    private static final String MAGIC = "mirrorfs archive index 3";

    private final Path directory;

    /** Creates a store in {@code directory}, created on first save. */
    IndexStore(Path directory) {
        this.directory = directory;
    }

    /** Returns the index saved for {@code key}, if any and intact. */
    Optional<ArchiveIndex> load(String key) {
        Path file = fileFor(key);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(file), 64 * 1024), 64 * 1024))) {
            if (!in.readUTF().equals(MAGIC) || !readString(in).equals(key)) {
                return Optional.empty();
            }
            return Optional.of(read(in));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "ignoring damaged archive index " + file + ": " + e);
            return Optional.empty();
        }
    }

    /** Saves {@code index} for {@code key}; failures are logged, not thrown (the index is an optimisation). */
    void save(String key, ArchiveIndex index) {
        Path file = fileFor(key);
        try {
            Files.createDirectories(directory);
            Path tmp = Files.createTempFile(directory, "index-", ".tmp");
            try {
                LeveledGzip gzip = new LeveledGzip(Files.newOutputStream(tmp));
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(gzip, 64 * 1024))) {
                    out.writeUTF(MAGIC);
                    writeString(out, key);
                    write(out, index, gzip);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not save archive index " + file + ": " + e);
        }
    }

    /**
     * Gzip at level 1 for the entries, and stored for the checkpoints, whose windows are already
     * deflated or did not compress (at the default level 6 throughout, saving was about 8% of a
     * 500 MB tar.gz's indexing pass).
     */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(java.io.OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(java.util.zip.Deflater.BEST_SPEED);
        }

        /** Compresses what follows at {@code level} (zlib's deflateParams). */
        void level(int level) {
            def.setLevel(level);
        }
    }

    private Path fileFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(digest) + ".idx");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static void write(DataOutputStream out, ArchiveIndex index, LeveledGzip gzip) throws IOException {
        out.writeUTF(index.format().container().name());
        out.writeUTF(index.format().compression().name());
        out.writeLong(index.decodedSize());
        out.writeInt(index.members().size());
        for (Member m : index.members()) {
            writeString(out, m.name());
            out.writeByte(m.type().ordinal());
            out.writeLong(m.size());
            out.writeLong(m.mtime().getEpochSecond());
            out.writeInt(m.mtime().getNano());
            out.writeInt(m.mode());
            writeString(out, m.link());
            out.writeBoolean(m.hardLink());
            out.writeLong(m.offset());
            out.writeInt(m.sparse().length);
            for (long v : m.sparse()) {
                out.writeLong(v);
            }
        }
        out.flush();
        gzip.level(java.util.zip.Deflater.NO_COMPRESSION);
        out.writeInt(index.checkpoints().size());
        for (Checkpoint c : index.checkpoints()) {
            out.writeLong(c.compressedOffset());
            out.writeByte(c.bits());
            out.writeLong(c.decodedOffset());
            out.writeBoolean(c.deflated());
            out.writeInt(c.packedWindow().length);
            out.write(c.packedWindow());
        }
        out.writeInt(index.blockStarts().size());
        for (BlockStart b : index.blockStarts()) {
            out.writeLong(b.compressedBit());
            out.writeLong(b.decodedOffset());
            out.writeLong(b.streamEnd());
            out.writeLong(b.nextStream());
        }
    }

    private static ArchiveIndex read(DataInputStream in) throws IOException {
        ArchiveFormat format = new ArchiveFormat(ArchiveFormat.Container.valueOf(in.readUTF()),
                ArchiveFormat.Compression.valueOf(in.readUTF()));
        long decodedSize = in.readLong();
        int count = in.readInt();
        List<Member> members = new ArrayList<>(Math.min(count, 1 << 16));
        for (int i = 0; i < count; i++) {
            String name = readString(in);
            FileType type = FileType.values()[in.readByte()];
            long size = in.readLong();
            Instant mtime = Instant.ofEpochSecond(in.readLong(), in.readInt());
            int mode = in.readInt();
            String link = readString(in);
            boolean hardLink = in.readBoolean();
            long offset = in.readLong();
            long[] sparse = new long[in.readInt()];
            for (int j = 0; j < sparse.length; j++) {
                sparse[j] = in.readLong();
            }
            members.add(new Member(name, type, size, mtime, mode, link, hardLink, offset, sparse));
        }
        int checkpoints = in.readInt();
        List<Checkpoint> list = new ArrayList<>(Math.min(checkpoints, 1 << 16));
        for (int i = 0; i < checkpoints; i++) {
            long compressed = in.readLong();
            int bits = in.readByte();
            long decoded = in.readLong();
            boolean deflated = in.readBoolean();
            byte[] window = new byte[in.readInt()];
            in.readFully(window);
            list.add(new Checkpoint(compressed, bits, decoded, window, deflated));
        }
        int blocks = in.readInt();
        List<BlockStart> starts = new ArrayList<>(Math.min(blocks, 1 << 16));
        for (int i = 0; i < blocks; i++) {
            starts.add(new BlockStart(in.readLong(), in.readLong(), in.readLong(), in.readLong()));
        }
        return new ArchiveIndex(format, decodedSize, members, list, starts);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1 << 20) {
            throw new IOException("implausible string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
