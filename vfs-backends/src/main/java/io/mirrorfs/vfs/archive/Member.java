package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileType;
import java.time.Instant;
import java.util.Objects;

/**
 * One entry as an archive declares it, before its name is normalised: what the index stores.
 *
 * @param name     the entry name exactly as stored (normalised later by {@link ArchiveTree})
 * @param type     file, directory or symlink (a hard link is a {@code FILE} with {@code hardLink})
 * @param size     the content length (the expanded length for a sparse tar member)
 * @param mtime    modification time
 * @param mode     permission bits from the archive, or -1 when the format has none
 * @param link     a symlink's target, or a hard link's target entry name; empty otherwise
 * @param hardLink whether this entry is a hard link to the entry named {@code link}
 * @param offset   where the content starts in the (decompressed) archive, or the entry's index
 *                 for zip and 7z
 * @param sparse   for sparse tar members, pairs of (offset in the file, length) of the stored
 *                 chunks, which lie back to back from {@code offset}; empty otherwise
 */
record Member(String name, FileType type, long size, Instant mtime, int mode, String link, boolean hardLink,
              long offset, long[] sparse) {

    /** Validates the fields. */
    Member {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(sparse, "sparse");
        if (size < 0 || sparse.length % 2 != 0) {
            throw new IllegalArgumentException("bad member " + name + ": size " + size + ", sparse map " + sparse.length);
        }
    }

    /** Returns a regular file member. */
    static Member file(String name, long size, Instant mtime, int mode, long offset) {
        return new Member(name, FileType.FILE, size, mtime, mode, "", false, offset, new long[0]);
    }

    /** Returns a directory member. */
    static Member directory(String name, Instant mtime, int mode) {
        return new Member(name, FileType.DIRECTORY, 0, mtime, mode, "", false, 0, new long[0]);
    }

    /** Returns a symlink member pointing at {@code target}. */
    static Member symlink(String name, String target, Instant mtime) {
        return new Member(name, FileType.SYMLINK, target.length(), mtime, 0777, target, false, 0, new long[0]);
    }

    /** Returns a hard link to the entry called {@code target}. */
    static Member hardLink(String name, String target, Instant mtime, int mode) {
        return new Member(name, FileType.FILE, 0, mtime, mode, target, true, 0, new long[0]);
    }

    /** Returns this member's content under another name (how a hard link is shown). */
    Member renamed(String newName) {
        return new Member(newName, type, size, mtime, mode, link, false, offset, sparse);
    }
}
