package io.mirrorfs.vfs.http;

import java.time.Instant;
import java.util.Optional;

/**
 * The version of a file as the server states it: ETag and Last-Modified (RFC 9110 section 8.8).
 *
 * @param etag         the entity tag, quotes included, when sent
 * @param lastModified the Last-Modified header as sent, when sent
 */
record Validator(Optional<String> etag, Optional<String> lastModified) {

    /** A server that states no version. */
    static final Validator NONE = new Validator(Optional.empty(), Optional.empty());

    /** Returns the validators of a response. */
    static Validator of(HttpResponse r) {
        return new Validator(r.header("etag"), r.header("last-modified"));
    }

    /** Returns Last-Modified as an instant, when it parses. */
    Optional<Instant> lastModifiedInstant() {
        return lastModified.flatMap(JsonIndexParser::httpDate);
    }

    /**
     * Returns the value for {@code If-Range}: a strong ETag, else the Last-Modified date
     * (RFC 9110 section 13.1.5: weak tags must not be used there).
     */
    Optional<String> ifRange() {
        if (etag.isPresent() && !etag.get().startsWith("W/")) {
            return etag;
        }
        return lastModified;
    }

    /** Returns whether {@code other} (from a later response) shows a different version than this one. */
    boolean changedIn(Validator other) {
        if (etag.isPresent() && other.etag.isPresent()) {
            return !etag.equals(other.etag);
        }
        return lastModified.isPresent() && other.lastModified.isPresent() && !lastModified.equals(other.lastModified);
    }
}
