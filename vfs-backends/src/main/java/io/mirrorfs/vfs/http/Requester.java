package io.mirrorfs.vfs.http;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sends requests over the pool: resends once when a kept-alive connection turns out closed,
 * adds basic auth for the source's own origin only, and follows a bounded number of redirects.
 * Thread-safe.
 */
final class Requester {

    private final ConnectionPool pool;
    private final Optional<BasicCredentials> credentials;
    private final Origin authOrigin;
    private final int maxRedirects;

    Requester(ConnectionPool pool, Optional<BasicCredentials> credentials, Origin authOrigin, int maxRedirects) {
        this.pool = pool;
        this.credentials = credentials;
        this.authOrigin = authOrigin;
        this.maxRedirects = maxRedirects;
    }

    /** A response and the lease it holds; {@link #close} ends the lease, keeping the connection only if the body was read. */
    static final class Exchange implements Closeable {
        private final ConnectionPool pool;
        final URI url;
        final HttpResponse response;
        private boolean closed;

        Exchange(ConnectionPool pool, URI url, HttpResponse response) {
            this.pool = pool;
            this.url = url;
            this.response = response;
        }

        /** Ends the lease; small unread bodies are drained so the connection stays usable. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            boolean reusable;
            try {
                reusable = response.drain(64 * 1024);
            } catch (IOException e) {
                reusable = false;
            }
            pool.giveBack(response.conn(), reusable);
        }

        /** Ends the lease closing the connection, for an abandoned body. */
        void abort() {
            if (!closed) {
                closed = true;
                response.conn().markBroken();
                pool.giveBack(response.conn(), false);
            }
        }
    }

    /** Sends one request without following redirects. */
    Exchange send(String method, URI url, List<String[]> headers) throws IOException {
        Origin origin = Origin.of(url);
        List<String[]> all = new ArrayList<>(headers);
        if (credentials.isPresent() && origin.equals(authOrigin)) {
            all.add(new String[] {"Authorization", credentials.get().header()});
        }
        String target = url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            target += "?" + url.getRawQuery();
        }
        HttpConnection c = pool.lease(origin);
        try {
            HttpResponse r;
            try {
                r = c.exchange(method, target, all);
            } catch (HttpConnection.ClosedByServerException | SocketException e) {
                if (c.exchanges() <= 1) {
                    throw e;
                }
                // A kept-alive connection the server had closed: the request never ran; resend on a fresh one.
                c.close();
                c = pool.open(origin);
                r = c.exchange(method, target, all);
            }
            return new Exchange(pool, url, r);
        } catch (IOException | RuntimeException e) {
            pool.giveBack(c, false);
            throw e;
        }
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
