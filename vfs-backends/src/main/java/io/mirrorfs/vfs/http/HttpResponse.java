package io.mirrorfs.vfs.http;

import java.util.Map;
import java.util.Optional;
import java.io.InputStream;

/**
 * A response head and its body stream. Not thread-safe.
 *
 * @param status  the status code
 * @param headers header fields by lower-case name (repeated fields joined with {@code ", "})
 * @param body    the body as the client framed it (Content-Length, chunked or until close)
 */
record HttpResponse(int status, Map<String, String> headers, InputStream body) {

    /** Returns a header value. */
    Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }
}
