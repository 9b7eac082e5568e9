package io.mirrorfs.vfs;

import java.nio.file.FileSystemException;

/**
 * Thrown by {@link VfsFile#read} when the upstream content no longer matches the version pinned
 * at open. The FUSE edge reports it as EIO for that handle; a fresh open sees the new version.
 */
public class StaleFileException extends FileSystemException {

    /** Creates the exception for {@code file}, with the version pinned and the one now seen. */
    public StaleFileException(String file, String pinnedVersion, String currentVersion) {
        super(file, null, "changed upstream while open (version " + pinnedVersion + " is now " + currentVersion + ")");
    }
}
