package io.mirrorfs.vfs;

import java.nio.file.FileSystemException;

/** Thrown when a file operation, such as {@link Vfs#open}, is applied to a directory. */
public class IsDirectoryException extends FileSystemException {

    /** Creates the exception for {@code path}. */
    public IsDirectoryException(String path) {
        super(path, null, "is a directory");
    }
}
