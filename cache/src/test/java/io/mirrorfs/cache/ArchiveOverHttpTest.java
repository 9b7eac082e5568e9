package io.mirrorfs.cache;

import static io.mirrorfs.cache.ArchiveReadCost.DEFLATED_MEMBERS;
import static io.mirrorfs.cache.ArchiveReadCost.DEFLATED_ZIP;
import static io.mirrorfs.cache.ArchiveReadCost.MEMBERS;
import static io.mirrorfs.cache.ArchiveReadCost.MEMBER_SIZE;
import static io.mirrorfs.cache.ArchiveReadCost.OPENING_SLACK;
import static io.mirrorfs.cache.ArchiveReadCost.STORED_ZIP;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.cache.ArchiveReadCost.Cost;
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
     * 4 MiB member, 5.2 MiB sent, the same with read-ahead 0 and 16 (before the hint: 15.2 MiB,
     * and 7.2 MiB with read-ahead off). That is the 5 blocks holding the member, which starts and
     * ends inside a block, plus 192 KiB of 64 KiB fetches made before the reader looks sequential
     * (the local header, the first 128 KiB read).
     */
    @ParameterizedTest(name = "read-ahead {0} blocks")
    @ValueSource(ints = {4, 0, 16})
    void oneMemberOfABigZipCostsAboutItsBytes(int readAheadBlocks) throws Exception {
        assertTrue(zips.storedZipSize() > 200_000_000L, "zip of " + zips.storedZipSize() + " bytes");
        CacheConfig config = CacheConfig.builder().readAheadBlocks(readAheadBlocks).build();
        int which = 37;
        Cost cost = ArchiveReadCost.openAndRead(nginx.url(), config, STORED_ZIP, MEMBERS,
                ArchiveReadCost.storedName(which), ArchiveReadCost.member(which), nginx::bytesSent);
        assertTrue(cost.opening() < OPENING_SLACK,
                "opening the zip fetched " + cost.opening() + " bytes of " + zips.storedZipSize());
        assertAboutTheMember(cost.member(), MEMBER_SIZE, config);
    }

    /**
     * A deflated member costs about its compressed bytes: its stream reads exactly those and
     * passes their end as the reader's end. Measured: 2.28 MiB compressed (4 MiB inflated),
     * 3.19 MiB sent.
     */
    @Test
    void oneDeflatedMemberCostsAboutItsCompressedBytes() throws Exception {
        CacheConfig config = CacheConfig.DEFAULTS;
        int which = 5;
        String name = ArchiveReadCost.deflatedName(which);
        long compressed = zips.deflatedSizes().get(name);
        assertTrue(compressed < MEMBER_SIZE * 3L / 4, "member compressed to " + compressed + " bytes");
        Cost cost = ArchiveReadCost.openAndRead(nginx.url(), config, DEFLATED_ZIP, DEFLATED_MEMBERS, name,
                ArchiveReadCost.compressible(which), nginx::bytesSent);
        assertAboutTheMember(cost.member(), compressed, config);
    }

    /** Checks {@code memberBytes <= sent <=} {@link ArchiveReadCost#bound}: HTTP requests end where asked. */
    private static void assertAboutTheMember(long sent, long memberBytes, CacheConfig config) throws Exception {
        ArchiveReadCost.assertAboutTheMember(sent, memberBytes, ArchiveReadCost.bound(memberBytes, config, 0),
                nginx.accessLogLines());
    }
}
