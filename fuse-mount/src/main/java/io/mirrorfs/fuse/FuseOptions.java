package io.mirrorfs.fuse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@code -o} mount options: mirrorfs's defaults merged with the user's, the user's winning
 * key by key. Pure functions; immutable results.
 */
final class FuseOptions {

    /**
     * The defaults, each chosen deliberately.
     * <ul>
     * <li>{@code ro}: the mirror is read-only; the kernel refuses writes before they reach us.
     * <li>{@code default_permissions}: the kernel checks mode bits, as on a local file system.
     * <li>{@code auto_unmount}: a killed daemon leaves no "Transport endpoint is not connected".
     * <li>{@code auto_cache}: file pages stay in the page cache across opens and are dropped when
     *     mtime or size change, so warm re-reads never reach Java yet an upstream change is seen.
     * <li>{@code attr_timeout}/{@code entry_timeout}=5 s, {@code negative_timeout}=5 s: a stat storm
     *     (find, ls -l, make) reaches Java about once per file per 5 s, and Java answers it from the
     *     metadata cache. The mount commands replace these three with values derived from
     *     {@code --dir-cache-ttl} ({@link CacheSettings}: the kernel gets min(5 s, TTL/2), the cache
     *     layer the rest), so kernel plus cache never show an upstream change later than the TTL.
     * <li>{@code auto_cache} rather than {@code kernel_cache}: {@code kernel_cache} would keep a
     *     file's pages across opens even after the source changed it; {@code auto_cache} keeps
     *     them only while mtime and size stay the same, which is what the version pinned by the
     *     cache layer promises.
     * <li>{@code max_readahead=1048576}: the kernel's default FUSE read-ahead (128 KiB) leaves a
     *     sequential reader waiting on every request; 1 MiB doubled cold sequential throughput on
     *     a local source here (338 to 722 MiB/s, integration-tests/bench/local-bench.sh).
     * </ul>
     */
    static final String DEFAULTS =
            "ro,default_permissions,auto_unmount,auto_cache,attr_timeout=5,entry_timeout=5,negative_timeout=5,"
            + "max_readahead=1048576";

    private FuseOptions() {
    }

    /**
     * Returns the comma-separated option string for libfuse.
     *
     * @param fsName   the file system name shown by mount(8)
     * @param userOpts the user's {@code -o} values (each may itself hold commas)
     * @throws IllegalArgumentException if the user asks for a writable mount
     */
    static String merge(String fsName, List<String> userOpts) {
        Map<String, String> opts = new LinkedHashMap<>();
        put(opts, DEFAULTS);
        opts.put("fsname", fsName);
        opts.put("subtype", "mirrorfs");
        for (String o : userOpts) {
            put(opts, o);
        }
        if (opts.containsKey("rw")) {
            throw new IllegalArgumentException("-o rw: mirrorfs is a read-only file system");
        }
        StringJoiner joined = new StringJoiner(",");
        opts.forEach((k, v) -> joined.add(v == null ? k : k + "=" + v));
        return joined.toString();
    }

    /** Returns whether option {@code key} is set in the merged string {@code merged}. */
    static boolean has(String merged, String key) {
        for (String o : merged.split(",")) {
            if (o.equals(key) || o.startsWith(key + "=")) {
                return true;
            }
        }
        return false;
    }

    private static void put(Map<String, String> opts, String commaList) {
        for (String o : commaList.split(",")) {
            String t = o.trim();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            String key = eq < 0 ? t : t.substring(0, eq);
            String value = eq < 0 ? null : t.substring(eq + 1);
            if (key.equals("ro")) {
                opts.remove("rw");
            }
            opts.put(key, value);
        }
    }
}
