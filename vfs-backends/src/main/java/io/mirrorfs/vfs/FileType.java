package io.mirrorfs.vfs;

/** The kinds of entries a mirror presents. Everything else a source may hold is not shown. */
public enum FileType {
    /** A regular file with bytes to read. */
    FILE,
    /** A directory that can be listed. */
    DIRECTORY,
    /** A symbolic link whose target {@link Vfs#readlink} returns. */
    SYMLINK
}
