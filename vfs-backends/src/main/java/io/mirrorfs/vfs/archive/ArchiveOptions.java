package io.mirrorfs.vfs.archive;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the {@link ArchiveLayer}. Immutable; build with {@link #builder()}.
 *
 * @param visibility          whether {@code NAME#} directories exist and are listed
 * @param indexDirectory      where indexes of streamed archives persist across mounts (usually
 *                            below {@code --cache-dir}); empty to keep them in memory only
 * @param checkpointMemory    the most heap that checkpoints (gzip windows, bzip2 block and zstd
 *                            frame starts) of all archives together may hold, those being
 *                            indexed and those kept open by a member handle included; 0 keeps
 *                            none (members then decode from the start of their archive)
 * @param checkpointInterval  decompressed bytes between two checkpoints: about the most any read
 *                            has to decompress before reaching its data (plus one bzip2 block or
 *                            zstd frame where those are larger)
 * @param maxOpenArchives     how many archives stay open (indexed, with a handle on the file)
 * @param showOutsideSymlinks whether symlinks leaving their archive directory are shown
 * @param progressInterval    how often a long indexing pass logs its progress
 */
public record ArchiveOptions(ArchiveVisibility visibility, Optional<Path> indexDirectory, long checkpointMemory,
                             long checkpointInterval, int maxOpenArchives, boolean showOutsideSymlinks,
                             Duration progressInterval) {

    /** Validates the settings, naming the one at fault. */
    public ArchiveOptions {
        Objects.requireNonNull(visibility, "visibility");
        Objects.requireNonNull(indexDirectory, "indexDirectory");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (checkpointInterval < 64 * 1024) {
            throw new IllegalArgumentException("checkpoint interval must be at least 64 KiB, not " + checkpointInterval);
        }
        if (checkpointMemory < 0) {
            throw new IllegalArgumentException("checkpoint memory must not be negative, not " + checkpointMemory);
        }
        if (maxOpenArchives < 1) {
            throw new IllegalArgumentException("at least one archive must be allowed open, not " + maxOpenArchives);
        }
    }

    /**
     * Returns the defaults: hidden, no persistence, 64 MiB of checkpoints every 512 KiB, 64 archives
     * open. 512 KiB keeps a random member read of a tar.gz at about 1 ms of decompression (half the
     * 1 MiB zran.c suggests; measured on a 500 MB tar.gz: 200 random members 370 ms at 1 MiB,
     * 220 ms at 512 KiB) for 64 bytes plus a compressed 32 KiB window per checkpoint.
     */
    public static ArchiveOptions defaults() {
        return builder().build();
    }

    /** Returns a builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ArchiveOptions}; not thread-safe. */
    public static final class Builder {
        private ArchiveVisibility visibility = ArchiveVisibility.HIDDEN;
        private Path indexDirectory;
        private long checkpointMemory = 64L << 20;
        private long checkpointInterval = 512L << 10;
        private int maxOpenArchives = 64;
        private boolean showOutsideSymlinks;
        private Duration progressInterval = Duration.ofSeconds(5);

        private Builder() {
        }

        /** Sets whether archives are hidden, visible or off. */
        public Builder visibility(ArchiveVisibility v) {
            this.visibility = v;
            return this;
        }

        /** Sets the directory for persisted indexes (created when needed). */
        public Builder indexDirectory(Path dir) {
            this.indexDirectory = dir;
            return this;
        }

        /** Sets the heap budget for the checkpoints of all archives together. */
        public Builder checkpointMemory(long bytes) {
            this.checkpointMemory = bytes;
            return this;
        }

        /** Sets the decompressed distance between gzip checkpoints. */
        public Builder checkpointInterval(long bytes) {
            this.checkpointInterval = bytes;
            return this;
        }

        /** Sets how many archives stay open at once. */
        public Builder maxOpenArchives(int n) {
            this.maxOpenArchives = n;
            return this;
        }

        /** Sets whether symlinks leaving their archive are shown. */
        public Builder showOutsideSymlinks(boolean show) {
            this.showOutsideSymlinks = show;
            return this;
        }

        /** Sets how often long indexing passes log progress. */
        public Builder progressInterval(Duration every) {
            this.progressInterval = every;
            return this;
        }

        /** Returns the validated options. */
        public ArchiveOptions build() {
            return new ArchiveOptions(visibility, Optional.ofNullable(indexDirectory), checkpointMemory,
                    checkpointInterval, maxOpenArchives, showOutsideSymlinks, progressInterval);
        }
    }
}
