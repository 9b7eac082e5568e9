package io.mirrorfs.vfs.http;

import java.io.IOException;

/** A response status the operation cannot use; 5xx are worth a retry, 4xx are not. */
final class HttpStatusException extends IOException {

    private final int status;

    HttpStatusException(String what, int status) {
        super(what + ": HTTP " + status);
        this.status = status;
    }

    /** Returns the status. */
    int status() {
        return status;
    }

    /** Returns whether a retry may succeed (server errors and 408/429). */
    boolean transientFailure() {
        return status >= 500 || status == 408 || status == 429;
    }
}
