package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The open archives, by key (location plus version). The first access to an archive runs its
 * loader (the indexing pass) in the calling thread; concurrent accesses to the same archive wait
 * for that one pass, while accesses to anything else proceed. A failed load is remembered for its
 * key, so a corrupt archive is reported (and logged) once, not re-read on every access. The most
 * recently used archives stay open, within a count and the checkpoint memory budget. Thread-safe.
 */
final class ArchiveRegistry {

    /** Loads one archive. */
    @FunctionalInterface
    interface Loader {
        /** Returns the opened archive holding one reference, which the registry takes over. */
        OpenArchive load() throws IOException;
    }

    private static final int MAX_FAILURES = 1024;

    private final ConcurrentHashMap<String, CompletableFuture<OpenArchive>> archives = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, OpenArchive> recent = new LinkedHashMap<>(16, 0.75f, true);
    private final int maxOpen;
    private final long memoryBudget;
    private long weight;

    /** Creates a registry keeping at most {@code maxOpen} archives and {@code memoryBudget} checkpoint bytes. */
    ArchiveRegistry(int maxOpen, long memoryBudget) {
        this.maxOpen = maxOpen;
        this.memoryBudget = memoryBudget;
    }

    /** Returns the archive for {@code key}, loading it once if needed, with a reference the caller must release. */
    OpenArchive acquire(String key, Loader loader) throws IOException {
        while (true) {
            CompletableFuture<OpenArchive> mine = new CompletableFuture<>();
            CompletableFuture<OpenArchive> future = archives.putIfAbsent(key, mine);
            if (future == null) {
                future = mine;
                load(key, loader, mine);
            }
            OpenArchive archive = await(future);
            if (archive.retain()) {
                touch(key);
                return archive;
            }
            archives.remove(key, future); // evicted between lookup and retain: load again
        }
    }

    /** Releases every cached archive (open member handles keep theirs until closed). */
    void close() {
        List<OpenArchive> all;
        synchronized (recent) {
            all = new ArrayList<>(recent.values());
            recent.clear();
            weight = 0;
        }
        archives.clear();
        all.forEach(OpenArchive::release);
    }

    private void load(String key, Loader loader, CompletableFuture<OpenArchive> future) {
        try {
            OpenArchive archive = loader.load();
            List<OpenArchive> evicted = admit(key, archive);
            future.complete(archive);
            evicted.forEach(OpenArchive::release);
        } catch (IOException | RuntimeException | Error e) {
            future.completeExceptionally(e);
            if (archives.size() > MAX_FAILURES) {
                archives.entrySet().removeIf(en -> en.getValue().isCompletedExceptionally());
            }
        }
    }

    private List<OpenArchive> admit(String key, OpenArchive archive) {
        List<OpenArchive> evicted = new ArrayList<>();
        synchronized (recent) {
            recent.put(key, archive);
            weight += archive.weight();
            Iterator<Map.Entry<String, OpenArchive>> it = recent.entrySet().iterator();
            while ((recent.size() > maxOpen || weight > memoryBudget) && recent.size() > 1) {
                Map.Entry<String, OpenArchive> eldest = it.next();
                if (eldest.getKey().equals(key)) {
                    continue;
                }
                it.remove();
                weight -= eldest.getValue().weight();
                archives.remove(eldest.getKey());
                evicted.add(eldest.getValue());
            }
        }
        return evicted;
    }

    private void touch(String key) {
        synchronized (recent) {
            recent.get(key);
        }
    }

    private static OpenArchive await(CompletableFuture<OpenArchive> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for an archive to be indexed");
        } catch (CancellationException e) {
            throw new IOException("archive indexing was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw copy(io);
            }
            if (cause instanceof UncheckedIOException u) {
                throw copy(u.getCause());
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

    /** A fresh exception per waiter, with the original as cause: exceptions are not shared between threads. */
    private static IOException copy(IOException original) {
        if (original instanceof java.nio.file.NoSuchFileException n) {
            return new java.nio.file.NoSuchFileException(n.getFile(), n.getOtherFile(), n.getReason());
        }
        return new IOException(original.getMessage(), original);
    }
}
