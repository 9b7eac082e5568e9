package io.mirrorfs.vfs.ftp;

import java.nio.file.FileSystemException;

/**
 * The server answered a listing with success but said it left entries out (pure-ftpd stops at
 * 10,000 by default and replies {@code 226 Output truncated to 10000 matches}). The listing
 * fails (EIO) rather than show part of the directory as all of it; the connection stays usable.
 */
final class TruncatedListingException extends FileSystemException {

    /** Creates the exception for directory {@code dir} with the server's final reply. */
    TruncatedListingException(String dir, String reply) {
        super(dir, null, "the server truncated the listing: " + reply);
    }
}
