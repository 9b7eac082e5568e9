package io.mirrorfs.cache;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;

/**
 * Whether one source can be reached: online, or offline since the first failure of a run of
 * failures, and whether stale metadata has been served since. Logs one line when the source goes
 * offline and one when it is back, however many requests fail in between.
 *
 * <p>While offline, {@link #shouldAsk} lets one request through per {@link #PROBE_INTERVAL}, so a
 * walk over known directories is answered from what is known at once instead of waiting for the
 * dead source once per directory. Thread-safe (synchronized: transitions are rare and tiny).
 */
final class SourceHealth {

    /** How often an offline source is asked again while known metadata can be served instead. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger(SourceHealth.class.getName());

    /** What {@code /.mirrorfs/stats} shows for a source. */
    record State(Optional<Instant> offlineSince, boolean servingStale) {
        /** Returns "online", "offline since T" or "offline since T, serving stale". */
        String describe() {
            if (offlineSince.isEmpty()) {
                return "online";
            }
            return "offline since " + offlineSince.get().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + (servingStale ? ", serving stale" : "");
        }
    }

    private final String name;
    private final InstantSource clock;
    private Instant offlineSince;
    private Instant lastAttempt = Instant.MIN;
    private boolean servingStale;

    SourceHealth(String name, InstantSource clock) {
        this.name = name;
        this.clock = clock;
    }

    /** Records a definite answer from the source (data, 304, "no such file"). */
    synchronized void answered() {
        if (offlineSince != null) {
            LOG.log(Level.WARNING, "source " + name + " is back online (offline since " + offlineSince + ")");
        }
        offlineSince = null;
        servingStale = false;
    }

    /** Records that the source could not be reached; {@code cause} names why. */
    synchronized void failed(Exception cause) {
        lastAttempt = clock.instant();
        if (offlineSince == null) {
            offlineSince = lastAttempt;
            LOG.log(Level.WARNING, "source " + name + " is offline: " + cause.getMessage()
                    + "; serving what is cached (stale-if-error) until it is back");
        }
    }

    /** Records that stale metadata was served because the source is offline. */
    synchronized void servedStale() {
        servingStale = true;
    }

    /**
     * Returns whether to ask the source now: always while online; while offline, once per
     * {@link #PROBE_INTERVAL} (the caller then serves what it knows without asking).
     */
    synchronized boolean shouldAsk() {
        if (offlineSince == null) {
            return true;
        }
        Instant now = clock.instant();
        if (Duration.between(lastAttempt, now).compareTo(PROBE_INTERVAL) >= 0) {
            lastAttempt = now; // this caller probes; the others keep serving what is known
            return true;
        }
        return false;
    }

    /** Returns the current state. */
    synchronized State state() {
        return new State(Optional.ofNullable(offlineSince), servingStale);
    }
}
