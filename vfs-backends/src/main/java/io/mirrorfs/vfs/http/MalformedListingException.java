package io.mirrorfs.vfs.http;

import java.io.IOException;
import java.net.URI;

/**
 * A directory page that arrived whole but cannot be read as a listing (malformed JSON). Not
 * transient: the same page parses the same way again, so it is not retried. An I/O error (EIO at
 * the FUSE edge, which logs it as one line); its message names the page and the fault.
 */
final class MalformedListingException extends IOException {

    private static final long serialVersionUID = 1L;

    MalformedListingException(URI page, String fault) {
        // No cause attached: the parser's own exception spans several lines, and the message
        // already carries what it says (the fault and its byte offset).
        super("malformed JSON listing " + page + ": " + fault);
    }
}
