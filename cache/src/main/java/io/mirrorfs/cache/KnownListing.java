package io.mirrorfs.cache;

import io.mirrorfs.vfs.DirEntry;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A directory listing as its source last confirmed it: the entries, the source's validator for
 * them (empty when it gave none), and when the source last said so (a full listing, or a 304 to a
 * conditional one). The confirmation time is wall-clock time, because it is persisted and compared
 * after a restart; it bounds both freshness ({@code --dir-cache-ttl}) and how long the listing may
 * be served while the source is down ({@code --stale-if-error}). Immutable.
 */
record KnownListing(List<DirEntry> entries, String validator, Instant confirmedAt) {

    /** Copies the entries and checks the other fields. */
    KnownListing {
        entries = List.copyOf(entries);
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(confirmedAt, "confirmedAt");
    }

    /** Returns this listing confirmed again at {@code now}. */
    KnownListing confirmed(Instant now) {
        return new KnownListing(entries, validator, now);
    }
}
