package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * A Caffeine cache of completed values plus the loads in progress, so that concurrent callers
 * for one key share one load, run on the first caller's thread.
 *
 * <p>Why not Caffeine's own loading: {@code AsyncCache.get(key, function)} runs the load on an
 * executor (a thread hop per miss) and logs a stack trace for every failed load (an unreachable
 * server would flood the log); the synchronous {@code Cache.get} holds a hash-bin lock during the
 * load, stalling unrelated keys while a slow server answers. Here a load in progress is a future
 * in a map of its own; only successful values enter the cache, and failures reach every waiter
 * as the loader's own exception. Thread-safe.
 */
final class SingleFlight<K, V> {

    private final Cache<K, V> cache;
    private final ConcurrentHashMap<K, CompletableFuture<V>> loading = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder waits = new java.util.concurrent.atomic.LongAdder();

    SingleFlight(Cache<K, V> cache) {
        this.cache = cache;
    }

    /** Outcome of {@link #load}: the value and whether this caller's loader created it. */
    record Loaded<V>(V value, boolean loadedHere) {
    }

    /** Returns the cache of completed values. */
    Cache<K, V> cache() {
        return cache;
    }

    /** Returns whether {@code key} is being loaded now. */
    boolean isLoading(K key) {
        return loading.containsKey(key);
    }

    /** Returns how many callers waited for a load another thread had started. */
    long waits() {
        return waits.sum();
    }

    /** Returns whether {@code key} is cached or being loaded. */
    boolean isPresentOrLoading(K key) {
        return loading.containsKey(key) || cache.asMap().containsKey(key);
    }

    /**
     * Returns the value for {@code key}, loading it with {@code loader} on this thread unless the
     * cache holds it or another thread is loading it. A load that failed in another thread is
     * retried once here, so one caller's closed handle does not fail its neighbours.
     */
    Loaded<V> load(K key, IoSupplier<V> loader) throws IOException {
        return loadUnless(key, v -> true, loader);
    }

    /**
     * As {@link #load}, but a cached value that fails {@code usable} (an expired listing kept for
     * its validator) is loaded again, by one caller while the others wait for its result.
     */
    Loaded<V> loadUnless(K key, java.util.function.Predicate<V> usable, IoSupplier<V> loader) throws IOException {
        for (int attempt = 0; ; attempt++) {
            V cached = cache.getIfPresent(key);
            if (cached != null && usable.test(cached)) {
                return new Loaded<>(cached, false);
            }
            CompletableFuture<V> mine = new CompletableFuture<>();
            CompletableFuture<V> other = loading.putIfAbsent(key, mine);
            if (other == null) {
                return loadHere(key, mine, usable, loader);
            }
            waits.increment();
            try {
                return new Loaded<>(await(other), false);
            } catch (IOException | RuntimeException e) {
                if (attempt >= 1) {
                    throw e;
                }
            }
        }
    }

    private Loaded<V> loadHere(K key, CompletableFuture<V> mine, java.util.function.Predicate<V> usable, IoSupplier<V> loader)
            throws IOException {
        try {
            V value = cache.getIfPresent(key); // it may have landed between our two lookups
            boolean created = value == null || !usable.test(value);
            if (created) {
                value = loader.get();
                cache.put(key, value);
            }
            mine.complete(value);
            return new Loaded<>(value, created);
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, mine);
        }
    }

    /** Waits for {@code future}, rethrowing its failure as the exception the loader threw. */
    static <V> V await(CompletableFuture<V> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a fetch");
        } catch (CancellationException e) {
            throw new IOException("fetch cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io; // the loader's own type, so NoSuchFileException stays ENOENT for waiters too
            }
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }
}
