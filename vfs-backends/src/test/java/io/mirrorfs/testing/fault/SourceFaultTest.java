package io.mirrorfs.testing.fault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.VsftpdServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP and FTP sources against real servers (nginx, vsftpd) behind a {@link FaultProxy}:
 * stalls and trickles end in an error after the read timeout instead of a hang, resets mid-read
 * are resumed, and a refused server is used again once it listens. Timings are not asserted
 * (the machine is shared); the preemptive bounds only catch hangs.
 */
class SourceFaultTest {

    private static final int SIZE = 6 << 20;
    private static final Duration HANG = Duration.ofSeconds(40);
    private static final SourceOptions FAST = SourceOptions.builder()
            .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofMillis(700)).retries(1).maxConnections(4).build();

    private static Path root;
    private static byte[] content;
    private static NginxServer nginx;
    private static VsftpdServer vsftpd;

    @BeforeAll
    static void servers() throws IOException {
        root = Files.createTempDirectory("mirrorfs-fault-");
        // World-readable: nginx workers and vsftpd's anonymous user run as other users.
        root.toFile().setReadable(true, false);
        root.toFile().setExecutable(true, false);
        content = GeneratedTree.contentFor("big.bin", SIZE);
        Files.write(root.resolve("big.bin"), content);
        Files.writeString(root.resolve("small.txt"), "hello\n");
        nginx = NginxServer.start(root, NginxServer.Listing.EXACT);
        vsftpd = VsftpdServer.start(root);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (vsftpd != null) {
            vsftpd.close();
        }
        GeneratedTree.deleteRecursively(root);
    }

    private static FaultProxy proxy(String scheme) throws IOException {
        return scheme.equals("ftp") ? FaultProxy.ftp(vsftpd.port()) : FaultProxy.tcp(nginx.port());
    }

    // ------------------------------------------------------------------ stalls and trickles

    @Test
    void httpBodyStalledMidReadFailsInsteadOfHanging() throws Exception {
        stalledMidRead("http");
    }

    @Test
    void ftpDataStalledMidReadFailsInsteadOfHanging() throws Exception {
        stalledMidRead("ftp");
    }

    private void stalledMidRead(String scheme) throws Exception {
        try (FaultProxy p = proxy(scheme); Vfs v = Sources.open(p.url(scheme, "/"), FAST);
                VfsFile f = v.open(VfsPath.parse("/big.bin"))) {
            p.stallAfter(256 << 10);
            IOException e = assertTimeoutPreemptively(HANG, () -> assertThrows(IOException.class, () -> readAll(f)));
            assertTrue(String.valueOf(e.getMessage()).contains("big.bin"), "the error names the file: " + e);
            p.heal();
            try (VfsFile again = v.open(VfsPath.parse("/big.bin"))) {
                assertArrayEquals(content, readAll(again), "the source works again after the stall ends");
            }
        }
    }

    @Test
    void httpTrickleOfOneBytePerSecondFailsTheRequest() throws Exception {
        trickle("http");
    }

    @Test
    void ftpTrickleOfOneBytePerSecondFailsTheRequest() throws Exception {
        trickle("ftp");
    }

    /**
     * A trickle defeats a plain idle timeout (a byte arrives before it expires); what bounds the
     * wait is the per-request deadline, so this checks that something does.
     */
    private void trickle(String scheme) throws Exception {
        // One byte a second never lets a 2 s socket timeout fire.
        SourceOptions options = FAST.toBuilder().readTimeout(Duration.ofSeconds(2)).build();
        try (FaultProxy p = proxy(scheme); Vfs v = Sources.open(p.url(scheme, "/"), options)) {
            v.list(VfsPath.ROOT);
            p.throttle(1);
            assertTimeoutPreemptively(Duration.ofSeconds(90), () -> assertThrows(IOException.class, () -> {
                try (VfsFile f = v.open(VfsPath.parse("/big.bin"))) {
                    readAll(f);
                }
            }));
        }
    }

    @Test
    void httpBlackholeFailsListingAfterTheTimeout() throws Exception {
        try (FaultProxy p = proxy("http"); Vfs v = Sources.open(p.url("http", "/"), FAST)) {
            p.blackhole();
            assertTimeoutPreemptively(HANG, () -> assertThrows(IOException.class, () -> v.list(VfsPath.ROOT)));
            p.heal();
            assertTrue(v.list(VfsPath.ROOT).stream().anyMatch(e -> e.name().equals("big.bin")));
        }
    }

    @Test
    void ftpBlackholeFailsListingAfterTheTimeout() throws Exception {
        try (FaultProxy p = proxy("ftp"); Vfs v = Sources.open(p.url("ftp", "/"), FAST)) {
            p.blackhole();
            assertTimeoutPreemptively(HANG, () -> assertThrows(IOException.class, () -> v.list(VfsPath.ROOT)));
            p.heal();
            assertTrue(v.list(VfsPath.ROOT).stream().anyMatch(e -> e.name().equals("big.bin")));
        }
    }

    // ------------------------------------------------------------------ resets and truncation

    @Test
    void httpResetMidReadIsResumed() throws Exception {
        resetMidRead("http");
    }

    @Test
    void ftpResetMidReadIsResumed() throws Exception {
        resetMidRead("ftp");
    }

    private void resetMidRead(String scheme) throws Exception {
        SourceOptions patient = FAST.toBuilder().readTimeout(Duration.ofSeconds(5)).retries(3).build();
        try (FaultProxy p = proxy(scheme); Vfs v = Sources.open(p.url(scheme, "/"), patient);
                VfsFile f = v.open(VfsPath.parse("/big.bin"))) {
            p.throttle(4 << 20); // about 1.5 s for the file: time to reset in the middle
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return readAll(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(600);
            long before = p.accepted();
            p.resetAll();
            Thread.sleep(100);
            p.heal();
            assertArrayEquals(content, read.get(HANG.toSeconds(), TimeUnit.SECONDS), "bytes after the resumed transfer");
            assertTrue(p.accepted() > before, "a new connection resumed the read");
        }
    }

    @Test
    void ftpServerResettingEveryConnectionStillDeliversEveryByte() throws Exception {
        // Every connection (control and data) is reset after 1 MiB: each transfer makes progress,
        // so the read completes however many resets it takes, with the default --retries.
        try (FaultProxy p = proxy("ftp"); Vfs v = Sources.open(p.url("ftp", "/"), FAST);
                VfsFile f = v.open(VfsPath.parse("/big.bin"))) {
            p.resetAfter(1 << 20);
            assertArrayEquals(content, assertTimeoutPreemptively(HANG, () -> readAll(f)));
            assertTrue(p.accepted() > 3, "it took several connections");
        }
    }

    @Test
    void httpTruncatedBodyIsResumedOrFailsCleanly() throws Exception {
        try (FaultProxy p = proxy("http"); Vfs v = Sources.open(p.url("http", "/"), FAST);
                VfsFile f = v.open(VfsPath.parse("/big.bin"))) {
            p.truncateAfter(100_000);
            // Every connection ends after 100 kB: each retry gets a little further, then the read gives up.
            IOException e = assertTimeoutPreemptively(HANG, () -> assertThrows(IOException.class, () -> readAll(f)));
            assertTrue(String.valueOf(e.getMessage()).contains("big.bin"), e.toString());
        }
    }

    // ------------------------------------------------------------------ refused, then back

    @Test
    void httpRefusedServerIsUsedAgainWhenItListens() throws Exception {
        refusedThenBack("http");
    }

    @Test
    void ftpRefusedServerIsUsedAgainWhenItListens() throws Exception {
        refusedThenBack("ftp");
    }

    private void refusedThenBack(String scheme) throws Exception {
        try (FaultProxy p = proxy(scheme)) {
            p.refuse();
            try (Vfs v = Sources.open(p.url(scheme, "/"), FAST)) { // no I/O at creation: a dead server still mounts
                assertTimeoutPreemptively(HANG, () -> assertThrows(IOException.class, () -> v.list(VfsPath.ROOT)));
                assertThrows(IOException.class, () -> v.stat(VfsPath.parse("/small.txt")));
                p.heal();
                assertEquals("hello\n", new String(readAll(v.open(VfsPath.parse("/small.txt")))));
            }
        }
    }

    @Test
    void unknownHostFailsRequestsNotCreation() throws Exception {
        for (String url : new String[] {"http://no-such-host.invalid/", "ftp://no-such-host.invalid/"}) {
            try (Vfs v = Sources.open(url, FAST)) {
                IOException e = assertThrows(IOException.class, () -> v.list(VfsPath.ROOT));
                assertTrue(e.toString().contains("no-such-host.invalid"), "names the host: " + e);
            }
        }
    }

    static byte[] readAll(VfsFile f) throws IOException {
        long size = f.attrs().size();
        byte[] out = new byte[(int) size];
        ByteBuffer bb = ByteBuffer.wrap(out);
        while (bb.hasRemaining()) {
            int n = f.read(bb.position(), bb.slice().limit(Math.min(bb.remaining(), 1 << 20)));
            if (n < 0) {
                break;
            }
            bb.position(bb.position() + n);
        }
        return bb.hasRemaining() ? Arrays.copyOf(out, bb.position()) : out;
    }
}
