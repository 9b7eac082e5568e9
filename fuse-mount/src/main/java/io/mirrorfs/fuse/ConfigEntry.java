package io.mirrorfs.fuse;

import java.util.Objects;

/**
 * One setting read from a configuration file: {@code key = value} on line {@code line}.
 *
 * @param line  the 1-based line number, for error messages
 * @param key   the setting's name: a long option name without dashes ({@code read-timeout}), {@code o},
 *              {@code source} or {@code mountpoint}
 * @param value the value; empty for a bare key ({@code verbose})
 */
record ConfigEntry(int line, String key, String value) {

    ConfigEntry {
        if (line < 1) {
            throw new IllegalArgumentException("line numbers start at 1: " + line);
        }
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
