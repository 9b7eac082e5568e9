package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.cache.SourceStatus;
import io.mirrorfs.cache.SourceStatus.State;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** /healthz answers: mounted with every source online or stale is 200; otherwise 503 and the first reason. */
class HealthCheckTest {

    private static final Instant T = Instant.parse("2026-12-07T13:00:00Z");

    @Test
    void healthyWhileMountedAndEverySourceOnlineOrStale() {
        Map<String, SourceStatus> s = new TreeMap<>(Map.of(
                "/a=http://a/", SourceStatus.ONLINE,
                "/b=ftp://b/", new SourceStatus(State.STALE, T, "range_get failed: refused")));
        HealthCheck.Result r = new HealthCheck(() -> true, () -> s).check();
        assertEquals(new HealthCheck.Result(200, "ok: mounted, 2 sources online or stale"), r);
    }

    @Test
    void unhealthyWhenNotMounted() {
        assertEquals(new HealthCheck.Result(503, "not mounted"), new HealthCheck(() -> false, Map::of).check());
    }

    @Test
    void unhealthyNamingTheOfflineSource() {
        Map<String, SourceStatus> s = new TreeMap<>(Map.of(
                "/a=http://a/", SourceStatus.ONLINE,
                "/b=ftp://b/", new SourceStatus(State.OFFLINE, T, "ftp_list failed: timeout")));
        assertEquals(new HealthCheck.Result(503, "source /b=ftp://b/ offline since 2026-12-07T13:00:00Z: ftp_list failed: timeout"),
                new HealthCheck(() -> true, () -> s).check());
    }
}
