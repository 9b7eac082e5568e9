package io.mirrorfs.fuse;

import io.mirrorfs.cache.SourceStatus;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The answer of {@code /healthz}: healthy while the kernel mount is live and every source is
 * online or serving stale data within its limit; otherwise unhealthy, with one line naming the
 * first reason (a load balancer or systemd watchdog shows it as is). Thread-safe if its suppliers are.
 */
final class HealthCheck {

    /** One answer: HTTP status 200 or 503, and one line of text. */
    record Result(int status, String line) {
        boolean healthy() {
            return status == 200;
        }
    }

    private final BooleanSupplier mounted;
    private final Supplier<Map<String, SourceStatus>> sources;

    HealthCheck(BooleanSupplier mounted, Supplier<Map<String, SourceStatus>> sources) {
        this.mounted = mounted;
        this.sources = sources;
    }

    /** Returns the answer now. */
    Result check() {
        if (!mounted.getAsBoolean()) {
            return new Result(503, "not mounted");
        }
        Map<String, SourceStatus> all = sources.get();
        for (Map.Entry<String, SourceStatus> e : all.entrySet()) {
            SourceStatus s = e.getValue();
            if (!s.healthy()) {
                return new Result(503, "source " + e.getKey() + " " + s.state().label() + " since " + s.since()
                        + (s.reason().isEmpty() ? "" : ": " + s.reason()));
            }
        }
        return new Result(200, "ok: mounted, " + all.size() + (all.size() == 1 ? " source" : " sources") + " online or stale");
    }
}
