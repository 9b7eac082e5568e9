package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The one state of a source: online, offline since T, stale while data it confirmed is served within the limit. */
class SourceHealthTest {

    private static final Duration LIMIT = Duration.ofDays(7);

    private final FakeTicker clock = new FakeTicker();
    private final SourceHealth health = new SourceHealth("http://x/", clock, LIMIT);

    @Test
    void onlineUntilAFailureThenOfflineSinceItsFirstOne() {
        assertEquals(SourceStatus.State.ONLINE, health.status().state());
        assertEquals("online", health.status().describe());
        Instant first = clock.instant();
        health.failed(new ConnectException("Connection refused"));
        clock.advance(Duration.ofSeconds(30));
        health.failed(new ConnectException("Connection refused"));
        SourceStatus s = health.status();
        assertEquals(SourceStatus.State.OFFLINE, s.state());
        assertEquals(first, s.since());
        assertEquals("Connection refused", s.reason());
        assertFalse(s.healthy());
        assertEquals("offline since 2026-01-01T00:00:00Z", s.describe());

        clock.advance(Duration.ofMinutes(1));
        health.answered();
        assertEquals(new SourceStatus(SourceStatus.State.ONLINE, clock.instant(), ""), health.status());
    }

    @Test
    void staleWhileWhatIsServedIsWithinTheLimitOfItsConfirmation() {
        Instant confirmed = clock.instant();
        clock.advance(Duration.ofDays(6)); // a restart during an outage: the listing is six days old
        health.failed(new ConnectException("Connection refused"));
        health.servedStale(confirmed);
        SourceStatus s = health.status();
        assertEquals(SourceStatus.State.STALE, s.state());
        assertTrue(s.healthy());
        assertEquals("offline since 2026-01-07T00:00:00Z, serving stale", s.describe());

        clock.advance(Duration.ofDays(1)); // seven days after the confirmation: nothing is servable any more
        assertEquals(SourceStatus.State.OFFLINE, health.status().state());
    }

    @Test
    void servingStaleWhileOnlineChangesNothingAndTheNextAnswerEndsStale() {
        health.servedStale(clock.instant());
        assertEquals(SourceStatus.State.ONLINE, health.status().state());
        health.failed(new ConnectException("Connection refused"));
        health.servedStale();
        assertEquals(SourceStatus.State.STALE, health.status().state());
        health.answered();
        health.failed(new ConnectException("Connection refused"));
        assertEquals(SourceStatus.State.OFFLINE, health.status().state(), "stale served in an earlier outage does not count");
    }

    @Test
    void withoutStaleIfErrorAnOfflineSourceIsNeverStale() {
        SourceHealth off = new SourceHealth("http://x/", clock, Duration.ZERO);
        off.failed(new ConnectException("Connection refused"));
        off.servedStale(clock.instant());
        assertEquals(SourceStatus.State.OFFLINE, off.status().state());
    }

    @Test
    void theCachingLayerInstallsItAsTheStateOfItsCounters() throws Exception {
        try (BlockCache cache = BlockCache.create(CacheConfig.builder().build(), new ManualExecutor(), clock, clock)) {
            CountingSource source = new CountingSource();
            CachingVfs vfs = new CachingVfs(source, "/m=mem:", cache);
            vfs.health().failed(new ConnectException("Connection refused"));
            SourceStatus s = cache.sourceStatus().get("/m=mem:");
            assertEquals(SourceStatus.State.OFFLINE, s.state());
            assertEquals(s, cache.stats().sources().get("/m=mem:").status());
            assertTrue(cache.stats().format().matches("(?s).*source /m=mem: state_offline +1\n.*"), cache.stats().format());
            assertTrue(cache.stats().format().matches("(?s).*source /m=mem: state +offline since 2026-01-01T00:00:00Z.*"));
        }
    }
}
