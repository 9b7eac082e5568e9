package io.mirrorfs.vfs.ftp;

import java.util.List;
import java.util.Objects;

/**
 * Where and as whom an FTP source connects, parsed from its URL once at start-up.
 *
 * <p>{@link #toString()} never shows the password. Immutable.
 *
 * @param host           the server's host name or address
 * @param port           the control port (21 by default)
 * @param tls            explicit FTPS ({@code AUTH TLS}, {@code PROT P}) for {@code ftps://} URLs
 * @param dirSegments    the decoded directory of the URL, relative to the login directory (as curl does)
 * @param user           the login name ({@code anonymous} by default)
 * @param password       the password, never logged
 * @param activeMode     active instead of passive (EPSV, then PASV) data connections
 * @param maxConnections the most control connections this source opens to the server
 */
record FtpEndpoint(String host, int port, boolean tls, List<String> dirSegments, String user, String password,
                   boolean activeMode, int maxConnections) {

    /** The user name of anonymous logins (RFC 1635). */
    static final String ANONYMOUS = "anonymous";

    /** Validates the fields. */
    FtpEndpoint {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        dirSegments = List.copyOf(dirSegments);
        if (host.isEmpty()) {
            throw new IllegalArgumentException("FTP URL without a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("FTP port out of range: " + port);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("FTP connections must be >= 1, got " + maxConnections);
        }
    }

    /** Returns the URL of this source for logs, with the user but never the password. */
    String displayUrl() {
        String who = user.equals(ANONYMOUS) ? "" : user + "@";
        String h = host.contains(":") ? "[" + host + "]" : host;
        String p = port == 21 ? "" : ":" + port;
        return (tls ? "ftps://" : "ftp://") + who + h + p + "/" + String.join("/", dirSegments)
                + (dirSegments.isEmpty() ? "" : "/");
    }

    @Override
    public String toString() {
        return displayUrl();
    }
}
