package io.mirrorfs.vfs.archive;

import java.util.List;
import java.util.Objects;

/**
 * What one indexing pass over a streamed archive (tar, ar, cpio or a single compressed file,
 * each possibly compressed) learns: the entries with their offsets in the decompressed data, the
 * decompressed length and where decoding can resume: gzip checkpoints, bzip2 block starts or zstd
 * frame starts. Persisted by {@link IndexStore}. Immutable.
 *
 * @param format      the archive's format
 * @param decodedSize the length of the decompressed data
 * @param members     the entries in archive order
 * @param checkpoints gzip access points sorted by decoded offset (empty for other compressions)
 * @param blockStarts bzip2 block or zstd frame starts sorted by decoded offset, the first the
 *                    file start (empty for other compressions)
 */
record ArchiveIndex(ArchiveFormat format, long decodedSize, List<Member> members, List<Checkpoint> checkpoints,
                    List<BlockStart> blockStarts) {

    /** Validates and freezes the fields. */
    ArchiveIndex {
        Objects.requireNonNull(format, "format");
        members = List.copyOf(members);
        checkpoints = List.copyOf(checkpoints);
        blockStarts = List.copyOf(blockStarts);
    }

    /** Returns how many places decoding can resume from (for logs). */
    int resumePoints() {
        return checkpoints.size() + blockStarts.size();
    }

    /** Returns the approximate heap bytes the checkpoints hold (the file start counts 0). */
    long checkpointWeight() {
        long w = 0;
        for (Checkpoint c : checkpoints) {
            w += c.weight();
        }
        for (BlockStart b : blockStarts) {
            w += b.weight();
        }
        return w;
    }

    /**
     * Returns this index with every other checkpoint and block start dropped (never the file
     * start), as the indexing pass thins them when memory runs short: reads then decompress up to
     * twice as far. An index with nothing left to drop is returned as is.
     */
    ArchiveIndex thinned() {
        return new ArchiveIndex(format, decodedSize, members, everyOther(checkpoints), everyOther(blockStarts));
    }

    private static <T> List<T> everyOther(List<T> list) {
        List<T> kept = new java.util.ArrayList<>((list.size() + 1) / 2);
        for (int i = 0; i < list.size(); i += 2) {
            kept.add(list.get(i));
        }
        return kept;
    }
}
