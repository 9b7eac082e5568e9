package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.fault.ScriptedFtpServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A directory too large to list is refused with a clear error instead of filling the heap. */
class FtpHugeListingTest {

    @Test
    void listingOverTheLimitFailsAndSmallerOnesStillWork() throws Exception {
        int lines = (int) (ListingSocketFactory.MAX_LISTING_BYTES / 50) + 10_000; // ~60-byte lines: over the limit
        String[] huge = new String[lines];
        for (int i = 0; i < lines; i++) {
            huge[i] = String.format("-rw-r--r--   1 ftp ftp          6 Jan 01  2024 file-%08d", i);
        }
        String[] small = new String[1000];
        for (int i = 0; i < small.length; i++) {
            small[i] = String.format("-rw-r--r--   1 ftp ftp          6 Jan 01  2024 f%04d", i);
        }
        try (ScriptedFtpServer ftp = ScriptedFtpServer.start()) {
            ftp.listing("/", "drwxr-xr-x   1 ftp ftp          0 Jan 01  2024 huge", "drwxr-xr-x   1 ftp ftp          0 Jan 01  2024 small");
            ftp.listing("/huge", huge);
            ftp.listing("/small", small);
            SourceOptions options = SourceOptions.builder().readTimeout(Duration.ofSeconds(10)).retries(0).build();
            try (Vfs v = Sources.open(ftp.url(), options)) {
                IOException e = assertThrows(IOException.class, () -> v.list(VfsPath.parse("/huge")));
                assertTrue(String.valueOf(e.getMessage()).contains("larger than")
                        || String.valueOf(e.getCause()).contains("larger than"), e.toString());
                assertEquals(1000, v.list(VfsPath.parse("/small")).size(), "the connection pool recovers");
            }
        }
    }
}
