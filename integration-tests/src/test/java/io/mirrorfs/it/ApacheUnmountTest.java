package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fusermount -u} of a mount that Apache serves, while idle: mirrorfs exits 0, Apache keeps
 * running and answers for the now empty, then missing, directory as for any other.
 */
class ApacheUnmountTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unmountWhileServedEndsMirrorfsAndApacheCarriesOn(@TempDir Path tmp) throws Exception {
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<p>front page</p>\n");
        Path mountPoint = Files.createDirectories(www.resolve("mirror"));
        Files.setPosixFilePermissions(mountPoint, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ServedMirror served = ServedMirror.start(tmp, mountPoint, false);
             ApacheFrontend apache = ApacheFrontend.start(www, mountPoint)) {
            String base = apache.url() + "mirror/";
            assertEquals("hello from nginx\n", get(base + "http/hello.txt").body());
            assertEquals("hello from vsftpd\n", get(base + "ftp/hello.txt").body());
            assertTrue(get(base).body().contains("href=\"http/\""));

            assertEquals(0, served.mirror().unmount(Duration.ofSeconds(30)), "mirrorfs exit status; log:\n" + served.mirror().log());
            assertFalse(served.mirror().isMounted());

            assertEquals(404, get(base + "http/hello.txt").statusCode());
            HttpResponse<String> empty = get(base);
            assertEquals(200, empty.statusCode(), "the mount point is an empty directory again");
            assertFalse(empty.body().contains("href=\"http/\""), empty.body());
            Files.delete(mountPoint);
            assertEquals(404, get(base).statusCode());
            assertEquals(404, get(base + "http/hello.txt").statusCode());
            HttpResponse<String> front = get(apache.url());
            assertEquals(200, front.statusCode());
            assertTrue(front.body().contains("front page"));
            assertFalse(apache.errorLogText().contains("exit signal"), apache.errorLogText());
        }
    }
}
