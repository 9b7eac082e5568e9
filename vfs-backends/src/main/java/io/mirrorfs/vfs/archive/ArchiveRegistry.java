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
 * recently used archives stay open, within a count.
 *
 * <p>Checkpoint memory: a load takes its checkpoints from the {@link CheckpointMemory} through
 * the account it is given, and the registry keeps those bytes counted for as long as the archive
 * lives, which may be after the registry let go of it (a member handle still open holds it).
 * When a take does not fit, the memory asks {@link #reclaim}: archives no longer alive give their
 * bytes back, and the least recently used archive is let go of. Thread-safe.
 */
final class ArchiveRegistry {

    /** Loads one archive. */
    @FunctionalInterface
    interface Loader {
        /**
         * Returns the opened archive holding one reference, which the registry takes over; its
         * checkpoints are taken through {@code memory}, whose bytes the registry then owns.
         */
        OpenArchive load(CheckpointMemory.Account memory) throws IOException;
    }

    private static final int MAX_FAILURES = 1024;

    private final ConcurrentHashMap<String, CompletableFuture<OpenArchive>> archives = new ConcurrentHashMap<>();
    /** Guards itself and {@link #retired}. */
    private final LinkedHashMap<String, Held> recent = new LinkedHashMap<>(16, 0.75f, true);
    /** Archives let go of whose checkpoint bytes are still counted, until they are found closed. */
    private final List<Held> retired = new ArrayList<>();
    private final int maxOpen;
    private final CheckpointMemory memory;

    /** An archive and the checkpoint bytes counted for it. */
    private record Held(OpenArchive archive, long bytes) {
    }

    /** Creates a registry keeping at most {@code maxOpen} archives, their checkpoints counted in {@code memory}. */
    ArchiveRegistry(int maxOpen, CheckpointMemory memory) {
        this.maxOpen = maxOpen;
        this.memory = memory;
        memory.reclaimer(this::reclaim);
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

    /** Releases every cached archive (open member handles keep theirs until closed) and gives back all checkpoint bytes. */
    void close() {
        List<Held> cached;
        List<Held> letGo;
        synchronized (recent) {
            cached = new ArrayList<>(recent.values());
            letGo = new ArrayList<>(retired);
            recent.clear();
            retired.clear();
        }
        archives.clear();
        for (Held h : cached) {
            memory.give(h.bytes());
        }
        for (Held h : letGo) {
            memory.give(h.bytes());
        }
        cached.forEach(h -> h.archive().release());
    }

    /**
     * Frees checkpoint memory: gives back the bytes of let-go archives that have closed since, or
     * else lets go of the least recently used archive holding checkpoints. Returns false when
     * there was nothing to do. Called by {@link CheckpointMemory} when a take does not fit.
     */
    boolean reclaim() {
        if (sweep()) {
            return true;
        }
        Held eldest = null;
        synchronized (recent) {
            Iterator<Map.Entry<String, Held>> it = recent.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Held> e = it.next();
                if (e.getValue().bytes() > 0) {
                    eldest = e.getValue();
                    it.remove();
                    archives.remove(e.getKey());
                    retired.add(eldest);
                    break;
                }
            }
        }
        if (eldest == null) {
            return false;
        }
        eldest.archive().release();
        sweep();
        return true;
    }

    private void load(String key, Loader loader, CompletableFuture<OpenArchive> future) {
        try (CheckpointMemory.Account account = memory.account()) {
            OpenArchive archive = loader.load(account);
            List<Held> evicted = admit(key, new Held(archive, account.transfer()));
            future.complete(archive);
            evicted.forEach(h -> h.archive().release());
            if (!evicted.isEmpty()) {
                sweep();
            }
        } catch (IOException | RuntimeException | Error e) {
            future.completeExceptionally(e);
            if (archives.size() > MAX_FAILURES) {
                archives.entrySet().removeIf(en -> en.getValue().isCompletedExceptionally());
            }
        }
    }

    private List<Held> admit(String key, Held held) {
        List<Held> evicted = new ArrayList<>();
        synchronized (recent) {
            recent.put(key, held);
            Iterator<Map.Entry<String, Held>> it = recent.entrySet().iterator();
            while (recent.size() > maxOpen && it.hasNext()) {
                Map.Entry<String, Held> eldest = it.next();
                if (eldest.getKey().equals(key)) {
                    continue;
                }
                it.remove();
                archives.remove(eldest.getKey());
                evicted.add(eldest.getValue());
                if (eldest.getValue().bytes() > 0) {
                    retired.add(eldest.getValue());
                }
            }
        }
        return evicted;
    }

    /** Gives back the checkpoint bytes of let-go archives that have closed; returns whether there were any. */
    private boolean sweep() {
        List<Held> candidates;
        synchronized (recent) {
            if (retired.isEmpty()) {
                return false;
            }
            candidates = new ArrayList<>(retired);
        }
        List<Held> closed = new ArrayList<>();
        for (Held h : candidates) {
            if (closed(h)) { // outside the lock: the probe may close the archive's resources
                closed.add(h);
            }
        }
        synchronized (recent) {
            closed.removeIf(h -> !retired.remove(h)); // a concurrent sweep may have given it back already
        }
        for (Held h : closed) {
            memory.give(h.bytes());
        }
        return !closed.isEmpty();
    }

    /**
     * Returns whether {@code h}'s archive has closed (its last reference released). An archive
     * still open is retained and released again to find out, which closes it if that was the
     * last reference meanwhile; the next sweep then finds it closed.
     */
    private static boolean closed(Held h) {
        if (!h.archive().retain()) {
            return true;
        }
        h.archive().release();
        return false;
    }

    /** Marks {@code key} used; gives back the bytes of let-go archives closed since, so the block cache regains them soon. */
    private void touch(String key) {
        boolean letGo;
        synchronized (recent) {
            recent.get(key);
            letGo = !retired.isEmpty();
        }
        if (letGo) {
            sweep();
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
