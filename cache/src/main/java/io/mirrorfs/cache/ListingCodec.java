package io.mirrorfs.cache;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The on-disk form of a {@link KnownListing}: a format number, the confirmation time, the
 * validator, then per entry its name, type and (when the listing had them) size, mtime,
 * permissions and version. The disk store around it checksums the whole record, so a decoder only
 * meets a damaged record when the format changed; it then returns empty and the listing is fetched
 * again.
 */
final class ListingCodec {

    private static final int FORMAT = 1;

    private ListingCodec() {
    }

    /** Returns the bytes of {@code listing}. */
    static byte[] encode(KnownListing listing) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 48 * listing.entries().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeLong(listing.confirmedAt().getEpochSecond());
            out.writeInt(listing.confirmedAt().getNano());
            out.writeUTF(listing.validator());
            out.writeInt(listing.entries().size());
            for (DirEntry e : listing.entries()) {
                out.writeUTF(e.name());
                out.writeByte(e.type().ordinal());
                out.writeBoolean(e.attrs().isPresent());
                if (e.attrs().isPresent()) {
                    FileAttrs a = e.attrs().get();
                    out.writeLong(a.size());
                    out.writeLong(a.mtime().getEpochSecond());
                    out.writeInt(a.mtime().getNano());
                    out.writeInt(a.permissions());
                    out.writeUTF(a.version());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** Returns the listing in {@code bytes}, or empty when they are not one this format wrote. */
    static Optional<KnownListing> decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != FORMAT) {
                return Optional.empty();
            }
            Instant confirmedAt = Instant.ofEpochSecond(in.readLong(), in.readInt());
            String validator = in.readUTF();
            int n = in.readInt();
            if (n < 0 || n > bytes.length) {
                return Optional.empty();
            }
            FileType[] types = FileType.values();
            List<DirEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                FileType type = types[in.readUnsignedByte()];
                if (in.readBoolean()) {
                    long size = in.readLong();
                    Instant mtime = Instant.ofEpochSecond(in.readLong(), in.readInt());
                    entries.add(DirEntry.of(name, new FileAttrs(type, size, mtime, in.readInt(), in.readUTF())));
                } else {
                    entries.add(DirEntry.typeOnly(name, type));
                }
            }
            if (in.available() != 0) {
                return Optional.empty();
            }
            return Optional.of(new KnownListing(entries, validator, confirmedAt));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a record of another format: fetch again
        }
    }
}
