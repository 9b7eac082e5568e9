package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The on-disk form of a listing: every field survives, and anything else decodes to "absent". */
class ListingCodecTest {

    private static final KnownListing LISTING = new KnownListing(List.of(
            DirEntry.of("data.bin", new FileAttrs(FileType.FILE, 123_456_789_012L, Instant.ofEpochSecond(1_700_000_000, 5), 0444, "etag:\"x\"")),
            DirEntry.of("sub", FileAttrs.directory(Instant.ofEpochSecond(42))),
            DirEntry.typeOnly("ünïcödé name", FileType.FILE),
            DirEntry.typeOnly("link", FileType.SYMLINK)),
            "lm:Tue, 01 Dec 2026 10:00:00 GMT", Instant.parse("2026-12-07T13:00:00.123Z"));

    @Test
    void everyFieldSurvivesARoundTrip() {
        assertEquals(Optional.of(LISTING), ListingCodec.decode(ListingCodec.encode(LISTING)));
        KnownListing empty = new KnownListing(List.of(), "", Instant.EPOCH);
        assertEquals(Optional.of(empty), ListingCodec.decode(ListingCodec.encode(empty)));
    }

    @Test
    void truncatedOrForeignBytesAreAbsent() {
        byte[] bytes = ListingCodec.encode(LISTING);
        for (int cut = 0; cut < bytes.length; cut += 7) {
            assertEquals(Optional.empty(), ListingCodec.decode(Arrays.copyOf(bytes, cut)), "cut at " + cut);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertEquals(Optional.empty(), ListingCodec.decode(longer));
        bytes[3] = 9; // another format number
        assertEquals(Optional.empty(), ListingCodec.decode(bytes));
    }
}
