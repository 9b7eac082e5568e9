package io.mirrorfs.cache;

import io.mirrorfs.vfs.Listing;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.util.Optional;

/** Asks a source for a listing unless it is unchanged: {@link io.mirrorfs.vfs.Vfs#listIfChanged}, counted. */
@FunctionalInterface
interface UpstreamLister {

    /** Returns the listing of {@code dir}, or empty when the source confirms {@code knownValidator} current. */
    Optional<Listing> listIfChanged(VfsPath dir, String knownValidator) throws IOException;
}
