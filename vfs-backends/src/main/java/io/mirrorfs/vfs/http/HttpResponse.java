package io.mirrorfs.vfs.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * A response head and its body stream, on the connection that carries it. Not thread-safe.
 *
 * @param status  the status code
 * @param headers header fields by lower-case name (repeated fields joined with {@code ", "})
 * @param body    the body, framed; read it to the end to keep the connection reusable
 * @param conn    the connection
 */
record HttpResponse(int status, Map<String, String> headers, InputStream body, HttpConnection conn) {

    /** Returns a header value. */
    Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }

    /** Returns whether the whole body has been read, so the connection can carry another request. */
    boolean bodyComplete() {
        if (body instanceof BodyStreams.Fixed f) {
            return f.remaining() == 0;
        }
        if (body instanceof BodyStreams.Chunked c) {
            return c.done();
        }
        return false;
    }

    /** Reads and discards up to {@code limit} remaining body bytes; returns whether the body is now complete. */
    boolean drain(long limit) throws IOException {
        byte[] buf = new byte[8192];
        long left = limit;
        while (!bodyComplete() && left > 0) {
            int n = body.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                break;
            }
            left -= n;
        }
        return bodyComplete();
    }
}
