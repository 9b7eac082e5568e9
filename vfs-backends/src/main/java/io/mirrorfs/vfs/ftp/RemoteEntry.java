package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.DirEntry;
import java.util.Objects;
import java.util.Optional;

/**
 * One parsed listing entry: what the mirror shows, plus a symlink's target as the server gave it.
 *
 * @param entry      the entry, always with attributes
 * @param linkTarget the raw target of a symlink; empty for other entries or when the listing had none
 */
record RemoteEntry(DirEntry entry, Optional<String> linkTarget) {

    /** Validates the fields. */
    RemoteEntry {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(linkTarget, "linkTarget");
        if (entry.attrs().isEmpty()) {
            throw new IllegalArgumentException("FTP entries always carry attributes: " + entry.name());
        }
    }

    /** Returns the entry's name. */
    String name() {
        return entry.name();
    }
}
