package io.mirrorfs.vfs.archive;

import java.util.Locale;

/** Whether archives can be entered as {@code NAME#/} directories, and whether listings show them. */
public enum ArchiveVisibility {
    /** Reachable by name, not listed (the default: {@code find} and indexers do not open every archive). */
    HIDDEN,
    /** Listed next to every file whose name looks like an archive. */
    VISIBLE,
    /** Disabled: {@code NAME#} is an ordinary (usually missing) name. */
    OFF;

    /**
     * Parses {@code hidden}, {@code visible} or {@code off}, ignoring case.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ArchiveVisibility parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--archives must be hidden, visible or off, not '" + text + "'");
        }
    }
}
