package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * What an archive file is: a container (tar, zip, 7z, ar, cpio, or a single compressed file)
 * inside an optional compression. Detected from magic bytes, with the name as a hint, or named
 * explicitly after the {@code #} ({@code #tgz}). Immutable.
 *
 * @param container   how entries are laid out
 * @param compression the compression around the whole container (none for zip and 7z)
 */
record ArchiveFormat(Container container, Compression compression) {

    /** How entries are laid out. */
    enum Container { TAR, ZIP, SEVEN_Z, AR, CPIO, SINGLE }

    /** The stream compression wrapped around a container. */
    enum Compression { NONE, GZIP, BZIP2, XZ, ZSTD }

    /** The names accepted after {@code #}. */
    static final Map<String, ArchiveFormat> EXPLICIT = Map.ofEntries(
            Map.entry("tar", new ArchiveFormat(Container.TAR, Compression.NONE)),
            Map.entry("tgz", new ArchiveFormat(Container.TAR, Compression.GZIP)),
            Map.entry("tbz2", new ArchiveFormat(Container.TAR, Compression.BZIP2)),
            Map.entry("txz", new ArchiveFormat(Container.TAR, Compression.XZ)),
            Map.entry("tzst", new ArchiveFormat(Container.TAR, Compression.ZSTD)),
            Map.entry("zip", new ArchiveFormat(Container.ZIP, Compression.NONE)),
            Map.entry("7z", new ArchiveFormat(Container.SEVEN_Z, Compression.NONE)),
            Map.entry("ar", new ArchiveFormat(Container.AR, Compression.NONE)),
            Map.entry("cpio", new ArchiveFormat(Container.CPIO, Compression.NONE)),
            Map.entry("gz", new ArchiveFormat(Container.SINGLE, Compression.GZIP)),
            Map.entry("bz2", new ArchiveFormat(Container.SINGLE, Compression.BZIP2)),
            Map.entry("xz", new ArchiveFormat(Container.SINGLE, Compression.XZ)),
            Map.entry("zst", new ArchiveFormat(Container.SINGLE, Compression.ZSTD)));

    /** Name endings that suggest an archive, for listings with {@code --archives=visible}. */
    private static final String[] SUFFIXES = {".tar", ".tgz", ".taz", ".tbz", ".tbz2", ".tb2", ".txz", ".tzst",
        ".zip", ".jar", ".war", ".ear", ".apk", ".7z", ".ar", ".deb", ".cpio", ".gz", ".bz2", ".xz", ".zst"};
    private static final String[] TAR_SUFFIXES = {".tar.gz", ".tgz", ".taz", ".tar.bz2", ".tbz", ".tbz2", ".tb2",
        ".tar.xz", ".txz", ".tar.zst", ".tzst"};
    private static final String[] SINGLE_SUFFIXES = {".gz", ".bz2", ".xz", ".zst", ".z"};
    private static final String[] ZIP_SUFFIXES = {".zip", ".jar", ".war", ".ear", ".apk"};

    /** Returns the format's canonical short name, for logs. */
    String label() {
        for (Map.Entry<String, ArchiveFormat> e : EXPLICIT.entrySet()) {
            if (e.getValue().equals(this)) {
                return e.getKey();
            }
        }
        return container.name().toLowerCase(Locale.ROOT) + "." + compression.name().toLowerCase(Locale.ROOT);
    }

    /** Returns whether entries are found by one sequential pass (everything but zip and 7z). */
    boolean isStreamed() {
        return container != Container.ZIP && container != Container.SEVEN_Z;
    }

    /** Returns whether {@code name} looks like an archive by its ending. */
    static boolean looksLikeArchive(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(SUFFIXES).anyMatch(lower::endsWith);
    }

    /** Returns the name of the one file inside a single compressed file {@code archiveName}. */
    static String singleMemberName(String archiveName) {
        String lower = archiveName.toLowerCase(Locale.ROOT);
        for (String s : SINGLE_SUFFIXES) {
            if (lower.endsWith(s) && archiveName.length() > s.length()) {
                return archiveName.substring(0, archiveName.length() - s.length());
            }
        }
        return archiveName;
    }

    /**
     * Returns the format of {@code file} from its first bytes; {@code name} decides between a
     * compressed tar and a single compressed file only when its ending says so, otherwise the
     * decompressed start is examined.
     */
    static Optional<ArchiveFormat> detect(RandomAccessBytes file, String name) throws IOException {
        String lowerName = name.toLowerCase(Locale.ROOT);
        if (Arrays.stream(ZIP_SUFFIXES).anyMatch(lowerName::endsWith) && endsWithZipDirectory(file)) {
            // Zip readers find the format at the end, where the central directory is, and opening
            // the zip reads that tail anyway: no read of the start (over FTP, a transfer stopped
            // early, which costs the server's socket buffer).
            return Optional.of(EXPLICIT.get("zip"));
        }
        byte[] head = head(file, 4096);
        Compression compression = compressionOf(head);
        if (compression == Compression.NONE) {
            return containerOf(head, head.length).map(c -> new ArchiveFormat(c, Compression.NONE));
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (Arrays.stream(TAR_SUFFIXES).anyMatch(lower::endsWith)) {
            return Optional.of(new ArchiveFormat(Container.TAR, compression));
        }
        byte[] inner;
        try (InputStream in = decoder(compression).decode(new RangeInputStream(file, 0, 64 * 1024))) {
            inner = in.readNBytes(1024);
        } catch (IOException e) {
            return Optional.empty(); // not decodable: not an archive we can open
        }
        Container c = containerOf(inner, inner.length).filter(x -> x == Container.TAR || x == Container.CPIO
                || x == Container.AR).orElse(Container.SINGLE);
        return Optional.of(new ArchiveFormat(c, compression));
    }

    /**
     * Returns the format {@code NAME#LABEL/} selects for {@code file}: {@code named} itself,
     * except that {@code cpio} takes its compression from the magic bytes. There is one label
     * for cpio, and cpio archives (initramfs images above all) are usually compressed.
     */
    static ArchiveFormat explicit(ArchiveFormat named, RandomAccessBytes file) throws IOException {
        if (named.container() != Container.CPIO) {
            return named;
        }
        return new ArchiveFormat(Container.CPIO, compressionOf(head(file, 16)));
    }

    /** Returns a decoder for {@code compression} as a plain stream (used when no checkpoints are kept). */
    static StreamCursors.Decoder decoder(Compression compression) {
        return switch (compression) {
            case NONE -> in -> in;
            case GZIP -> in -> new GZIPInputStream(in, 64 * 1024);
            case BZIP2 -> in -> new BZip2CompressorInputStream(in, true);
            case XZ -> in -> NativeXz.loaded() ? new NativeXz(in) : new XZInputStream(in);
            case ZSTD -> ZstdCompressorInputStream::new;
        };
    }

    /**
     * Returns whether the file ends with a zip end-of-central-directory record (APPNOTE 4.3.16):
     * its signature, followed by exactly as many bytes of comment as the record declares.
     */
    private static boolean endsWithZipDirectory(RandomAccessBytes file) throws IOException {
        long size = file.size();
        int n = (int) Math.min(size, 22 + 0xffff);
        if (n < 22) {
            return false;
        }
        ByteBuffer tail = ByteBuffer.allocate(n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        file.readFullyWithin(size - n, tail, size);
        for (int at = n - 22; at >= 0; at--) {
            if (tail.getInt(at) == 0x06054b50 && at + 22 + (tail.getShort(at + 20) & 0xffff) == n) {
                return true;
            }
        }
        return false;
    }

    private static byte[] head(RandomAccessBytes file, int max) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(max, file.size()));
        // readWithin: only these bytes are wanted, so a cache or an FTP transfer fetches no more
        // (a first read at offset 0 otherwise looks like the start of a sequential reader).
        while (b.hasRemaining() && file.readWithin(b.position(), b, max) > 0) {
            // keep reading: a source may return short reads
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    private static Compression compressionOf(byte[] h) {
        if (starts(h, 0x1f, 0x8b)) {
            return Compression.GZIP;
        }
        if (starts(h, 'B', 'Z', 'h')) {
            return Compression.BZIP2;
        }
        if (starts(h, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            return Compression.XZ;
        }
        if (starts(h, 0x28, 0xb5, 0x2f, 0xfd) || isSkippableFrame(h)) {
            return Compression.ZSTD;
        }
        return Compression.NONE;
    }

    /**
     * A zstd skippable frame (RFC 8878, section 3.1.2: magic 0x184D2A50 to 0x184D2A5F), which
     * {@code pzstd} writes before each frame. LZ4 frames may start the same way; such a file
     * then fails to decode and is not taken for an archive.
     */
    private static boolean isSkippableFrame(byte[] h) {
        return h.length >= 8 && (h[0] & 0xf0) == 0x50 && (h[1] & 0xff) == 0x2a && (h[2] & 0xff) == 0x4d
                && (h[3] & 0xff) == 0x18;
    }

    private static Optional<Container> containerOf(byte[] h, int length) {
        if (starts(h, 'P', 'K', 3, 4) || starts(h, 'P', 'K', 5, 6) || starts(h, 'P', 'K', 7, 8)) {
            return Optional.of(Container.ZIP);
        }
        if (starts(h, '7', 'z', 0xbc, 0xaf, 0x27, 0x1c)) {
            return Optional.of(Container.SEVEN_Z);
        }
        if (starts(h, '!', '<', 'a', 'r', 'c', 'h', '>', '\n')) {
            return Optional.of(Container.AR);
        }
        if (length >= 6 && CpioArchiveInputStream.matches(h, length)) {
            return Optional.of(Container.CPIO);
        }
        if (length >= 512 && (TarArchiveInputStream.matches(h, length) || isV7Tar(h))) {
            return Optional.of(Container.TAR);
        }
        return Optional.empty();
    }

    /** A pre-POSIX tar header has no magic: accept it when its checksum (bytes 148-155) matches. */
    private static boolean isV7Tar(byte[] h) {
        long stored = 0;
        boolean digits = false;
        for (int i = 148; i < 156; i++) {
            int c = h[i];
            if (c >= '0' && c <= '7') {
                stored = stored * 8 + (c - '0');
                digits = true;
            } else if (digits && (c == 0 || c == ' ')) {
                break;
            }
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        return digits && sum == stored && h[0] != 0;
    }

    private static boolean starts(byte[] h, int... magic) {
        if (h.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((h[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
