package io.mirrorfs.cache;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a source is usable now, as {@code /healthz} and the {@code mirrorfs_source_state}
 * gauge show it. Immutable.
 *
 * @param state  online, offline or stale
 * @param since  when the source entered this state ({@link Instant#EPOCH} if it always was); for
 *               stale, when it went offline
 * @param reason why, for offline and stale (the last failure); empty when online
 */
public record SourceStatus(State state, Instant since, String reason) {

    /** The states of a source. */
    public enum State {
        /** Its requests succeed. */
        ONLINE,
        /** Its requests fail; only what is cached can be read. */
        OFFLINE,
        /** Upstream fails but cached data is being served within {@code --stale-if-error} (healthy). */
        STALE;

        /** Returns the lower-case name used as a metric label. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The status of a source that never failed. */
    public static final SourceStatus ONLINE = new SourceStatus(State.ONLINE, Instant.EPOCH, "");

    /** Checks that every part is present. */
    public SourceStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(reason, "reason");
    }

    /** Returns whether the mirror can serve this source as a health check sees it: online or stale. */
    public boolean healthy() {
        return state != State.OFFLINE;
    }

    /**
     * Returns the state as the stats file shows it: "online", "offline since T" or "offline since
     * T, serving stale" (T in whole seconds, UTC).
     */
    public String describe() {
        String offline = "offline since " + since.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return switch (state) {
            case ONLINE -> "online";
            case OFFLINE -> offline;
            case STALE -> offline + ", serving stale";
        };
    }

    /**
     * The current status of one source. Each {@link CachingVfs} installs its stale-if-error state
     * (online, offline since T, serving stale within the limit) through
     * {@link BlockCache#useStatusProvider}; a source without one shows online. Implementations are
     * thread-safe and cheap: a scrape, a health check and every render of the stats file call them.
     */
    @FunctionalInterface
    public interface Provider {
        /** Returns the status now. */
        SourceStatus status();
    }
}
