package io.mirrorfs.cache;

import io.mirrorfs.vfs.VfsPath;
import java.util.Objects;

/**
 * Names one cached range of one version of one file: the unit stored in memory and on disk.
 *
 * <p>Full blocks and the smaller random-access fetches are both keys; {@code length} tells them
 * apart. Including the version means a changed upstream file can never be served from blocks of
 * the old one: its keys simply differ. Immutable.
 *
 * @param sourceId the source's stable id (its mount path and URL), unique within one mirror
 * @param path     the path inside the source
 * @param version  the content version pinned when the file was opened
 * @param offset   the first byte, a multiple of {@code length}
 * @param length   the nominal length (the last block of a file holds fewer bytes)
 */
record BlockKey(String sourceId, VfsPath path, String version, long offset, int length) {

    /** Validates the fields. */
    BlockKey {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(version, "version");
        if (length <= 0 || offset < 0 || offset % length != 0) {
            throw new IllegalArgumentException("block at " + offset + " of length " + length + " is not aligned");
        }
    }

    /** Returns the key of the {@code length}-aligned range holding byte {@code position}. */
    static BlockKey containing(String sourceId, VfsPath path, String version, long position, int length) {
        return new BlockKey(sourceId, path, version, position - position % length, length);
    }

    /**
     * Compares all fields. Written out rather than left to the record's generated method: that one
     * is bound through {@code ObjectMethods} method handles, which every block lookup (Caffeine,
     * the single-flight map, the pins) runs through, and which on a fresh daemon are interpreted
     * and JIT-compiled while the first reads run.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof BlockKey k && offset == k.offset && length == k.length && path.equals(k.path)
                && version.equals(k.version) && sourceId.equals(k.sourceId);
    }

    /** Combines all fields; see {@link #equals}. */
    @Override
    public int hashCode() {
        int h = sourceId.hashCode();
        h = 31 * h + path.hashCode();
        h = 31 * h + version.hashCode();
        h = 31 * h + Long.hashCode(offset);
        return 31 * h + length;
    }

    /** Returns a string that identifies this key completely, for disk file names and headers. */
    String externalForm() {
        return sourceId + '\0' + path + '\0' + version + '\0' + offset + '\0' + length;
    }
}
