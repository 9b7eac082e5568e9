package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.LowSpeedLimit;
import io.mirrorfs.vfs.ProxySettings;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.io.CloseMode;

/**
 * Sends requests through the source's client, holding one connection permit per open response;
 * adds basic auth for the source's own origin only, and follows a bounded number of redirects.
 *
 * <p>Redirects are followed here, not by the client's {@code RedirectExec}: callers need the
 * final URL of each answer (links of a listing resolve against it, an open file keeps reading
 * from it), and the {@code Authorization} header, sent preemptively to the source's origin as
 * before, must not follow a redirect to another origin; {@code RedirectExec} copies the original
 * request's headers to the next hop. Thread-safe.
 */
final class Requester {

    private static final int DRAIN_LIMIT = 64 * 1024;

    private final ConnectionPool pool;
    private final Optional<BasicCredentials> credentials;
    private final Origin authOrigin;
    private final int maxRedirects;
    private final Duration readTimeout;
    private final ProxySettings proxies;

    Requester(ConnectionPool pool, Optional<BasicCredentials> credentials, Origin authOrigin, int maxRedirects,
            Duration readTimeout, ProxySettings proxies) {
        this.pool = pool;
        this.credentials = credentials;
        this.authOrigin = authOrigin;
        this.maxRedirects = maxRedirects;
        this.readTimeout = readTimeout;
        this.proxies = proxies;
    }

    /**
     * A response and the permit it holds; {@link #close} ends both, keeping the connection only if
     * the body was read to its end. Not thread-safe.
     */
    static final class Exchange implements Closeable {
        private final ConnectionPool pool;
        private final CloseableHttpResponse raw;
        private final LowSpeedLimit speed;
        final URI url;
        final HttpResponse response;
        private boolean closed;

        Exchange(ConnectionPool pool, URI url, CloseableHttpResponse raw, LowSpeedLimit speed, HttpResponse response) {
            this.pool = pool;
            this.url = url;
            this.raw = raw;
            this.speed = speed;
            this.response = response;
        }

        /** Starts a new low-speed window: a parked body is being read again after a pause of ours. */
        void resumeReading() {
            speed.restart();
        }

        /**
         * Ends the lease; a small unread rest of the body is drained so the connection stays
         * usable (the client puts a connection back in its pool when its body reaches the end).
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            boolean ended;
            try {
                ended = drain(response.body());
            } catch (IOException e) {
                ended = false;
            }
            try {
                raw.close(ended ? CloseMode.GRACEFUL : CloseMode.IMMEDIATE);
            } finally {
                pool.release();
            }
        }

        /** Ends the lease closing the connection, for an abandoned body (never drains it). */
        void abort() {
            if (!closed) {
                closed = true;
                try {
                    raw.close(CloseMode.IMMEDIATE);
                } finally {
                    pool.release();
                }
            }
        }

        private static boolean drain(InputStream body) throws IOException {
            byte[] buf = new byte[8192];
            long left = DRAIN_LIMIT;
            while (left >= 0) {
                int n = body.read(buf, 0, (int) Math.min(buf.length, left + 1));
                if (n < 0) {
                    return true;
                }
                left -= n;
            }
            return false;
        }
    }

    /** Sends one request without following redirects. */
    Exchange send(String method, URI url, List<String[]> headers) throws IOException {
        Origin origin = Origin.of(url);
        HttpUriRequestBase request = new HttpUriRequestBase(method, url);
        for (String[] h : headers) {
            request.addHeader(h[0], h[1]);
        }
        if (credentials.isPresent() && origin.equals(authOrigin)) {
            request.addHeader("Authorization", credentials.get().header());
        }
        pool.lease(origin.toString());
        CloseableHttpResponse raw = null;
        try {
            raw = execute(request, url);
            LowSpeedLimit speed = new LowSpeedLimit(content(raw), readTimeout, origin.toString());
            return new Exchange(pool, url, raw, speed, new HttpResponse(raw.getCode(), headers(raw), speed));
        } catch (IOException | RuntimeException e) {
            if (raw != null) {
                raw.close(CloseMode.IMMEDIATE);
            }
            pool.release();
            throw e;
        }
    }

    private CloseableHttpResponse execute(HttpUriRequestBase request, URI url) throws IOException {
        ClassicHttpResponse r;
        try {
            r = pool.client().executeOpen(null, request, HttpClientContext.create());
        } catch (ConnectException e) {
            Optional<URI> proxy = proxies.proxyFor(url);
            if (proxy.isPresent()) {
                // One clear cause: the proxy, not the origin, is what could not be reached.
                throw new IOException("proxy " + ProxySettings.redacted(proxy.get()) + " unreachable: " + e.getMessage(), e);
            }
            throw e;
        }
        return (CloseableHttpResponse) r; // what the classic client always returns
    }

    private static InputStream content(ClassicHttpResponse r) throws IOException {
        HttpEntity e = r.getEntity();
        return e == null ? InputStream.nullInputStream() : e.getContent();
    }

    private static Map<String, String> headers(ClassicHttpResponse r) {
        Map<String, String> map = new HashMap<>();
        for (Header h : r.getHeaders()) {
            map.merge(h.getName().toLowerCase(Locale.ROOT), h.getValue().trim(), (a, b) -> a + ", " + b);
        }
        return map;
    }

    /** Sends a request and follows up to the configured number of redirects; returns the final response. */
    Exchange follow(String method, URI url, List<String[]> headers) throws IOException {
        URI current = url;
        for (int hop = 0; ; hop++) {
            Exchange ex = send(method, current, headers);
            int s = ex.response.status();
            Optional<String> location = ex.response.header("location");
            if (!isRedirect(s) || location.isEmpty()) {
                return ex;
            }
            ex.close();
            if (hop >= maxRedirects) {
                throw new IOException("more than " + maxRedirects + " redirects from " + url);
            }
            current = resolve(current, location.get());
            if (!current.getScheme().equalsIgnoreCase("http") && !current.getScheme().equalsIgnoreCase("https")) {
                throw new IOException("redirect from " + url + " to a non-HTTP URL");
            }
        }
    }

    /** Returns whether {@code status} is a redirect with a Location to follow. */
    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Resolves a Location header against the request URL, escaping characters that servers send unescaped. */
    static URI resolve(URI base, String location) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (byte b : location.strip().getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`'
                    || c == '{' || c == '|' || c == '}') {
                sb.append('%').append(String.format("%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        try {
            return base.resolve(new URI(sb.toString()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("bad redirect Location from " + base + ": " + e.getMessage());
        }
    }
}
