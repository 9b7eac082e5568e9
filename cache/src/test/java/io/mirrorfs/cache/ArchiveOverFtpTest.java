package io.mirrorfs.cache;

import io.mirrorfs.cache.ArchiveReadCost.MemberCost;
import io.mirrorfs.cache.ArchiveReadCost.Zips;
import io.mirrorfs.testing.VsftpdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ArchiveOverHttpTest} over FTP: the mirror as the mount assembles it (FTP source, shared
 * block cache, archive layer) over a real vsftpd; reading one member of a ~200 MB zip fetches the
 * member's blocks plus, for every transfer stopped before the end of the file, what vsftpd had
 * already written into the socket buffers, counted from vsftpd's transfer log.
 *
 * <p>{@code RETR} has no end offset: vsftpd sends ({@code sendfile}) until the data connection
 * closes, and its log counts every byte it handed to the kernel. On loopback its send buffer
 * grows to {@code net.ipv4.tcp_wmem}'s maximum (4 MiB here) at once, so a transfer stopped or
 * parked anywhere before the end of the file is counted about 4 MB past where the client read
 * (3.1 to 4.5 MB measured: the send buffer plus the client's receive buffer). Parking instead of
 * stopping at the member's end costs the same count here (measured), only a pooled connection
 * held longer.
 *
 * <p>A member read usually stops one transfer before the end of the zip: the member's own, at
 * the member's end (rounded up to a block). Format detection reads nothing at the start of a file
 * named like a zip (it finds the central directory's end record in the tail, which the opening
 * reads anyway, with a transfer that runs to the end of the file), and the archive layer advises
 * the cache that a member of 1 MiB or more is read sequentially from its local header on, so
 * header and data come in one transfer instead of a 64 KiB random fetch left parked when the
 * cache turned sequential. With read-ahead, a read-ahead fetch sometimes takes the member's
 * stream by skipping the block the demand read is about to ask for, which then needs a transfer
 * of its own: a second stopped transfer, which the bound allows. Measured over 5 runs, 1 MiB
 * blocks: 4 MiB stored member, 8.0 to 15.1 MB sent, mostly 8.6 to 9.7 (HTTP: 5.0 MiB); deflated
 * member of 2.39 MB compressed, 5.2 to 8.0 MB (HTTP: 3.0 MiB). Before both changes: 13.6 to 21.3
 * and 13.8 to 17.5 MB. The central directory is cheap: the listing's one transfer reads the zip's
 * last 7 KB (35 KB for the deflated zip) and ends with the file.
 */
class ArchiveOverFtpTest {

    /** Transfers a member read may stop before the end of the zip (see the class comment). */
    private static final int STOPPED_TRANSFERS = 2;

    @TempDir
    static Path tmp;
    static VsftpdServer vsftpd;
    static Zips zips;

    @BeforeAll
    static void serveBigZip() throws Exception {
        zips = ArchiveReadCost.writeZips(tmp.resolve("src"), tmp.resolve("ftp"));
        vsftpd = VsftpdServer.start(tmp.resolve("ftp"));
    }

    @AfterAll
    static void stop() {
        if (vsftpd != null) {
            vsftpd.close();
        }
    }

    /**
     * The member's blocks as over HTTP, plus two stopped transfers'
     * socket buffers, whatever {@code --read-ahead} is: the archive layer passes the member's end
     * with every read, the cache fetches ahead no further, and FTP stops the member's transfer
     * there (read-ahead past the member's end would add up to 16 MiB here). The opening counts only
     * the transfer of the zip's tail, which detection and the central directory share.
     */
    @ParameterizedTest(name = "read-ahead {0} blocks")
    @ValueSource(ints = {4, 0, 16})
    void oneMemberOfABigZipCostsAboutItsBytes(int readAheadBlocks) throws Exception {
        CacheConfig config = CacheConfig.builder().readAheadBlocks(readAheadBlocks).build();
        assertAboutTheMember(ArchiveReadCost.storedMember(zips, vsftpd.url(), config, vsftpd::bytesSent), config);
    }

    /** A deflated member costs its compressed bytes plus the same as a stored one, whatever the read-ahead. */
    @ParameterizedTest(name = "read-ahead {0} blocks")
    @ValueSource(ints = {4, 0, 16})
    void oneDeflatedMemberCostsAboutItsCompressedBytes(int readAheadBlocks) throws Exception {
        CacheConfig config = CacheConfig.builder().readAheadBlocks(readAheadBlocks).build();
        assertAboutTheMember(ArchiveReadCost.deflatedMember(zips, vsftpd.url(), config, vsftpd::bytesSent), config);
    }

    /**
     * Checks {@code memberBytes <= sent <=} {@link ArchiveReadCost#bound} plus 3 blocks (2 a
     * read-ahead fetch and the demand read may skip when they race for the member's stream, and
     * one of slack), and {@link #STOPPED_TRANSFERS} x {@link #inFlight()}.
     */
    private static void assertAboutTheMember(MemberCost cost, CacheConfig config) throws Exception {
        long extra = 3L * config.blockSize() + STOPPED_TRANSFERS * inFlight();
        ArchiveReadCost.assertAboutTheMember(cost, config, extra, vsftpd.downloadLogLines());
    }

    /**
     * Returns the most vsftpd counts past the point where a transfer was stopped: its send buffer
     * ({@code net.ipv4.tcp_wmem}'s maximum, to which it grows at once on loopback) plus 1 MiB of
     * the client's receive buffer (about 550 KB at most, measured).
     */
    private static long inFlight() {
        long sendBuffer = 4L << 20;
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            sendBuffer = Long.parseLong(wmem[2]);
        } catch (IOException | RuntimeException e) {
            // Not Linux's /proc: the usual default.
        }
        return sendBuffer + (1L << 20);
    }
}
