package io.mirrorfs.vfs;

import java.util.Objects;
import java.util.Optional;

/**
 * One entry of a directory listing.
 *
 * <p>Listings carry full attributes when the protocol gave them (so {@code ls -l} costs no extra
 * round trip); otherwise only the type is known and a {@link Vfs#stat} fills in the rest.
 *
 * @param name  a valid path segment (see {@link VfsPath#isValidName})
 * @param type  the entry's type, always known
 * @param attrs the complete attributes when the listing had them
 */
public record DirEntry(String name, FileType type, Optional<FileAttrs> attrs) {

    /** Validates the name and checks that type and attributes agree. */
    public DirEntry {
        VfsPath.requireValidName(name);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(attrs, "attrs");
        if (attrs.isPresent() && attrs.get().type() != type) {
            throw new IllegalArgumentException("entry " + name + " is " + type + " but its attributes say " + attrs.get().type());
        }
    }

    /** Returns an entry with complete attributes. */
    public static DirEntry of(String name, FileAttrs attrs) {
        return new DirEntry(name, attrs.type(), Optional.of(attrs));
    }

    /** Returns an entry whose attributes need a {@link Vfs#stat}. */
    public static DirEntry typeOnly(String name, FileType type) {
        return new DirEntry(name, type, Optional.empty());
    }
}
