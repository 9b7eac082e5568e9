package io.mirrorfs.fuse;

import com.sun.net.httpserver.HttpExchange;
import io.mirrorfs.cache.BlockCache;
import io.mirrorfs.cache.CacheMetrics;
import io.mirrorfs.cache.StatsFileVfs;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The {@code --metrics} HTTP endpoint: {@code /metrics} in the Prometheus text format (the
 * official client's exporter) with the cache, source, FUSE and JVM metrics, and {@code /healthz}
 * ({@link HealthCheck}). Its registry is its own, not the client's global default, so two mounts
 * in one JVM (tests) never mix their metrics. Runs on the exporter's small thread pool; closing it
 * stops the server.
 */
final class MetricsEndpoint implements Closeable {

    private static final System.Logger LOG = System.getLogger(MetricsEndpoint.class.getName());

    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /**
     * Starts the endpoint on {@code address} for {@code mirror} (its cache, sources and archives) whose FUSE callbacks
     * count into {@code fuse}.
     *
     * @throws IOException naming the address if it cannot be bound (in use, not local)
     */
    static MetricsEndpoint start(MetricsAddress address, StatsFileVfs mirror, FuseMetrics fuse) throws IOException {
        BlockCache cache = mirror.cache();
        PrometheusRegistry registry = new PrometheusRegistry();
        CacheMetrics.register(cache, registry);
        CacheMetrics.registerArchives(mirror.archives(), registry);
        fuse.register(registry);
        JvmMetrics.builder().register(registry);
        HealthCheck health = new HealthCheck(fuse::mounted, cache::sourceStatus);
        try {
            HTTPServer server = HTTPServer.builder()
                    .hostname(address.host())
                    .port(address.port())
                    .registry(registry)
                    .registerHealthHandler(false)
                    .defaultHandler(exchange -> answer(exchange, health))
                    .buildAndStart();
            LOG.log(System.Logger.Level.INFO, "metrics on http://" + address.host() + ":" + server.getPort() + "/metrics, health on /healthz");
            scrapeOnce(address.host(), server.getPort());
            return new MetricsEndpoint(server);
        } catch (IOException e) {
            throw new IOException("--metrics " + address.authority() + ": cannot listen there: " + e.getMessage(), e);
        }
    }

    /**
     * Scrapes the endpoint once over a socket of its own, discarding the answer, before the mount
     * exists. Why: in a fresh JVM the first scrape loads and interprets the exporter, the text
     * writer and every collector, about 300 ms of CPU (measured: 32 ticks of 10 ms for the first
     * scrape, 1.3 ticks each from the tenth on); unpaid, that lands on the first reads after the
     * mount, which on a 2-core box are CPU-bound (cold 1 GiB read 6 % slower with metrics on).
     * Failure only costs that speed.
     */
    private static void scrapeOnce(String host, int port) {
        try (Socket s = new Socket()) {
            InetAddress bound = InetAddress.getByName(host);
            InetAddress target = bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
            s.connect(new InetSocketAddress(target, port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "no warm-up scrape: " + e);
        }
    }

    /** Returns the port listened on (the one chosen when 0 was asked). */
    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }

    /** Serves {@code /healthz}; any other path but {@code /metrics} is 404. */
    private static void answer(HttpExchange exchange, HealthCheck health) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            HealthCheck.Result r = path.equals("/healthz") ? health.check()
                    : new HealthCheck.Result(404, "not found: try /metrics or /healthz");
            byte[] body = (r.line() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(r.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
