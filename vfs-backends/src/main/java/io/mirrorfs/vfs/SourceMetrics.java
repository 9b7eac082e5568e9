package io.mirrorfs.vfs;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where a network source reports each request it sends upstream, so a cache or an exporter can
 * count them without knowing the protocol code. Sources call it at the one or two places where a
 * request is sent and its failures handled (HTTP: {@code HttpSource.retrying} and the range GETs
 * of {@code HttpFile}; FTP: {@code FtpSource.withConnection} and the REST+RETR of
 * {@code FtpFile}), never per byte. Answers and failures are reported apart, so the answered
 * requests equal what the server logs and a refused connection is an error but no request.
 *
 * <p>Implementations must be thread-safe, lock-free and cheap: they run on every upstream request.
 */
public interface SourceMetrics {

    /** Counts nothing: for sources built outside a mirror (tests, tools). */
    SourceMetrics NONE = new SourceMetrics() {
        @Override
        public void answered(RequestKind kind, long nanos) {
        }

        @Override
        public void failed(RequestKind kind, ErrorClass error) {
        }

        @Override
        public void retried(RequestKind kind) {
        }
    };

    /**
     * The server answered a request of {@code kind} after {@code nanos} (to the response headers,
     * or the whole answer of a listing): one request as the server's log shows it, whatever the
     * answer was (an error status is also reported to {@link #failed}).
     */
    void answered(RequestKind kind, long nanos);

    /**
     * An attempt at a request of {@code kind} failed: no answer (refused, timed out), an answer
     * the source cannot use (4xx, 5xx, malformed), or a body that broke off. Called once per
     * failed attempt, also when a retry follows.
     */
    void failed(RequestKind kind, ErrorClass error);

    /** A failed request of {@code kind} is being sent again (counted once per new attempt). */
    void retried(RequestKind kind);

    /**
     * Shows the source's connection pool from now on: called once, when the source creates its
     * pool. A source without a pool of its own never calls it (both figures then read 0).
     */
    default void pool(PoolView view) {
    }

    /**
     * Live figures of a connection pool, read at scrape time (not per request).
     *
     * @param openConnections connections open (or being opened) now
     * @param waits           borrowers that had to wait for a connection, since the start
     */
    record PoolView(java.util.function.IntSupplier openConnections, java.util.function.LongSupplier waits) {
        /** Checks that both are present. */
        public PoolView {
            java.util.Objects.requireNonNull(openConnections, "openConnections");
            java.util.Objects.requireNonNull(waits, "waits");
        }

        /** The view of no pool: 0 and 0. */
        public static final PoolView NONE = new PoolView(() -> 0, () -> 0);
    }

    /** What a request asked for; {@link #label} is the metric label. */
    enum RequestKind {
        /** HTTP GET with a Range header (file data). */
        HTTP_RANGE_GET,
        /** HTTP GET of a directory index. */
        HTTP_LISTING,
        /** HTTP HEAD (attributes of one file, or whether a name is a directory). */
        HTTP_HEAD,
        /** FTP REST + RETR (file data; the SIZE/MDTM check before it is part of it). */
        FTP_RETR,
        /** FTP MLSD or LIST (a directory listing). */
        FTP_LIST,
        /** FTP SIZE + MDTM (attributes of one file before it is opened). */
        FTP_SIZE_MDTM;

        private final String label = name().toLowerCase(Locale.ROOT);

        /** Returns the label value, e.g. {@code http_range_get}. */
        public String label() {
            return label;
        }

        /**
         * Returns the kinds a source of URL scheme {@code scheme} sends ({@code https} as
         * {@code http}, {@code ftps} as {@code ftp}); none for local sources.
         */
        public static java.util.List<RequestKind> ofScheme(String scheme) {
            String s = scheme.toLowerCase(Locale.ROOT);
            String protocol = s.startsWith("http") ? "HTTP_" : s.startsWith("ftp") ? "FTP_" : null;
            if (protocol == null) {
                return java.util.List.of();
            }
            return java.util.Arrays.stream(values()).filter(k -> k.name().startsWith(protocol)).toList();
        }
    }

    /** Why a request failed; {@link #label} is the metric label. */
    enum ErrorClass {
        /** No answer in time (connect, read or whole-exchange deadline). */
        TIMEOUT,
        /** The connection was refused or the host unreachable or unknown. */
        REFUSED,
        /** The server answered 4xx (HTTP) where the source needed data. */
        STATUS_4XX,
        /** The server answered 5xx (HTTP). */
        STATUS_5XX,
        /** Anything else: a broken connection, a malformed or unexpected answer. */
        PROTOCOL;

        private final String label = name().toLowerCase(Locale.ROOT).replace("status_", "");

        /** Returns the label value: {@code timeout}, {@code refused}, {@code 4xx}, {@code 5xx} or {@code protocol}. */
        public String label() {
            return label;
        }

        /** Returns the class of {@code failure}: its HTTP status class if it carries one, else as {@link #of}. */
        public static ErrorClass of(Throwable failure, java.util.OptionalInt httpStatus) {
            return httpStatus.isPresent() ? ofStatus(httpStatus.getAsInt()) : of(failure);
        }

        /** Returns the class of an HTTP status the source could not use. */
        public static ErrorClass ofStatus(int status) {
            return status >= 500 ? STATUS_5XX : status >= 400 ? STATUS_4XX : PROTOCOL;
        }

        /** Returns the class of an I/O failure, looking through its causes for a timeout or a refusal. */
        public static ErrorClass of(Throwable failure) {
            for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof SocketTimeoutException || t instanceof InterruptedIOException
                        && String.valueOf(t.getMessage()).contains("timed out")) {
                    return TIMEOUT;
                }
                if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
                    return REFUSED;
                }
                String m = String.valueOf(t.getMessage());
                if (m.contains("no complete answer within") || m.contains("no answer to REST/RETR within")) {
                    return TIMEOUT; // the FTP watchdog's deadline
                }
            }
            return PROTOCOL;
        }
    }
}
