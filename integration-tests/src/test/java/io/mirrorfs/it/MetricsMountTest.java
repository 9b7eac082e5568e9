package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.ServerProcess;
import io.mirrorfs.testing.VsftpdServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --metrics} on a live kernel mount of nginx and vsftpd: a walk and a read move the
 * request and byte counters by exactly what the servers logged, the scrape passes
 * {@code promtool check metrics}, the stats file shows the same numbers, and {@code /healthz}
 * turns 503 while a source's server is stopped and 200 once it is back.
 */
class MetricsMountTest {

    private static final int FILE_BYTES = 6 << 20;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void countersMatchServerLogsAndHealthFollowsTheSources(@TempDir Path tmp) throws Exception {
        Path tree = tmp.resolve("tree");
        for (int d = 0; d < 4; d++) {
            Files.createDirectories(tree.resolve("dir" + d));
            for (int f = 0; f < 8; f++) {
                Files.write(tree.resolve("dir" + d + "/file" + f + ".txt"), GeneratedTree.contentFor("f" + d + f, 1000 + 97 * f));
            }
        }
        Files.write(tree.resolve("big.bin"), GeneratedTree.contentFor("big", FILE_BYTES));
        Files.write(tree.resolve("second.bin"), GeneratedTree.contentFor("second", 300_000));
        Shell.ok(tmp, "chmod -R a+rX " + tmp);
        int port = freePort();
        try (NginxServer nginx = NginxServer.start(tree, NginxServer.Listing.EXACT);
                VsftpdServer vsftpd = VsftpdServer.start(tree);
                MountedMirror m = MountedMirror.start("--source", "/web=" + nginx.url(), "--source", "/ftp=" + vsftpd.url(),
                        // Without stale-if-error a stopped server is unhealthy at once; with it, /healthz stays
                        // 200 while the source serves what it has cached (PersistedMetadataTest covers that).
                        "--metrics", String.valueOf(port), "--stale-if-error", "0")) {
            String web = "source=\"/web=" + nginx.url() + "\"";
            String ftp = "source=\"/ftp=" + vsftpd.url() + "\"";
            assertEquals(200, get(port, "/healthz").statusCode());
            nginx.resetCounters();
            vsftpd.resetCounters();
            Scrape before = scrape(port);

            Shell.ok(m.root(), "find web ftp -type f | sort | xargs stat -c '%s %n' > /dev/null");
            assertEquals(Shell.ok(tree, "sha256sum big.bin"), Shell.ok(m.root().resolve("web"), "sha256sum big.bin"));
            assertEquals(Shell.ok(tree, "sha256sum big.bin"), Shell.ok(m.root().resolve("ftp"), "sha256sum big.bin"));

            // The servers log a request when it ends; directory read-ahead may still be finishing.
            Scrape after = settled(port, () -> nginx.requestCount() == scrape(port).delta(before, "mirrorfs_source_requests_total", web));
            long httpRequests = nginx.requestCount();
            assertTrue(httpRequests >= 6, "the walk listed 5 directories and read a file: " + nginx.accessLogLines());
            assertEquals(httpRequests, after.delta(before, "mirrorfs_source_requests_total", web), String.join("\n", nginx.accessLogLines()));
            // Upstream bytes are file data: the bodies of the range GETs (206) nginx logged, not the listings'.
            long rangeBytes = nginx.accessLogLines().stream().filter(l -> l.contains("\" 206 "))
                    .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertEquals(rangeBytes, after.delta(before, "mirrorfs_source_upstream_bytes_total", web));
            assertEquals(FILE_BYTES, after.delta(before, "mirrorfs_source_upstream_bytes_total", web));
            assertTrue(vsftpd.retrCount() >= 1, "big.bin was downloaded");
            assertTrue(after.delta(before, "mirrorfs_source_requests_total", ftp, "kind=\"ftp_list\"") >= 5, "5 directories were listed");
            assertEquals(vsftpd.retrCount(), after.delta(before, "mirrorfs_source_requests_total", ftp, "kind=\"ftp_retr\""));
            assertEquals(vsftpd.bytesSent(), after.delta(before, "mirrorfs_source_upstream_bytes_total", ftp),
                    String.join("\n", vsftpd.downloadLogLines()));
            assertEquals(0, after.delta(before, "mirrorfs_source_errors_total", web));
            assertTrue(after.value("mirrorfs_source_open_connections", ftp) >= 1, "the FTP pool keeps its connections");
            assertTrue(after.delta(before, "mirrorfs_fuse_operations_total", "op=\"read\"") >= 2 * FILE_BYTES / (128 << 10));
            assertTrue(after.value("mirrorfs_cache_hits_total") > 0);
            assertTrue(after.text.contains("jvm_memory_used_bytes"), "JVM metrics are there");

            // The stats file is rendered from the same counters.
            String stats = Files.readString(m.root().resolve(".mirrorfs/stats"));
            Scrape now = scrape(port);
            assertEquals((long) now.value("mirrorfs_source_upstream_bytes_total", web), statsValue(stats, "source /web=" + nginx.url() + " bytes_fetched"));
            assertEquals((long) now.value("mirrorfs_source_requests_total", web, "kind=\"http_range_get\""),
                    statsValue(stats, "source /web=" + nginx.url() + " upstream_http_range_get"));

            // A scraper asking for protobuf (Prometheus does for native histograms) gets it.
            HttpResponse<String> proto = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .header("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(200, proto.statusCode());
            assertTrue(proto.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.google.protobuf"),
                    proto.headers().toString());

            Path check = tmp.resolve("scrape.txt");
            Files.writeString(check, now.text);
            Shell.Result promtool = Shell.bash(tmp, "promtool check metrics < " + check);
            assertEquals(0, promtool.exitCode(), promtool.stdout() + promtool.stderr());

            healthFollows(port, nginx, m.root().resolve("web/second.bin"), web);
            healthFollows(port, vsftpd, m.root().resolve("ftp/second.bin"), ftp);
        }
    }

    /** Stops {@code server}: a read through it fails and /healthz says 503 naming the source; started again, 200 after a read. */
    private void healthFollows(int port, ServerProcess server, Path unread, String source) throws Exception {
        server.stop();
        try {
            Shell.Result r = Shell.bash(unread.getParent(), "cat '" + unread.getFileName() + "' > /dev/null");
            assertTrue(r.exitCode() != 0, "the read fails while the server is down");
            HttpResponse<String> down = get(port, "/healthz");
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains(source.substring("source=\"".length(), source.length() - 1)) && down.body().contains("offline"),
                    down.body());
            assertEquals(1, scrape(port).value("mirrorfs_source_state", source, "state=\"offline\""));
            assertEquals(1, down.body().strip().lines().count(), "one line: " + down.body());
        } finally {
            server.start();
        }
        assertEquals(String.valueOf(Files.size(unread)), Shell.ok(unread.getParent(), "cat '" + unread.getFileName() + "' | wc -c").strip());
        HttpResponse<String> up = get(port, "/healthz");
        assertEquals(200, up.statusCode(), up.body());
        assertEquals(1, scrape(port).value("mirrorfs_source_state", source, "state=\"online\""));
    }

    /** Waits up to 5 s for {@code done}, then returns a scrape. */
    private Scrape settled(int port, Condition done) throws Exception {
        for (int i = 0; i < 50 && !done.holds(); i++) {
            Thread.sleep(100);
        }
        return scrape(port);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private Scrape scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = get(port, "/metrics");
        assertEquals(200, r.statusCode());
        return new Scrape(r.body());
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static long statsValue(String stats, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " +(\\d+)$").matcher(stats);
        assertTrue(m.find(), name + " in\n" + stats);
        return Long.parseLong(m.group(1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One scrape in the Prometheus text format. */
    private record Scrape(String text) {
        /** Returns the sum of the samples of {@code name} whose labels contain every fragment ({@code kind="..."}). */
        double value(String name, String... fragments) {
            double sum = 0;
            for (String line : text.split("\n")) {
                if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                    continue;
                }
                String labels = line.substring(name.length(), line.lastIndexOf(' '));
                boolean all = true;
                for (String f : fragments) {
                    all &= labels.contains(f);
                }
                if (all) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }

        /** Returns how much the matching samples grew since {@code before}. */
        long delta(Scrape before, String name, String... fragments) {
            return Math.round(value(name, fragments) - before.value(name, fragments));
        }
    }
}
