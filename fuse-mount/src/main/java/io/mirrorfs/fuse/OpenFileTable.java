package io.mirrorfs.fuse;

import io.mirrorfs.vfs.VfsFile;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The open-handle table: FUSE file handles to open {@link VfsFile}s. Thread-safe. */
final class OpenFileTable {

    private final ConcurrentHashMap<Long, VfsFile> files = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Registers {@code file} and returns its new handle (never 0). */
    long add(VfsFile file) {
        long handle = nextHandle.getAndIncrement();
        files.put(handle, file);
        return handle;
    }

    /** Returns the file for {@code handle}, if it is open. */
    Optional<VfsFile> get(long handle) {
        return Optional.ofNullable(files.get(handle));
    }

    /** Removes and returns the file for {@code handle}, if it was open. */
    Optional<VfsFile> remove(long handle) {
        return Optional.ofNullable(files.remove(handle));
    }

    /** Returns the number of open handles. */
    int size() {
        return files.size();
    }
}
