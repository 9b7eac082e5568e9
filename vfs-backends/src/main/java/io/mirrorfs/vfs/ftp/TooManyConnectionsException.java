package io.mirrorfs.vfs.ftp;

import java.io.IOException;

/** The server refused a new connection with {@code 421}: the pool waits and retries instead of failing. */
final class TooManyConnectionsException extends IOException {

    /** Creates the exception with the server's reply. */
    TooManyConnectionsException(String message) {
        super(message);
    }
}
