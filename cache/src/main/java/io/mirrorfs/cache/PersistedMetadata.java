package io.mirrorfs.cache;

import io.mirrorfs.vfs.VfsPath;
import java.util.Objects;
import java.util.Optional;

/**
 * One source's listings in the disk tier, beside its blocks and under the same bound
 * ({@code --disk-cache-size}, least recently used first). Each listing is one checksummed record
 * appended to the store and indexed once written (see {@link DiskStore}), so a crash at any
 * moment leaves the old record, the new one, or nothing; a torn record fails its checksum and is
 * dropped, never served. Keys carry the source's id (its mount path and URL), so a changed
 * {@code --source} never finds another source's tree. Without a disk tier every call is a no-op.
 *
 * <p>Thread-safe (the store is).
 */
final class PersistedMetadata {

    private final BlockCache cache;
    private final String sourceId;

    PersistedMetadata(BlockCache cache, String sourceId) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
    }

    /** Returns the listing of {@code dir} saved by this or an earlier run, if intact. */
    Optional<KnownListing> listing(VfsPath dir) {
        return cache.readDisk(key(dir)).flatMap(ListingCodec::decode);
    }

    /** Returns whether a listing of {@code dir} is saved (not whether it is intact). */
    boolean hasListing(VfsPath dir) {
        return cache.diskContains(key(dir));
    }

    /** Saves {@code listing} as the one of {@code dir}, replacing what was saved. */
    void saveListing(VfsPath dir, KnownListing listing) {
        if (cache.hasDisk()) {
            cache.writeDisk(key(dir), ListingCodec.encode(listing));
        }
    }

    /** Forgets the listing of {@code dir} (the source said it is gone or not a directory). */
    void forgetListing(VfsPath dir) {
        cache.removeDisk(key(dir));
    }

    private String key(VfsPath dir) {
        return "listing\0" + sourceId + '\0' + dir;
    }
}
