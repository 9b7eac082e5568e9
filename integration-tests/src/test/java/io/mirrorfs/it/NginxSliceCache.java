package io.mirrorfs.it;

import io.mirrorfs.testing.NginxServer;
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
        return started(new NginxSliceCache("127.0.0.1:" + upstream.port(), ttl, slice));
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        String site = ShippedRecipe.read("nginx-slice-cache.conf")
                .replace("listen 8080;", "listen 127.0.0.1:" + port + ";")
                .replace("server upstream.example.org:80;", "server " + upstreamHostPort + ";")
                .replace("proxy_set_header Host upstream.example.org;", "proxy_set_header Host " + upstreamHostPort + ";")
                .replace("slice 1m;", "slice " + slice + ";")
                .replace("/var/cache/nginx/mirrorfs", work.resolve("cache").toString())
                .replace("proxy_cache_valid 200 206 10m;", "proxy_cache_valid 200 206 " + ttl.toSeconds() + "s;")
                .text();
        Files.writeString(work.resolve("site.conf"), site, StandardCharsets.UTF_8);
        return NginxServer.command(this, "$upstream_cache_status \"$request\" $status $body_bytes_sent",
                "    include " + work.resolve("site.conf") + ";");
    }
}
