package io.mirrorfs.cache;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the cache layer: block geometry, the memory budget, read-ahead, metadata TTLs and
 * the optional disk tier. Immutable; build with {@link #builder()}. Conflicting settings fail in
 * the constructor with a message naming each setting involved (by its command-line name).
 *
 * <p>Memory: {@code maxBytes} bounds every cached block and the archive layer's decompression
 * checkpoints together. A quarter is reserved for blocks that open handles hold <em>pinned</em>
 * (the block a reader is in and its read-ahead window); the shared Caffeine cache gets the other
 * three quarters, less whatever the checkpoints hold at the moment (at most
 * {@link #maxCheckpointBytes}, half of {@code maxBytes}: the block cache shrinks as checkpoints
 * are taken and grows back as they are given back). So read-ahead never evicts a block a reader
 * is about to use, and the three together never exceed {@code maxBytes}.
 *
 * @param blockSize          bytes per cached block, a power of two from 4 KiB to 64 MiB
 * @param maxBytes           the byte budget of all cached blocks (pinned plus shared) and the
 *                           archive checkpoints
 * @param readAheadBlocks    how many blocks past a sequential reader are fetched ahead (0: none)
 * @param randomFetchSize    the smaller unit fetched for handles that read randomly, a power of
 *                           two from 4 KiB up to {@code blockSize}
 * @param metadataTtl        how long a stat result or listing is served before it is revalidated
 * @param negativeTtl        how long "no such file" is remembered (at most {@code metadataTtl})
 * @param maxMetadataEntries the most stat entries (and listed entries) held in memory
 * @param readAheadThreads   threads fetching ahead, shared by all sources
 * @param dirReadAhead       how many sibling directories a walker's next listings are fetched
 *                           ahead (0: none); see {@link DirectoryReadAhead}
 * @param diskDir            where the persistent tier lives, if any
 * @param diskMaxBytes       the size bound of the persistent tier (ignored without a directory)
 * @param staleIfError       how old a listing may be and still be served while its source cannot
 *                           be reached (RFC 5861's stale-if-error); zero turns it off
 */
public record CacheConfig(
        int blockSize,
        long maxBytes,
        int readAheadBlocks,
        int randomFetchSize,
        Duration metadataTtl,
        Duration negativeTtl,
        int maxMetadataEntries,
        int readAheadThreads,
        int dirReadAhead,
        Optional<Path> diskDir,
        long diskMaxBytes,
        Duration staleIfError) {

    /** The defaults: 1 MiB blocks, 256 MiB, 4 blocks of read-ahead, 64 KiB random fetches, 60 s/5 s TTLs. */
    public static final CacheConfig DEFAULTS = builder().build();

    private static final int MIN_BLOCK = 4 << 10;
    private static final int MAX_BLOCK = 64 << 20;

    /** Validates every setting and their combinations. */
    public CacheConfig {
        Objects.requireNonNull(metadataTtl, "metadataTtl");
        Objects.requireNonNull(negativeTtl, "negativeTtl");
        Objects.requireNonNull(diskDir, "diskDir");
        Objects.requireNonNull(staleIfError, "staleIfError");
        if (staleIfError.isNegative()) {
            throw new IllegalArgumentException("--stale-if-error must not be negative, got " + staleIfError);
        }
        if (!isPowerOfTwo(blockSize) || blockSize < MIN_BLOCK || blockSize > MAX_BLOCK) {
            throw new IllegalArgumentException("--block-size must be a power of two from 4K to 64M, got " + formatSize(blockSize));
        }
        if (!isPowerOfTwo(randomFetchSize) || randomFetchSize < MIN_BLOCK || randomFetchSize > blockSize) {
            throw new IllegalArgumentException("the random-access fetch size must be a power of two from 4K to --block-size "
                    + formatSize(blockSize) + ", got " + formatSize(randomFetchSize));
        }
        if (maxBytes < 8L * blockSize) {
            throw new IllegalArgumentException("--cache-size " + formatSize(maxBytes) + " must hold at least 8 blocks of --block-size "
                    + formatSize(blockSize) + " (use at least " + formatSize(8L * blockSize) + ")");
        }
        if (dirReadAhead < 0 || dirReadAhead > 64) {
            throw new IllegalArgumentException("--dir-read-ahead must be from 0 to 64 directories, got " + dirReadAhead);
        }
        if (readAheadBlocks < 0 || readAheadBlocks > 256) {
            throw new IllegalArgumentException("--read-ahead must be from 0 to 256 blocks, got " + readAheadBlocks);
        }
        if ((readAheadBlocks + 2L) * blockSize > maxBytes / 4) {
            throw new IllegalArgumentException("--read-ahead " + readAheadBlocks + " blocks of --block-size " + formatSize(blockSize)
                    + " (plus the 2 blocks a reader holds) must fit in a quarter of --cache-size " + formatSize(maxBytes)
                    + ": lower --read-ahead or raise --cache-size to at least " + formatSize(4 * (readAheadBlocks + 2L) * blockSize));
        }
        if (metadataTtl.isNegative() || negativeTtl.isNegative()) {
            throw new IllegalArgumentException("--dir-cache-ttl must not be negative, got " + metadataTtl + " / " + negativeTtl);
        }
        if (negativeTtl.compareTo(metadataTtl) > 0) {
            negativeTtl = metadataTtl;
        }
        if (maxMetadataEntries < 1) {
            throw new IllegalArgumentException("the metadata cache must hold at least one entry, got " + maxMetadataEntries);
        }
        if (readAheadThreads < 1) {
            throw new IllegalArgumentException("read-ahead needs at least one thread, got " + readAheadThreads);
        }
        if (diskDir.isPresent() && diskMaxBytes < 4L * blockSize) {
            throw new IllegalArgumentException("--disk-cache-size " + formatSize(diskMaxBytes) + " must hold at least 4 blocks of --block-size "
                    + formatSize(blockSize));
        }
    }

    /** Returns this configuration with another {@code --stale-if-error}. */
    public CacheConfig withStaleIfError(Duration value) {
        return new CacheConfig(blockSize, maxBytes, readAheadBlocks, randomFetchSize, metadataTtl, negativeTtl, maxMetadataEntries,
                readAheadThreads, dirReadAhead, diskDir, diskMaxBytes, value);
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the bytes reserved for blocks pinned by open handles: a quarter of {@link #maxBytes}. */
    public long pinnedBytes() {
        return maxBytes / 4;
    }

    /**
     * Returns the weight bound of the shared block cache when no checkpoints are held:
     * {@link #maxBytes} minus {@link #pinnedBytes}. Checkpoints held lower it by their size.
     */
    public long sharedBytes() {
        return maxBytes - pinnedBytes();
    }

    /**
     * Returns the most the archive layer's checkpoints may hold of {@link #maxBytes}: half, so the
     * shared block cache keeps at least a quarter besides the pinned quarter.
     */
    public long maxCheckpointBytes() {
        return maxBytes / 2;
    }

    /** Returns the checkpoint share when none is given: a quarter of {@link #maxBytes}, at most 64 MiB. */
    public long defaultCheckpointBytes() {
        return checkpointShare(maxBytes, null);
    }

    /**
     * Returns the checkpoints' share of a cache of {@code maxBytes} for
     * {@code --archive-index-memory}: {@code requested}, or the default (a quarter, at most
     * 64 MiB) when null.
     *
     * @throws IllegalArgumentException when {@code requested} exceeds half of {@code maxBytes}
     */
    public static long checkpointShare(long maxBytes, Long requested) {
        if (requested == null) {
            return Math.min(64L << 20, maxBytes / 4);
        }
        if (requested < 0 || requested > maxBytes / 2) {
            throw new IllegalArgumentException("--archive-index-memory " + formatSize(requested) + " must be at most half of --cache-size "
                    + formatSize(maxBytes) + " (" + formatSize(maxBytes / 2) + "): the checkpoints are held within the cache,"
                    + " whose other half stays for file blocks");
        }
        return requested;
    }

    /**
     * Parses a size such as {@code 4096}, {@code 64K}, {@code 64M}, {@code 1G} or {@code 1.5G}
     * (binary units, an optional trailing {@code B} or {@code iB}).
     *
     * @throws IllegalArgumentException naming the value when it is not a size
     */
    public static long parseSize(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        if (v.endsWith("IB")) {
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        long unit = 1;
        if (!v.isEmpty()) {
            int shift = "KMGT".indexOf(v.charAt(v.length() - 1));
            if (shift >= 0) {
                unit = 1L << (10 * (shift + 1));
                v = v.substring(0, v.length() - 1);
            }
        }
        try {
            double d = Double.parseDouble(v);
            if (d < 0 || Double.isNaN(d) || Double.isInfinite(d) || d * unit > Long.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (long) (d * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a size (examples: 65536, 64K, 64M, 1G)");
        }
    }

    /** Returns {@code bytes} in the largest binary unit that divides it, such as {@code 64M}. */
    public static String formatSize(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int i = 0;
        long v = bytes;
        while (i < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            i++;
        }
        return v + units[i];
    }

    private static boolean isPowerOfTwo(long v) {
        return v > 0 && (v & (v - 1)) == 0;
    }

    /** Mutable builder for {@link CacheConfig}; not thread-safe. */
    public static final class Builder {
        private int blockSize = 1 << 20;
        private long maxBytes = 256L << 20;
        private int readAheadBlocks = 4;
        private int randomFetchSize = 64 << 10;
        private Duration metadataTtl = Duration.ofSeconds(60);
        private Duration negativeTtl = Duration.ofSeconds(5);
        private int maxMetadataEntries = 100_000;
        // 16, not 4: each handle drains its read-ahead on one thread and a source may use all but
        // one, so 4 threads served only 3 of 8 parallel readers; the other 5 alternated between
        // skipped read-ahead and demand fetches whose HTTP windows overlapped (measured, 8 dd of
        // 128 MiB over nginx: 615-648 MiB/s and 1.5-1.7 GiB sent per GiB read with 4 threads,
        // 833 MiB/s and exactly 1 GiB in 74 requests with 16). The threads mostly wait on I/O.
        private int readAheadThreads = 16;
        private int dirReadAhead = 16;
        private Optional<Path> diskDir = Optional.empty();
        private long diskMaxBytes = 1L << 30;
        private boolean diskMaxBytesSet;
        private Duration staleIfError = Duration.ofDays(7);

        private Builder() {
        }

        /** Sets the block size in bytes. */
        public Builder blockSize(int value) {
            blockSize = value;
            return this;
        }

        /** Sets the memory budget of all cached blocks, in bytes. */
        public Builder maxBytes(long value) {
            maxBytes = value;
            return this;
        }

        /** Sets the read-ahead window in blocks (0 disables read-ahead). */
        public Builder readAheadBlocks(int value) {
            readAheadBlocks = value;
            return this;
        }

        /** Sets the fetch unit for handles detected as random readers. */
        public Builder randomFetchSize(int value) {
            randomFetchSize = value;
            return this;
        }

        /** Sets how long positive stat results and listings are served before revalidation. */
        public Builder metadataTtl(Duration value) {
            metadataTtl = value;
            return this;
        }

        /** Sets how long a missing path is remembered (capped at the metadata TTL). */
        public Builder negativeTtl(Duration value) {
            negativeTtl = value;
            return this;
        }

        /** Sets the most metadata entries held. */
        public Builder maxMetadataEntries(int value) {
            maxMetadataEntries = value;
            return this;
        }

        /** Sets the number of read-ahead threads. */
        public Builder readAheadThreads(int value) {
            readAheadThreads = value;
            return this;
        }

        /** Sets how many sibling directories are listed ahead of a directory walk (0 disables it). */
        public Builder dirReadAhead(int value) {
            dirReadAhead = value;
            return this;
        }

        /** Enables the persistent tier in {@code dir}. */
        public Builder diskDir(Path dir) {
            diskDir = Optional.of(dir);
            return this;
        }

        /** Sets the size bound of the persistent tier; requires {@link #diskDir}. */
        public Builder diskMaxBytes(long value) {
            diskMaxBytes = value;
            diskMaxBytesSet = true;
            return this;
        }

        /** Sets how old a listing may be and still be served while its source is down (zero: never). */
        public Builder staleIfError(Duration value) {
            staleIfError = value;
            return this;
        }

        /**
         * Returns the validated configuration.
         *
         * @throws IllegalArgumentException naming the conflicting settings
         */
        public CacheConfig build() {
            if (diskMaxBytesSet && diskDir.isEmpty()) {
                throw new IllegalArgumentException("--disk-cache-size needs --cache-dir DIR (where the disk tier lives)");
            }
            return new CacheConfig(blockSize, maxBytes, readAheadBlocks, randomFetchSize, metadataTtl, negativeTtl,
                    maxMetadataEntries, readAheadThreads, dirReadAhead, diskDir, diskMaxBytes, staleIfError);
        }
    }
}
