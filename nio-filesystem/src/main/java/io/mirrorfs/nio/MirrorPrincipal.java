package io.mirrorfs.nio;

import java.nio.file.attribute.GroupPrincipal;
import java.util.Objects;

/**
 * The owner and group of every file in a mirror: one fixed principal, because sources (HTTP, FTP,
 * archives) carry no ownership the local machine could interpret. Immutable.
 *
 * @param name the principal's name
 */
record MirrorPrincipal(String name) implements GroupPrincipal {

    /** The principal that owns, and is the group of, every file. */
    static final MirrorPrincipal OWNER = new MirrorPrincipal("mirrorfs");

    /** Validates the name. */
    MirrorPrincipal {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
