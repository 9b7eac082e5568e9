package io.mirrorfs.cache;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The one state of one source (online, offline since T, or offline but serving stale within
 * {@code --stale-if-error}), as the stats file, the {@code mirrorfs_source_state} gauge and
 * {@code /healthz} all show it: installed as the source's {@link SourceStatus.Provider}. Fed by
 * the cache layer, which sees every outcome: a definite answer from the source (data, 304,
 * "no such file") makes it online; a failure to reach it (refused, timed out, DNS, 5xx after the
 * retries) makes it offline since the first failure of a run; serving a listing, attributes or a
 * link target the source cannot confirm now marks it stale. Logs one line when the source goes
 * offline and one when it is back, however many requests fail in between.
 *
 * <p>While offline, {@link #shouldAsk} lets one request through per {@link #PROBE_INTERVAL}, so a
 * walk over known directories is answered from what is known at once instead of waiting for the
 * dead source once per directory. Thread-safe: transitions are synchronized (rare and tiny); the
 * answer of an online source, the common case, reads one volatile field and takes no lock.
 */
final class SourceHealth implements SourceStatus.Provider {

    /** How often an offline source is asked again while known metadata can be served instead. */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger(SourceHealth.class.getName());

    private final String name;
    private final InstantSource clock;
    private final Duration staleIfError;
    /** Null while online; volatile so that {@link #answered} of an online source takes no lock. */
    private volatile Instant offlineSince;
    private Instant onlineSince = Instant.EPOCH;
    private String cause = "";
    private Instant lastAttempt = Instant.MIN;
    /** Until when the stale data served since going offline may still be served (MIN: none served). */
    private Instant staleUntil = Instant.MIN;

    /**
     * Tracks the source {@code name} (for the log lines), timed by {@code clock}; stale data is
     * served at most {@code staleIfError} after the source last confirmed it (zero: never).
     */
    SourceHealth(String name, InstantSource clock, Duration staleIfError) {
        this.name = name;
        this.clock = clock;
        this.staleIfError = staleIfError;
    }

    /** Records a definite answer from the source (data, 304, "no such file"). */
    void answered() {
        if (offlineSince == null) {
            return; // online already: the common case, no lock
        }
        synchronized (this) {
            if (offlineSince == null) {
                return;
            }
            LOG.log(Level.WARNING, "source " + name + " is back online (offline since " + offlineSince + ")");
            offlineSince = null;
            onlineSince = clock.instant();
            cause = "";
            staleUntil = Instant.MIN;
        }
    }

    /** Records that the source could not be reached; {@code failure} names why. */
    synchronized void failed(Exception failure) {
        lastAttempt = clock.instant();
        if (offlineSince == null) {
            offlineSince = lastAttempt;
            cause = String.valueOf(failure.getMessage());
            LOG.log(Level.WARNING, "source " + name + " is offline: " + cause
                    + (staleIfError.isZero() ? "" : "; serving what is cached (stale-if-error) until it is back"));
        }
    }

    /**
     * Records that stale data was served because the source is offline: data the source last
     * confirmed at {@code confirmedAt}, so servable up to {@code --stale-if-error} after it.
     */
    synchronized void servedStale(Instant confirmedAt) {
        if (offlineSince == null) {
            return; // answered in place of a failure that did not mark the source offline: nothing to show
        }
        Instant until = confirmedAt.plus(staleIfError);
        if (until.isAfter(staleUntil)) {
            staleUntil = until;
        }
    }

    /**
     * Records that stale data of unknown age was served (attributes or a link target saved on
     * open): counted as confirmed when the source went offline, the latest it can have been.
     */
    synchronized void servedStale() {
        if (offlineSince != null) {
            servedStale(offlineSince);
        }
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

    /**
     * Returns the state now: online; stale while offline and some data served stale is still
     * within its limit (healthy: the mirror answers from what it knew); else offline.
     */
    @Override
    public synchronized SourceStatus status() {
        if (offlineSince == null) {
            return new SourceStatus(SourceStatus.State.ONLINE, onlineSince, "");
        }
        boolean stale = clock.instant().isBefore(staleUntil);
        return new SourceStatus(stale ? SourceStatus.State.STALE : SourceStatus.State.OFFLINE, offlineSince, cause);
    }
}
