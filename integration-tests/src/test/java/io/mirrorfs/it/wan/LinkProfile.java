package io.mirrorfs.it.wan;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What the emulated link does to every byte: a fixed round trip (half of it added in each
 * direction), a throughput cap per connection (what a TCP window allows over that round trip) and
 * optionally one for all connections together.
 *
 * @param rtt           the added round trip; each direction gets half
 * @param perConnection bytes per second one connection carries in each direction; empty: uncapped
 * @param total         bytes per second all connections carry together in each direction; empty: uncapped
 */
public record LinkProfile(Duration rtt, Optional<Long> perConnection, Optional<Long> total) {

    /** Validates the values. */
    public LinkProfile {
        if (rtt.isNegative()) {
            throw new IllegalArgumentException("--rtt must not be negative, got " + rtt);
        }
        perConnection.filter(r -> r <= 0).ifPresent(r -> {
            throw new IllegalArgumentException("--per-conn must be positive, got " + r);
        });
        total.filter(r -> r <= 0).ifPresent(r -> {
            throw new IllegalArgumentException("--total must be positive, got " + r);
        });
    }

    /** Returns the delay added to each direction: half the round trip. */
    public long oneWayNanos() {
        return rtt.toNanos() / 2;
    }

    /** Parses a duration such as {@code 80ms}, {@code 0.5s} or {@code 200us}. */
    public static Duration parseDuration(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        String[][] units = {{"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"}};
        for (String[] u : units) {
            if (v.endsWith(u[0])) {
                double d = Double.parseDouble(v.substring(0, v.length() - u[0].length()));
                return Duration.ofNanos((long) (d * Long.parseLong(u[1])));
            }
        }
        throw new IllegalArgumentException("a duration needs a unit (us, ms, s): " + s);
    }

    /** Parses a rate such as {@code 50MiB/s}, {@code 400M} or {@code 1.5GiB/s} (binary units) into bytes per second. */
    public static long parseRate(String s) {
        String v = s.trim();
        if (v.endsWith("/s")) {
            v = v.substring(0, v.length() - 2);
        }
        v = v.replace("iB", "").replace("B", "");
        long unit = 1;
        int shift = v.isEmpty() ? -1 : "KMGT".indexOf(Character.toUpperCase(v.charAt(v.length() - 1)));
        if (shift >= 0) {
            unit = 1L << (10 * (shift + 1));
            v = v.substring(0, v.length() - 1);
        }
        return (long) (Double.parseDouble(v) * unit);
    }
}
