package io.mirrorfs.fuse;

import io.mirrorfs.cache.CacheConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits {@code --dir-cache-ttl} between the kernel's attribute caches and the cache layer, so
 * that an upstream change shows through the mount after at most the TTL, and builds the
 * {@link CacheConfig}. Pure functions.
 *
 * <p>The kernel caches a stat answer for {@code attr_timeout}/{@code entry_timeout} on top of
 * however old the answer already was in Java, so the two add up. The kernel gets
 * {@code min(5 s, TTL/2)} (a stat storm reaches Java at most once per file per that interval,
 * and then is served from memory), Java the rest. "No such file" is remembered for
 * {@code min(10 s, TTL)} in total, split the same way. A user's {@code -o attr_timeout=...} is
 * honoured and Java's share shrinks to match; one longer than the TTL is refused.
 */
final class CacheSettings {

    private static final Duration KERNEL_SHARE_MAX = Duration.ofSeconds(5);
    private static final Duration NEGATIVE_TOTAL_MAX = Duration.ofSeconds(10);

    private CacheSettings() {
    }

    /** Returns the kernel timeouts for {@code ttl} followed by the user's {@code -o} values (which win). */
    static List<String> fuseOptions(Duration ttl, List<String> userOptions) {
        Duration k = kernelShare(ttl);
        Duration neg = min(k, negativeTotal(ttl).dividedBy(2));
        List<String> all = new ArrayList<>();
        all.add("attr_timeout=" + seconds(k) + ",entry_timeout=" + seconds(k) + ",negative_timeout=" + seconds(neg));
        all.addAll(userOptions);
        return all;
    }

    /**
     * Returns the checked cache configuration.
     *
     * @throws IllegalArgumentException naming the conflicting options
     */
    static CacheConfig config(long cacheSize, long blockSize, int readAhead, int dirReadAhead, Duration ttl, Path cacheDir, Long diskCacheSize,
                              List<String> userFuseOptions) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("--dir-cache-ttl must not be negative, got " + ttl);
        }
        if (blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--block-size " + CacheConfig.formatSize(blockSize) + " is too large (at most 64M)");
        }
        String merged = FuseOptions.merge("mirrorfs", fuseOptions(ttl, userFuseOptions));
        Duration kernelAttr = max(timeout(merged, "attr_timeout"), timeout(merged, "entry_timeout"));
        if (kernelAttr.compareTo(ttl) > 0) {
            throw new IllegalArgumentException("-o attr_timeout/entry_timeout=" + seconds(kernelAttr) + " is longer than --dir-cache-ttl "
                    + seconds(ttl) + "s: the kernel would show old attributes for longer than the TTL promises; lower the -o value or raise --dir-cache-ttl");
        }
        Duration kernelNegative = timeout(merged, "negative_timeout");
        CacheConfig.Builder b = CacheConfig.builder()
                .maxBytes(cacheSize)
                .blockSize((int) blockSize)
                .readAheadBlocks(readAhead)
                .dirReadAhead(dirReadAhead)
                .randomFetchSize((int) Math.min(64 << 10, blockSize))
                .metadataTtl(ttl.minus(kernelAttr))
                .negativeTtl(max(Duration.ZERO, negativeTotal(ttl).minus(kernelNegative)));
        if (cacheDir != null) {
            b.diskDir(cacheDir);
        }
        if (diskCacheSize != null) {
            b.diskMaxBytes(diskCacheSize);
        }
        return b.build();
    }

    /**
     * Returns the checkpoints' share of {@code --cache-size}: {@code archiveIndexMemory}, or the
     * default (a quarter, at most 64M) when it is null.
     *
     * @throws IllegalArgumentException when it exceeds half of --cache-size
     */
    static long checkpointMemory(long cacheSize, Long archiveIndexMemory) {
        return CacheConfig.checkpointShare(cacheSize, archiveIndexMemory);
    }

    private static Duration kernelShare(Duration ttl) {
        return min(KERNEL_SHARE_MAX, ttl.dividedBy(2));
    }

    private static Duration negativeTotal(Duration ttl) {
        return min(NEGATIVE_TOTAL_MAX, ttl);
    }

    /** Returns the value of timeout option {@code key} in a merged option string (0 when absent). */
    private static Duration timeout(String merged, String key) {
        for (String o : merged.split(",")) {
            if (o.startsWith(key + "=")) {
                String v = o.substring(key.length() + 1);
                try {
                    return Duration.ofNanos(new BigDecimal(v).movePointRight(9).longValueExact());
                } catch (ArithmeticException | NumberFormatException e) {
                    throw new IllegalArgumentException("-o " + o + ": not a number of seconds");
                }
            }
        }
        return Duration.ZERO;
    }

    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
