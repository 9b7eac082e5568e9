package io.mirrorfs.vfs.http;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where requests go: scheme, host and port (RFC 6454 origin). Connections are pooled per origin.
 *
 * @param scheme {@code http} or {@code https}
 * @param host   the host name or address, lower case
 * @param port   the TCP port
 */
record Origin(String scheme, String host, int port) {

    /** Validates the fields. */
    Origin {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an HTTP scheme: " + scheme);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("URL has no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Returns the origin of {@code url}. */
    static Origin of(URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost();
        if (host == null) {
            throw new IllegalArgumentException("URL has no host: " + url.getScheme() + "://" + url.getRawAuthority());
        }
        int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        return new Origin(scheme, host.toLowerCase(Locale.ROOT), port);
    }

    /** Returns whether connections use TLS. */
    boolean tls() {
        return scheme.equals("https");
    }

    /** Returns the {@code Host} header value (RFC 9110 section 7.2). */
    String hostHeader() {
        boolean defaultPort = port == (tls() ? 443 : 80);
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return defaultPort ? h : h + ":" + port;
    }

    /** Returns the socket host name (without IPv6 brackets). */
    String socketHost() {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return scheme + "://" + hostHeader();
    }
}
