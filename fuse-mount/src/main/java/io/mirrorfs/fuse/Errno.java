package io.mirrorfs.fuse;

import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.StaleFileException;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.ReadOnlyFileSystemException;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * The one place where VFS failures become errno values. Everything unknown is EIO and is logged,
 * so nothing crosses into native code unexplained.
 */
final class Errno {

    private static final System.Logger LOG = System.getLogger(Errno.class.getName());

    private Errno() {
    }

    /**
     * Returns the negative errno for {@code failure} during {@code operation} on {@code path}.
     * Expected conditions (a missing file) are not logged; I/O failures are logged once, as one
     * line naming the operation, the path and the cause; programming errors with a stack trace.
     */
    static int of(Throwable failure, String operation, String path) {
        int errno = classify(failure);
        if (errno == ErrorCodes.EIO()) {
            if (failure instanceof java.io.IOException) {
                LOG.log(Level.WARNING, operation + " " + path + ": " + describe(failure));
            } else {
                LOG.log(Level.ERROR, operation + " " + path + ": unexpected " + failure, failure);
            }
        }
        return -errno;
    }

    /** Returns the positive errno that {@code failure} stands for. */
    static int classify(Throwable failure) {
        if (failure instanceof NoSuchFileException) {
            return ErrorCodes.ENOENT();
        }
        if (failure instanceof NotDirectoryException) {
            return ErrorCodes.ENOTDIR();
        }
        if (failure instanceof IsDirectoryException) {
            return ErrorCodes.EISDIR();
        }
        if (failure instanceof NotLinkException) {
            return ErrorCodes.EINVAL();
        }
        if (failure instanceof AccessDeniedException) {
            return ErrorCodes.EACCES();
        }
        if (failure instanceof ReadOnlyFileSystemException || failure instanceof FileAlreadyExistsException
                || failure instanceof DirectoryNotEmptyException) {
            return ErrorCodes.EROFS();
        }
        if (failure instanceof IllegalArgumentException) {
            // A name the VFS refuses (NUL, "..") cannot exist in the mirror.
            return ErrorCodes.ENOENT();
        }
        if (failure instanceof StaleFileException) {
            return ErrorCodes.EIO();
        }
        return ErrorCodes.EIO();
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()));
        Throwable cause = t.getCause();
        while (cause != null && cause != t) {
            sb.append(" (caused by ").append(cause).append(')');
            t = cause;
            cause = cause.getCause();
        }
        return sb.toString();
    }
}
