package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.testing.Cleanup;
import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.VsftpdServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FtpFile#readWithin}: a transfer that reaches its reader's end (an archive member's end)
 * is stopped rather than parked, so the server stops sending and the connection returns to the
 * pool; plain reads keep parking for the next sequential read. Against real vsftpd.
 */
class FtpReaderEndTest {

    private static final int MIB = 1 << 20;
    private static final byte[] DATA = GeneratedTree.contentFor("member", 8 * MIB);

    private Path root;
    private VsftpdServer server;
    private FtpSource source;

    @BeforeEach
    void start() throws IOException {
        root = Files.createTempDirectory("mirrorfs-ftp-reader-end-");
        root.toFile().setReadable(true, false);
        root.toFile().setExecutable(true, false);
        Files.write(root.resolve("archive.bin"), DATA);
        root.resolve("archive.bin").toFile().setReadable(true, false);
        server = VsftpdServer.start(root);
        source = (FtpSource) new FtpSourceFactory().create(URI.create(server.url()), SourceOptions.DEFAULTS);
    }

    @AfterEach
    void stop() throws Exception {
        Cleanup.closeAll(source, server, () -> GeneratedTree.deleteRecursively(root));
    }

    @Test
    void aTransferThatReachedItsReadersEndIsStoppedNotParked() throws IOException {
        try (VfsFile f = source.open(VfsPath.parse("/archive.bin"))) {
            long memberStart = 3L * MIB;
            long memberEnd = memberStart + 2 * MIB;
            ByteBuffer first = ByteBuffer.allocate(MIB);
            f.readWithin(memberStart, first, memberEnd);
            assertEquals(1, source.pool().parkedTransfers(), "mid-member: the transfer waits for the next block");
            ByteBuffer second = ByteBuffer.allocate(MIB);
            f.readWithin(memberStart + MIB, second, memberEnd);
            assertEquals(0, source.pool().parkedTransfers(), "at the member's end: stopped, connection back in the pool");
            assertArrayEquals(Arrays.copyOfRange(DATA, (int) memberStart, (int) memberStart + MIB), first.array());
            assertArrayEquals(Arrays.copyOfRange(DATA, (int) memberStart + MIB, (int) memberEnd), second.array());

            ByteBuffer plain = ByteBuffer.allocate(MIB);
            f.read(0, plain);
            assertEquals(1, source.pool().parkedTransfers(), "without a reader's end, a sequential reader's transfer stays parked");
            assertArrayEquals(Arrays.copyOfRange(DATA, 0, MIB), plain.array());
            ByteBuffer after = ByteBuffer.allocate(MIB);
            f.readWithin(memberEnd, after, memberEnd + MIB); // another member, after the stopped one: a new transfer
            assertArrayEquals(Arrays.copyOfRange(DATA, (int) memberEnd, (int) memberEnd + MIB), after.array());
        }
    }
}
