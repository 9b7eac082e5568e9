package io.mirrorfs.vfs;

import java.time.Instant;
import java.util.Objects;

/**
 * What a source knows about one entry: type, size, modification time, permission bits and a
 * version token.
 *
 * <p>The {@code version} identifies the content: an HTTP ETag, or size plus mtime when the
 * protocol has nothing better. Caches key blocks by it and an open handle pins it, so a changed
 * upstream file is never served as a mix of old and new bytes. Immutable.
 *
 * @param type        file, directory or symlink
 * @param size        size in bytes; 0 for directories; the target length for symlinks
 * @param mtime       last modification time (the epoch when the source does not know it)
 * @param permissions POSIX permission bits (0 to 07777); write bits are cleared by the FUSE edge
 * @param version     opaque content version token, never null (may be empty for directories)
 */
public record FileAttrs(FileType type, long size, Instant mtime, int permissions, String version) {

    /** Default bits for files when the source has none: {@code r--r--r--}. */
    public static final int DEFAULT_FILE_PERMISSIONS = 0444;
    /** Default bits for directories when the source has none: {@code r-xr-xr-x}. */
    public static final int DEFAULT_DIRECTORY_PERMISSIONS = 0555;

    /** Validates every field. */
    public FileAttrs {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mtime, "mtime");
        Objects.requireNonNull(version, "version");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("permission bits out of range: " + Integer.toOctalString(permissions));
        }
    }

    /** Returns attributes of a directory with default permissions, such as a synthesised parent. */
    public static FileAttrs directory(Instant mtime) {
        return new FileAttrs(FileType.DIRECTORY, 0, mtime, DEFAULT_DIRECTORY_PERMISSIONS, "");
    }

    /** Returns attributes of a regular file whose version is derived from size and mtime. */
    public static FileAttrs file(long size, Instant mtime, int permissions) {
        return new FileAttrs(FileType.FILE, size, mtime, permissions, sizeAndMtimeVersion(size, mtime));
    }

    /** Returns the version token used when a protocol offers nothing better than size and mtime. */
    public static String sizeAndMtimeVersion(long size, Instant mtime) {
        return size + "@" + mtime.getEpochSecond() + "." + mtime.getNano();
    }

    /** Returns whether this is a directory. */
    public boolean isDirectory() {
        return type == FileType.DIRECTORY;
    }

    /** Returns whether this is a regular file. */
    public boolean isFile() {
        return type == FileType.FILE;
    }

    /** Returns whether this is a symbolic link. */
    public boolean isSymlink() {
        return type == FileType.SYMLINK;
    }
}
