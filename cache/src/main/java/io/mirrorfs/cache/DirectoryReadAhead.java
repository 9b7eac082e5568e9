package io.mirrorfs.cache;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Read-ahead for directory walks: when a directory is listed right after its parent (what
 * {@code find}, {@code du}, {@code ls -R} and {@code rsync} do), the listings of the next few
 * sibling directories are fetched in the background, so the walker finds them in memory.
 *
 * <p>Why: a walker lists one directory at a time, and each listing is a round trip plus a parse
 * (a few milliseconds over HTTP, several FTP commands); the walker's own work between two
 * listings is small. Measured with {@code integration-tests/bench/http-bench.sh}: see the README.
 * Only a walk triggers it (a child listed while its parent's listing is fresh), and then only
 * {@link #siblings} ahead in the parent's order, so {@code ls} of one directory never costs extra
 * requests, and a walk asks for nothing it would not ask for anyway a moment later.
 *
 * <p>Bounded: at most {@link #parallel} listings of one source at a time on the shared
 * read-ahead executor (a stalled source holds no more threads than that), at most
 * {@link #MAX_PENDING} queued. Failures are only logged: the walker's own listing then asks
 * again and reports the source's error itself. Thread-safe.
 */
final class DirectoryReadAhead {

    private static final System.Logger LOG = System.getLogger(DirectoryReadAhead.class.getName());
    /** Queued listings at most; a walk refills the queue as it moves on. */
    static final int MAX_PENDING = 64;

    private final CachingVfs owner;
    private final MetadataCache metadata;
    private final int siblings;
    private final int parallel;
    private final ArrayDeque<VfsPath> pending = new ArrayDeque<>(); // guarded by this
    private final Set<VfsPath> queuedOrRunning = new HashSet<>(); // guarded by this
    private int drainers; // guarded by this

    /**
     * @param siblings how many sibling directories to list ahead of a walker; 0 disables it
     * @param parallel listings of this source at once, at most
     */
    DirectoryReadAhead(CachingVfs owner, MetadataCache metadata, int siblings, int parallel) {
        this.owner = owner;
        this.metadata = metadata;
        this.siblings = siblings;
        this.parallel = Math.max(1, parallel);
    }

    /** Notes that {@code dir} was just listed; queues its next sibling directories if a walk is going on. */
    void listed(VfsPath dir) {
        if (siblings <= 0) {
            return;
        }
        Optional<VfsPath> parent = dir.parent();
        if (parent.isEmpty()) {
            return;
        }
        Optional<List<DirEntry>> family = metadata.peekListing(parent.get());
        if (family.isEmpty()) {
            return; // no fresh parent listing: not a walk
        }
        List<DirEntry> entries = family.get();
        int at = indexOf(entries, dir.name());
        if (at < 0) {
            return;
        }
        int queued = 0;
        for (int i = at + 1; i < entries.size() && queued < siblings; i++) {
            DirEntry e = entries.get(i);
            if (e.type() != FileType.DIRECTORY) {
                continue;
            }
            queued++;
            VfsPath next = parent.get().resolve(e.name());
            if (!metadata.isListedOrListing(next)) {
                enqueue(next);
            }
        }
        startDrainers();
    }

    private static int indexOf(List<DirEntry> entries, String name) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private synchronized void enqueue(VfsPath dir) {
        if (pending.size() < MAX_PENDING && queuedOrRunning.add(dir)) {
            pending.add(dir);
        }
    }

    private void startDrainers() {
        while (true) {
            synchronized (this) {
                if (pending.isEmpty() || drainers >= parallel) {
                    return;
                }
                drainers++;
            }
            if (!owner.cache().submitReadAhead(this::drain)) {
                synchronized (this) {
                    drainers--; // the executor is saturated: the walker lists on its own
                }
                return;
            }
        }
    }

    private void drain() {
        while (true) {
            VfsPath dir;
            synchronized (this) {
                dir = pending.poll();
                if (dir == null) {
                    drainers--;
                    return;
                }
            }
            try {
                owner.listForReadAhead(dir);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "directory read-ahead of " + owner.describe() + dir + " failed: " + e);
            } finally {
                synchronized (this) {
                    queuedOrRunning.remove(dir);
                }
            }
        }
    }

    /** Returns the number of listings queued or running; for tests. */
    synchronized int backlog() {
        return queuedOrRunning.size();
    }
}
