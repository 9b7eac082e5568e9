package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.PyftpdlibServer;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logins and a per-client connection limit against pyftpdlib (an MLSD server). */
class PyftpdlibLoginAndLimitTest {

    private Path root;
    private PyftpdlibServer server;

    @BeforeEach
    void createTree() throws IOException {
        root = Files.createTempDirectory("mirrorfs-ftp-login-");
        for (int i = 0; i < 8; i++) {
            Files.write(root.resolve("f" + i + ".bin"), GeneratedTree.contentFor("f" + i, 2 * 1024 * 1024 + i));
        }
    }

    @AfterEach
    void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            GeneratedTree.deleteRecursively(root);
        }
    }

    private String hostPort() {
        return server.url().substring("ftp://".length());
    }

    @Test
    void passwordFromTheUrl() throws IOException {
        server = PyftpdlibServer.start(root, 0);
        String pw = URLEncoder.encode(PyftpdlibServer.PASSWORD, StandardCharsets.UTF_8).replace("+", "%20");
        try (Vfs v = Sources.open("ftp://" + PyftpdlibServer.USER + ":" + pw + "@" + hostPort(), SourceOptions.DEFAULTS)) {
            assertEquals(8, v.list(VfsPath.ROOT).size());
            assertFalse(v.describe().contains("p@ss"));
        }
    }

    @Test
    void passwordFromTheCredentialsFile(@TempDir Path tmp) throws IOException {
        server = PyftpdlibServer.start(root, 0);
        Path creds = tmp.resolve("credentials");
        Files.writeString(creds, server.url() + " " + PyftpdlibServer.USER + " " + PyftpdlibServer.PASSWORD + "\n");
        SourceOptions o = SourceOptions.builder().credentialsFile(creds).build();
        try (Vfs v = Sources.open(server.url(), o); VfsFile f = v.open(VfsPath.parse("/f1.bin"))) {
            assertEquals(100, f.read(0, ByteBuffer.allocate(100)));
        }
    }

    @Test
    void aRefusedLoginIsAccessDeniedWithoutThePassword() throws IOException {
        server = PyftpdlibServer.start(root, 0);
        try (Vfs v = Sources.open("ftp://" + PyftpdlibServer.USER + ":wrong-secret@" + hostPort(), SourceOptions.DEFAULTS)) {
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> v.list(VfsPath.ROOT));
            assertFalse(e.getMessage().contains("wrong-secret"), e.getMessage());
            assertTrue(e.getMessage().contains(PyftpdlibServer.USER), e.getMessage());
        }
    }

    @Test
    void eightReadersOverTwoConnectionsWhenThePoolAllowsEight() throws Exception {
        server = PyftpdlibServer.start(root, 2);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Vfs v = Sources.open(server.url() + "?connections=8", SourceOptions.DEFAULTS)) {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String name = "/f" + i + ".bin";
                results.add(pool.submit(() -> readAll(v, name)));
            }
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(Files.readAllBytes(root.resolve("f" + i + ".bin")), results.get(i).get(), "f" + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] readAll(Vfs v, String name) throws IOException {
        try (VfsFile f = v.open(VfsPath.parse(name))) {
            byte[] out = new byte[Math.toIntExact(f.attrs().size())];
            int off = 0;
            while (off < out.length) {
                int n = f.read(off, ByteBuffer.wrap(out, off, Math.min(256 * 1024, out.length - off)).slice());
                if (n < 0) {
                    break;
                }
                off += n;
            }
            return out;
        }
    }
}
