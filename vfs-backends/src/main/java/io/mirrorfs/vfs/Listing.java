package io.mirrorfs.vfs;

import java.util.List;
import java.util.Objects;

/**
 * One answer of a source to "list this directory": the entries and the validator that identifies
 * this content, so a later {@link Vfs#listIfChanged} can ask "has it changed?" instead of fetching
 * it again (an HTTP index page's ETag or Last-Modified). Immutable.
 *
 * @param entries   the entries, in the source's order
 * @param validator an opaque token for {@link Vfs#listIfChanged}; empty when the source gave none
 */
public record Listing(List<DirEntry> entries, String validator) {

    /** Copies the entries and checks the validator. */
    public Listing {
        entries = List.copyOf(entries);
        Objects.requireNonNull(validator, "validator");
    }
}
