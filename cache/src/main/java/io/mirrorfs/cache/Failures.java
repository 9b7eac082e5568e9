package io.mirrorfs.cache;

import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.SourceUnavailableException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/** Tells a source's answer about a path from a failure to get one. */
final class Failures {

    private Failures() {
    }

    /**
     * Returns whether {@code e} says the source could not be reached: a
     * {@link SourceUnavailableException}, or a refused, reset or timed-out connection or an
     * unknown host anywhere in its causes (sources that predate that exception wrap those).
     */
    static boolean isUnavailable(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceUnavailableException || t instanceof SocketException || t instanceof SocketTimeoutException
                    || t instanceof UnknownHostException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * Returns whether {@code e} is an answer about the path (no such file, not a directory,
     * access denied, ...) rather than a failure to reach the source (refused, timed out, DNS,
     * 5xx, {@link io.mirrorfs.vfs.SourceUnavailableException}): only the latter may be answered
     * with stale metadata.
     */
    static boolean isDefinite(IOException e) {
        return e instanceof NoSuchFileException || e instanceof NotDirectoryException || e instanceof AccessDeniedException
                || e instanceof NotLinkException || e instanceof IsDirectoryException;
    }
}
