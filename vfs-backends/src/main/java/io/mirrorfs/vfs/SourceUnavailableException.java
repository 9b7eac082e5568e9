package io.mirrorfs.vfs;

import java.io.IOException;

/**
 * The source could not answer at all: the connection was refused or lost, a connect or read
 * timed out, the host name did not resolve, a proxy on the way could not be reached, or the
 * server kept answering with a server error (5xx) through the retries.
 *
 * <p>Unlike a definite answer about a path (no such file, access denied, changed while open), it
 * says nothing about the path, so a cache above may serve what it last knew about it
 * (stale-if-error, RFC 5861's idea) and mark the source offline. Sources throw it only after
 * their own retries.
 */
public class SourceUnavailableException extends IOException {

    /** Creates the exception with a one-line message naming the URL and the cause. */
    public SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
