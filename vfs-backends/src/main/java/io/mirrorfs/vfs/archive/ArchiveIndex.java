package io.mirrorfs.vfs.archive;

import java.util.List;
import java.util.Objects;

/**
 * What one indexing pass over a streamed archive (tar, ar, cpio or a single compressed file,
 * each possibly compressed) learns: the entries with their offsets in the decompressed data, the
 * decompressed length and, for gzip, the checkpoints. Persisted by {@link IndexStore}. Immutable.
 *
 * @param format      the archive's format
 * @param decodedSize the length of the decompressed data
 * @param members     the entries in archive order
 * @param checkpoints gzip access points sorted by decoded offset (empty for other compressions)
 */
record ArchiveIndex(ArchiveFormat format, long decodedSize, List<Member> members, List<Checkpoint> checkpoints) {

    /** Validates and freezes the fields. */
    ArchiveIndex {
        Objects.requireNonNull(format, "format");
        members = List.copyOf(members);
        checkpoints = List.copyOf(checkpoints);
    }

    /** Returns the approximate heap bytes the checkpoints hold. */
    long checkpointWeight() {
        long w = 0;
        for (Checkpoint c : checkpoints) {
            w += c.weight();
        }
        return w;
    }
}
