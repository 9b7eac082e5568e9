package io.mirrorfs.it;

import io.mirrorfs.testing.TestHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The shipped fleet recipe {@code packaging/src/fleet/nginx-slice-cache.conf}, run by a real nginx
 * on 127.0.0.1 in front of {@code upstream}: the file is used as shipped, with only its listen
 * port, upstream address, cache directory and cache lifetime replaced, so a test of this server
 * is a test of the recipe users install. The cache lives in the private directory and survives
 * {@link #stop()}, so a restarted tier still holds what it cached. Its access log counts the
 * nodes' requests (the upstream's log counts what reached the upstream).
 */
final class NginxSliceCache extends TestHttpServer {

    /** The shipped recipe, relative to the integration-tests module. */
    static final Path RECIPE = Path.of(System.getProperty("mirrorfs.fleet", "../packaging/src/fleet")).resolve("nginx-slice-cache.conf");

    private final String upstreamHostPort;
    private final Duration ttl;
    private final String slice;

    private NginxSliceCache(String upstreamHostPort, Duration ttl, String slice) throws IOException {
        super(Path.of("/nonexistent")); // serves nothing of its own
        this.upstreamHostPort = upstreamHostPort;
        this.ttl = ttl;
        this.slice = slice;
    }

    /** Starts the cache in front of {@code upstream} (an http URL), keeping files and listings {@code ttl}. */
    static NginxSliceCache start(TestHttpServer upstream, Duration ttl) throws IOException {
        return start(upstream, ttl, "1m");
    }

    /** Starts the cache with slices of {@code slice} (an nginx size such as {@code 32m}) instead of the recipe's 1m. */
    static NginxSliceCache start(TestHttpServer upstream, Duration ttl, String slice) throws IOException {
        NginxSliceCache c = new NginxSliceCache("127.0.0.1:" + upstream.port(), ttl, slice);
        try {
            c.start();
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        String recipe = Files.readString(RECIPE, StandardCharsets.UTF_8);
        String site = replace(recipe, "listen 8080;", "listen 127.0.0.1:" + port + ";");
        site = replace(site, "server upstream.example.org:80;", "server " + upstreamHostPort + ";");
        site = replace(site, "proxy_set_header Host upstream.example.org;", "proxy_set_header Host " + upstreamHostPort + ";");
        site = replace(site, "slice 1m;", "slice " + slice + ";");
        site = replace(site, "/var/cache/nginx/mirrorfs", work.resolve("cache").toString());
        site = replace(site, "proxy_cache_valid 200 206 10m;", "proxy_cache_valid 200 206 " + ttl.toSeconds() + "s;");
        Files.writeString(work.resolve("site.conf"), site, StandardCharsets.UTF_8);
        String conf = """
                daemon off;
                worker_processes 2;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                    default_type application/octet-stream;
                    log_format mirrorfs '$upstream_cache_status "$request" $status $body_bytes_sent';
                    access_log %1$s/access.log mirrorfs;
                    client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                    include %1$s/site.conf;
                }
                """.formatted(work);
        Path confFile = work.resolve("nginx.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return List.of("/usr/sbin/nginx", "-p", work.toString(), "-e", errorLog().toString(), "-c", confFile.toString());
    }

    /** Replaces the one occurrence of {@code from}; fails if the recipe no longer has it (the test would test something else). */
    private static String replace(String text, String from, String to) throws IOException {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IOException("the recipe " + RECIPE + " must contain '" + from + "' exactly once");
        }
        return text.replace(from, to);
    }
}
