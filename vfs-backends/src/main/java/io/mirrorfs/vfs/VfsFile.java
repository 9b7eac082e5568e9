package io.mirrorfs.vfs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An open regular file: ranged reads of one pinned version.
 *
 * <p>The handle pins the {@link FileAttrs#version() version} seen when it was opened. If the
 * upstream content changes, reads fail with {@link StaleFileException} rather than returning a
 * mix of old and new bytes. Implementations are safe for concurrent {@link #read} calls from
 * several threads (FUSE issues reads out of order and in parallel).
 */
public interface VfsFile extends Closeable {

    /** Returns the attributes pinned at open time. */
    FileAttrs attrs();

    /**
     * Reads up to {@code dst.remaining()} bytes starting at {@code offset} into {@code dst}.
     *
     * <p>Returns fewer bytes only at the end of the file; returns -1 when {@code offset} is at or
     * past the end.
     *
     * @throws StaleFileException if the content changed since open
     * @throws IOException        on any other failure, naming the source and cause
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /** Releases connections or streams held for this handle. Idempotent. */
    @Override
    void close() throws IOException;
}
