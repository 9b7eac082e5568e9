package io.mirrorfs.vfs.http;

import org.apache.hc.core5.http.ContentLengthStrategy;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.impl.DefaultContentLengthStrategy;

/**
 * HttpClient's framing rule with one relaxation RFC 9110 section 8.6 allows: a response whose
 * {@code Content-Length} is repeated with the same value (two fields, or one field holding
 * {@code "5, 5"}, as some proxies and CGI stacks send) is framed by that value instead of being
 * refused. Different values stay an error (a framing attack or a broken server), and anything
 * else (chunked, a single length, none) is the library's {@link DefaultContentLengthStrategy}.
 * Stateless; thread-safe.
 */
final class RepeatedContentLength implements ContentLengthStrategy {

    static final RepeatedContentLength INSTANCE = new RepeatedContentLength();

    private RepeatedContentLength() {
    }

    @Override
    public long determineLength(HttpMessage message) throws HttpException {
        Header[] fields = message.getHeaders(HttpHeaders.CONTENT_LENGTH);
        if (message.containsHeader(HttpHeaders.TRANSFER_ENCODING) || fields.length == 0
                || (fields.length == 1 && fields[0].getValue().indexOf(',') < 0)) {
            return DefaultContentLengthStrategy.INSTANCE.determineLength(message);
        }
        StringBuilder joined = new StringBuilder();
        for (Header f : fields) {
            joined.append(joined.length() == 0 ? "" : ",").append(f.getValue());
        }
        try {
            return parse(joined.toString());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage());
        }
    }

    /**
     * Returns the length a {@code Content-Length} value stands for, its repeated fields joined
     * with commas ({@code "5"}, {@code "5, 5"}).
     *
     * @throws IllegalArgumentException if the values differ or one is not a non-negative number
     */
    static long parse(String joined) {
        String value = null;
        for (String v : joined.split(",", -1)) {
            String t = v.trim();
            if (value == null) {
                value = t;
            } else if (!value.equals(t)) {
                throw new IllegalArgumentException("Content-Length fields differ: " + value + " and " + t);
            }
        }
        try {
            long length = Long.parseLong(value);
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("Invalid Content-Length: " + value);
    }
}
