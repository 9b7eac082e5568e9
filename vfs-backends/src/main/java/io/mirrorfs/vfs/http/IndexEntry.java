package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.VfsPath;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One entry parsed from a directory page.
 *
 * @param name       the decoded name, a valid path segment
 * @param rawSegment the canonical percent-encoded segment that requests this entry
 * @param kind       what the page says the entry is
 * @param size       the exact size in bytes, when the page gave one (not for human sizes)
 * @param mtime      the modification time, when the page gave one (often to the minute)
 */
record IndexEntry(String name, String rawSegment, Kind kind, OptionalLong size, Optional<Instant> mtime) {

    /** What a page can tell about an entry. */
    enum Kind {
        /** A regular file. */
        FILE,
        /** A directory (its link ends in {@code /}, or the format says so). */
        DIRECTORY,
        /** A link without a trailing slash on a page of unknown format: a request decides. */
        UNKNOWN
    }

    /** Validates the fields. */
    IndexEntry {
        VfsPath.requireValidName(name);
        Objects.requireNonNull(rawSegment, "rawSegment");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(mtime, "mtime");
        if (size.isPresent() && size.getAsLong() < 0) {
            throw new IllegalArgumentException("negative size for " + name);
        }
    }
}
