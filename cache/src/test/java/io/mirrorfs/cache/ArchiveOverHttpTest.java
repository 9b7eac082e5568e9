package io.mirrorfs.cache;

import io.mirrorfs.cache.ArchiveReadCost.MemberCost;
import io.mirrorfs.cache.ArchiveReadCost.Zips;
import io.mirrorfs.testing.NginxServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mirror as the mount assembles it (HTTP source, shared block cache, archive layer) over a
 * real nginx: reading one member of a ~200 MB zip fetches about that member's bytes (for a
 * deflated member, its compressed bytes) plus the central directory, counted from nginx's access
 * log. {@link ArchiveOverFtpTest} is the same over vsftpd.
 */
class ArchiveOverHttpTest {

    @TempDir
    static Path tmp;
    static NginxServer nginx;
    static Zips zips;

    @BeforeAll
    static void serveBigZip() throws Exception {
        zips = ArchiveReadCost.writeZips(tmp.resolve("src"), tmp.resolve("www"));
        nginx = NginxServer.start(tmp.resolve("www"), NginxServer.Listing.EXACT);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    /**
     * The member's bytes and no more than a block of rounding at either end: the archive layer
     * passes the member's end with every read ({@code VfsFile.readWithin}), so neither the cache's
     * read-ahead nor the HTTP source's doubling request windows go past it, whatever
     * {@code --read-ahead} is. Measured with the defaults (1 MiB blocks, 4 blocks of read-ahead):
     * 4 MiB member, 5.0 MiB sent, the same with read-ahead 0 and 16 (before the hint: 15.2 MiB,
     * and 7.2 MiB with read-ahead off). That is the 5 blocks holding the member, which starts and
     * ends inside a block: the archive layer advises that a member this large is read
     * sequentially from its local header on, so the header's read fetches its whole block too
     * (without that advice, 192 KiB more of 64 KiB fetches made before the reader looked
     * sequential).
     */
    @ParameterizedTest(name = "read-ahead {0} blocks")
    @ValueSource(ints = {4, 0, 16})
    void oneMemberOfABigZipCostsAboutItsBytes(int readAheadBlocks) throws Exception {
        CacheConfig config = CacheConfig.builder().readAheadBlocks(readAheadBlocks).build();
        assertAboutTheMember(ArchiveReadCost.storedMember(zips, nginx.url(), config, nginx::bytesSent), config);
    }

    /**
     * A deflated member costs about its compressed bytes: its stream reads exactly those and
     * passes their end as the reader's end. Measured: 2.28 MiB compressed (4 MiB inflated),
     * 3.19 MiB sent.
     */
    @Test
    void oneDeflatedMemberCostsAboutItsCompressedBytes() throws Exception {
        CacheConfig config = CacheConfig.DEFAULTS;
        assertAboutTheMember(ArchiveReadCost.deflatedMember(zips, nginx.url(), config, nginx::bytesSent), config);
    }

    /** Checks {@code memberBytes <= sent <=} {@link ArchiveReadCost#bound}: HTTP requests end where asked. */
    private static void assertAboutTheMember(MemberCost cost, CacheConfig config) throws Exception {
        ArchiveReadCost.assertAboutTheMember(cost, config, 0, nginx.accessLogLines());
    }
}
