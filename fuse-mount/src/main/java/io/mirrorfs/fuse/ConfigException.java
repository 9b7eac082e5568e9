package io.mirrorfs.fuse;

import java.nio.file.Path;

/** A mistake in a configuration file; the message names the file and, where there is one, the line. */
final class ConfigException extends IllegalArgumentException {

    /** Creates the exception for a problem with the file as a whole. */
    ConfigException(String message) {
        super(message);
    }

    /** Creates the exception for a mistake on line {@code line} of {@code file}: {@code FILE:LINE: message}. */
    ConfigException(Path file, int line, String message) {
        super(file + ":" + line + ": " + message);
    }
}
