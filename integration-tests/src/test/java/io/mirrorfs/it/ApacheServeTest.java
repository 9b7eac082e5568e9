package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Apache httpd (workers as www-data) serving a mirrorfs mount whose sources are an nginx
 * and a vsftpd server: index pages, full and ranged GETs, conditional requests, HEAD, a 1 GiB
 * download and 16 parallel clients, all checked against the upstream files.
 */
class ApacheServeTest {

    private static ServedMirror served;
    private static ApacheFrontend apache;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start(@TempDir Path tmp) throws IOException, InterruptedException {
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<p>front page</p>\n");
        Path mountPoint = Files.createDirectories(www.resolve("mirror"));
        Files.setPosixFilePermissions(mountPoint, PosixFilePermissions.fromString("rwxr-xr-x"));
        served = ServedMirror.start(tmp, mountPoint, true);
        apache = ApacheFrontend.start(www, mountPoint);
    }

    @AfterAll
    static void stop() throws InterruptedException, IOException {
        if (apache != null) {
            System.out.println("apache error log:\n" + tail(apache.errorLogText()));
            apache.close();
        }
        if (served != null && served.mirror() != null) {
            System.out.println("mirrorfs log:\n" + tail(served.mirror().log()));
        }
        if (served != null) {
            served.close();
        }
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static String url(String mirrorPath) {
        return apache.url() + "mirror/" + mirrorPath;
    }

    private static HttpResponse<byte[]> send(String method, String mirrorPath, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(mirrorPath))).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header in " + r.headers().map()));
    }

    private static byte[] upstream(String mirrorPath) throws IOException {
        return Files.readAllBytes(served.tree().resolve(mirrorPath));
    }

    @Test
    void indexPagesListTheMirror() throws Exception {
        HttpResponse<byte[]> top = send("GET", "");
        assertEquals(200, top.statusCode());
        String html = new String(top.body(), StandardCharsets.UTF_8);
        for (String dir : List.of("http/", "ftp/", "local/")) {
            assertTrue(html.contains("href=\"" + dir + "\""), html);
        }
        String data = new String(send("GET", "http/data/").body(), StandardCharsets.UTF_8);
        for (String f : ServedMirror.HTTP_FILES.stream().filter(f -> f.startsWith("data/")).toList()) {
            assertTrue(data.contains("href=\"" + f.substring(5) + "\""), data);
        }
        String pub = new String(send("GET", "ftp/pub/").body(), StandardCharsets.UTF_8);
        assertTrue(pub.contains("href=\"file-20m.bin\"") && pub.contains("href=\"tool.sh\""), pub);
        HttpResponse<byte[]> noSlash = send("GET", "ftp/pub");
        assertEquals(301, noSlash.statusCode(), "mod_dir redirects a directory without its slash");
        assertTrue(header(noSlash, "Location").endsWith("/mirror/ftp/pub/"));
        assertEquals(404, send("GET", "http/no-such-file").statusCode());
    }

    @Test
    void fullGetsMatchTheUpstreamFiles() throws Exception {
        for (String f : ServedMirror.allFiles()) {
            HttpResponse<byte[]> r = send("GET", f);
            assertEquals(200, r.statusCode(), f);
            byte[] expected = upstream(f);
            assertEquals(Long.toString(expected.length), header(r, "Content-Length"), f);
            assertArrayEquals(expected, r.body(), f);
        }
    }

    @Test
    void singleRangesAnswer206WithTheRightBytes() throws Exception {
        String f = "http/data/file-3m.bin";
        byte[] all = upstream(f);
        HttpResponse<byte[]> r = send("GET", f, "Range", "bytes=1000000-1999999");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 1000000-1999999/" + all.length, header(r, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(all, 1_000_000, 2_000_000), r.body());
        HttpResponse<byte[]> suffix = send("GET", "ftp/pub/file-2m.bin", "Range", "bytes=-777");
        byte[] ftp = upstream("ftp/pub/file-2m.bin");
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(Arrays.copyOfRange(ftp, ftp.length - 777, ftp.length), suffix.body());
        HttpResponse<byte[]> open = send("GET", "ftp/pub/file-2m.bin", "Range", "bytes=2097000-");
        assertArrayEquals(Arrays.copyOfRange(ftp, 2_097_000, ftp.length), open.body());
        assertEquals(416, send("GET", f, "Range", "bytes=" + all.length + "-").statusCode());
    }

    @Test
    void multiRangesAnswerMultipartByteranges() throws Exception {
        for (String f : List.of("http/data/file-7m.bin", "ftp/pub/file-20m.bin")) {
            byte[] all = upstream(f);
            long[][] ranges = {{0, 99}, {4_000_000, 4_000_999}, {all.length - 10, all.length - 1}};
            HttpResponse<byte[]> r = send("GET", f, "Range", "bytes=0-99,4000000-4000999," + (all.length - 10) + "-");
            assertEquals(206, r.statusCode(), f);
            String type = header(r, "Content-Type");
            assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
            List<byte[]> parts = multipartBodies(r.body(), type.substring(type.indexOf('=') + 1), all.length, ranges);
            assertEquals(ranges.length, parts.size());
            for (int i = 0; i < ranges.length; i++) {
                assertArrayEquals(Arrays.copyOfRange(all, (int) ranges[i][0], (int) ranges[i][1] + 1), parts.get(i), f + " part " + i);
            }
        }
    }

    /** Splits a multipart/byteranges body (RFC 9110 section 14.6), checking each part's Content-Range. */
    private static List<byte[]> multipartBodies(byte[] body, String boundary, long total, long[][] ranges) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        List<byte[]> parts = new ArrayList<>();
        Pattern head = Pattern.compile("--" + Pattern.quote(boundary) + "\r\n((?:[^\r\n]+\r\n)+)\r\n", Pattern.CASE_INSENSITIVE);
        Matcher m = head.matcher(text);
        int i = 0;
        while (m.find()) {
            String headers = m.group(1);
            assertTrue(headers.toLowerCase(java.util.Locale.ROOT).contains("content-range: bytes " + ranges[i][0] + "-" + ranges[i][1] + "/" + total), headers);
            int start = m.end();
            int len = (int) (ranges[i][1] - ranges[i][0] + 1);
            parts.add(Arrays.copyOfRange(body, start, start + len));
            i++;
        }
        assertTrue(text.endsWith("--" + boundary + "--\r\n"), "closing delimiter");
        return parts;
    }

    @Test
    void revalidationAnswers304() throws Exception {
        for (String f : List.of("http/data/file-100k.bin", "ftp/pub/file-512k.bin")) {
            HttpResponse<byte[]> first = send("GET", f);
            String etag = header(first, "ETag");
            String lastModified = header(first, "Last-Modified");
            assertEquals(etag, header(send("GET", f), "ETag"), "the ETag is stable");
            HttpResponse<byte[]> byEtag = send("GET", f, "If-None-Match", etag);
            assertEquals(304, byEtag.statusCode(), f);
            assertEquals(0, byEtag.body().length);
            assertEquals(304, send("GET", f, "If-Modified-Since", lastModified).statusCode(), f);
            assertEquals(200, send("GET", f, "If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT").statusCode(), f);
            assertEquals(200, send("GET", f, "If-None-Match", "\"something-else\"").statusCode(), f);
        }
        // Apache's Last-Modified is the mount's mtime, which is the upstream one as precisely as
        // the listing gives it: nginx's index page shows minutes, vsftpd's LIST only the day for
        // files older than six months.
        Map<String, Duration> precision = Map.of("http/data/file-100k.bin", Duration.ofMinutes(1), "ftp/pub/file-512k.bin", Duration.ofDays(1));
        for (Map.Entry<String, Duration> e : precision.entrySet()) {
            String f = e.getKey();
            Instant lastModified = ZonedDateTime.parse(header(send("GET", f), "Last-Modified"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            assertEquals(Files.getLastModifiedTime(served.mountPoint().resolve(f)).toInstant().truncatedTo(ChronoUnit.SECONDS), lastModified, f);
            assertTrue(Duration.between(lastModified, ServedMirror.MTIME).abs().compareTo(e.getValue()) < 0, f + ": " + lastModified);
        }
    }

    @Test
    void headReportsLengthWithoutBody() throws Exception {
        for (String f : List.of("http/data/file-1m.bin", "ftp/pub/file-20m.bin", "http/hello.txt")) {
            HttpResponse<byte[]> r = send("HEAD", f);
            assertEquals(200, r.statusCode());
            assertEquals(Long.toString(Files.size(served.tree().resolve(f))), header(r, "Content-Length"));
            assertEquals(0, r.body().length);
            assertTrue(r.headers().firstValue("Last-Modified").isPresent());
        }
        assertEquals("text/plain", header(send("HEAD", "http/hello.txt"), "Content-Type").split(";")[0]);
    }

    @Test
    void oneGibDownloadMatchesItsSha256() throws Exception {
        Shell.Result r = Shell.bash(served.tree(), "set -o pipefail; curl -sS --fail -w '%{stderr}%{http_code} %{size_download}\\n' "
                + url("http/" + ServedMirror.GIB_FILE) + " | sha256sum");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("200 " + ServedMirror.GIB, r.stderr().strip());
        assertEquals(served.gibSha256() + "  -", r.stdout().strip());
    }

    @Test
    void sixteenParallelClientsGetCorrectFiles() throws Exception {
        List<String> files = ServedMirror.allFiles();
        StringBuilder script = new StringBuilder("set -e -o pipefail\n");
        for (int i = 0; i < 16; i++) {
            String f = files.get(i % files.size());
            script.append("(curl -sS --fail ").append(url(f)).append(" | sha256sum | cut -d' ' -f1 > out.").append(i).append(") &\n");
        }
        script.append("for j in $(jobs -p); do wait $j; done\n");
        Path dir = Files.createTempDirectory("apache-parallel-");
        try {
            Shell.ok(dir, script.toString());
            for (int i = 0; i < 16; i++) {
                String f = files.get(i % files.size());
                assertEquals(served.sha256(f), Files.readString(dir.resolve("out." + i)).strip(), f);
            }
        } finally {
            Shell.ok(Path.of("/"), "rm -rf " + dir);
        }
        assertFalse(apache.errorLogText().contains("Permission denied"), apache.errorLogText());
    }
}
