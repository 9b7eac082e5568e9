package io.mirrorfs.vfs.http;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * HTTP-specific limits of a source, beyond the shared {@link io.mirrorfs.vfs.SourceOptions}.
 *
 * @param maxListingBytes a directory page larger than this fails (hostile or runaway pages)
 * @param maxEntries      entries of one page beyond this many are dropped with a warning
 * @param listingTtl      how long a parsed listing (and sizes learnt by HEAD) is reused
 * @param maxRedirects    redirects followed per request (RFC 9110 section 15.4 suggests a bound)
 * @param clock           the time source for listing expiry
 * @param resolver        turns a host name into the addresses connections try, in order
 */
record HttpSettings(long maxListingBytes, int maxEntries, Duration listingTtl, int maxRedirects, InstantSource clock,
                    DnsResolver resolver) {

    /** 32 MiB pages, a million entries, 30 s listings, 5 redirects, the system clock and resolver. */
    static final HttpSettings DEFAULTS = new HttpSettings(32L << 20, 1_000_000, Duration.ofSeconds(30), 5, InstantSource.system(),
            SystemDefaultDnsResolver.INSTANCE);

    /** Validates the limits. */
    HttpSettings {
        Objects.requireNonNull(listingTtl, "listingTtl");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(resolver, "resolver");
        if (maxListingBytes < 1024 || maxEntries < 1 || maxRedirects < 0 || listingTtl.isNegative()) {
            throw new IllegalArgumentException("bad HTTP limits: pages " + maxListingBytes + " bytes, " + maxEntries
                    + " entries, " + maxRedirects + " redirects, ttl " + listingTtl);
        }
    }

    /** Returns these settings with another listing limit. */
    HttpSettings withMaxListingBytes(long bytes) {
        return new HttpSettings(bytes, maxEntries, listingTtl, maxRedirects, clock, resolver);
    }

    /** Returns these settings with another resolver (tests: a host with several addresses). */
    HttpSettings withResolver(DnsResolver other) {
        return new HttpSettings(maxListingBytes, maxEntries, listingTtl, maxRedirects, clock, other);
    }
}
