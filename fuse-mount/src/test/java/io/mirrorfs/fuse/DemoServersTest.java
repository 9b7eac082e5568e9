package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo's loopback servers speak enough real HTTP and FTP for the sources to mount them. */
class DemoServersTest {

    private static Path tree;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void makeTree() throws Exception {
        tree = DemoTree.create();
    }

    @AfterAll
    static void deleteTree() throws Exception {
        DemoTree.delete(tree);
    }

    private static HttpResponse<byte[]> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void httpServesIndexesRangesAndValidators() throws Exception {
        try (DemoHttpServer s = DemoHttpServer.start(tree)) {
            String index = new String(get(s.url() + "docs/").body());
            assertTrue(index.contains("<a href=\"name%20with%20spaces.txt\">name with spaces.txt</a>"), index);
            assertTrue(index.contains("<a href=\"nested/\">nested/</a>"), index);
            byte[] all = Files.readAllBytes(tree.resolve("data/random-1MiB.bin"));
            HttpResponse<byte[]> part = get(s.url() + "data/random-1MiB.bin", "Range", "bytes=1000-1999");
            assertEquals(206, part.statusCode());
            assertArrayEquals(Arrays.copyOfRange(all, 1000, 2000), part.body());
            String etag = part.headers().firstValue("ETag").orElseThrow();
            assertEquals(206, get(s.url() + "data/random-1MiB.bin", "Range", "bytes=0-0", "If-Range", etag).statusCode());
            assertEquals(200, get(s.url() + "data/random-1MiB.bin", "Range", "bytes=0-0", "If-Range", "\"other\"").statusCode());
            assertEquals(404, get(s.url() + "nope").statusCode());
            assertEquals(404, get(s.url() + "docs/%2e%2e/%2e%2e/etc/passwd").statusCode());
            assertEquals(301, get(s.url() + "docs").statusCode());
        }
    }

    @Test
    void ftpServesAnonymousListingsAndRetr() throws Exception {
        try (DemoFtpServer s = DemoFtpServer.start(tree)) {
            URI u = URI.create(s.url());
            FTPClient c = new FTPClient();
            c.connect(u.getHost(), u.getPort());
            try {
                assertTrue(c.login("anonymous", "demo@"));
                c.enterLocalPassiveMode();
                c.setFileType(FTP.BINARY_FILE_TYPE);
                List<String> names = Arrays.stream(c.listFiles("/docs")).map(FTPFile::getName).sorted().toList();
                assertTrue(names.contains("name with spaces.txt"), names.toString());
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                assertTrue(c.retrieveFile("/docs/guide.md", out));
                assertArrayEquals(Files.readAllBytes(tree.resolve("docs/guide.md")), out.toByteArray());
                assertTrue(!c.storeFile("/upload.txt", new java.io.ByteArrayInputStream(new byte[1])), "read-only");
            } finally {
                c.disconnect();
            }
        }
    }
}
