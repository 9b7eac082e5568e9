package io.mirrorfs.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Loads a value into a Caffeine {@link AsyncCache} so that concurrent callers for one key share
 * one load, run on the calling thread.
 *
 * <p>Why not {@code AsyncCache.get(key, function)}: that runs the load on an executor (a thread
 * hop per miss), and the synchronous cache's {@code get} holds a hash-bin lock during the load,
 * which would stall unrelated keys while a slow server answers. Here the first caller installs an
 * incomplete future with {@code putIfAbsent}, loads, and completes it; later callers wait on that
 * future. A failed future is dropped by Caffeine, so the next caller loads again. Stateless.
 */
final class SingleFlight {

    private SingleFlight() {
    }

    /** Outcome of {@link #load}: the value and whether this caller did the loading. */
    record Loaded<V>(V value, boolean loadedHere) {
    }

    /**
     * Returns the value for {@code key}, loading it with {@code loader} on this thread unless the
     * cache holds it or another thread is loading it. A load that failed in another thread is
     * retried once here, so one caller's closed handle does not fail its neighbours.
     */
    static <K, V> Loaded<V> load(AsyncCache<K, V> cache, K key, IoSupplier<V> loader) throws IOException {
        for (int attempt = 0; ; attempt++) {
            CompletableFuture<V> existing = cache.getIfPresent(key);
            if (existing == null) {
                CompletableFuture<V> mine = new CompletableFuture<>();
                existing = cache.asMap().putIfAbsent(key, mine);
                if (existing == null) {
                    return new Loaded<>(complete(mine, loader), true);
                }
            }
            try {
                return new Loaded<>(await(existing), false);
            } catch (IOException | RuntimeException e) {
                if (attempt >= 1) {
                    throw e;
                }
                cache.asMap().remove(key, existing);
            }
        }
    }

    private static <V> V complete(CompletableFuture<V> mine, IoSupplier<V> loader) throws IOException {
        try {
            V value = loader.get();
            mine.complete(value);
            return value;
        } catch (IOException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** Waits for {@code future}, unwrapping its failure into the exception the loader threw. */
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
