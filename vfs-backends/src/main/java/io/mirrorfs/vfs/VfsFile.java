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

    /**
     * Reads exactly as {@link #read(long, ByteBuffer)} does, on behalf of a reader that will read
     * nothing at or past {@code readerEnd}: the archive layer reading one member's bytes out of the
     * archive file passes the end of that member's data (stored or compressed).
     *
     * <p>It is a hint about fetching ahead, never a limit on this read: the bytes asked for are
     * returned even where they lie past {@code readerEnd}. A handle that fetches more than it is
     * asked for (a cache's read-ahead, an HTTP request window growing for a sequential reader)
     * should not fetch past {@code readerEnd} on this reader's behalf; rounding up to its own unit
     * (a cache block, the length asked for) is fine. Handles that do not fetch ahead ignore it,
     * which is what this default does.
     *
     * <p>Why per read rather than per handle: one handle on an archive file serves every member
     * read from that archive, concurrently, and its central directory too. An end carried by
     * each read is exact for the reader that issued it and cannot hold back another reader of the
     * same handle; a reader that passes none ({@link #read(long, ByteBuffer)}) gets the handle's
     * usual fetching ahead.
     *
     * @param readerEnd the offset after the last byte this reader will read; at most the file size
     *                  is meaningful, {@link Long#MAX_VALUE} means "no hint"
     */
    default int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        return read(offset, dst);
    }

    /**
     * Tells the handle that a reader now reads sequentially from {@code offset} on, as
     * {@code posix_fadvise(POSIX_FADV_SEQUENTIAL)} does for a file: a handle that tells random
     * from sequential reading by what it has seen (a cache fetching small ranges for random reads
     * and whole blocks for sequential ones) may take the next read at {@code offset} for the
     * start of a sequential one. The archive layer says so before reading a large zip member
     * from its local header on, so that header and data come in one stream (over FTP, one RETR
     * instead of a second one stopped early). A hint only, for the next read; this default
     * ignores it.
     */
    default void adviseSequential(long offset) {
    }

    /**
     * Returns whether a read can ask the server for a range with an end (HTTP Range), so that
     * several handles reading stripes of one file ahead of a reader cost no more upstream than
     * one. False where a transfer starts at an offset and runs on to the end of the file (FTP
     * REST + RETR): each stripe stopped early costs the server's whole send buffer again (vsftpd
     * counts 4 MiB on loopback), so the cache reads such a file ahead on one stream only.
     */
    default boolean rangesHaveEnds() {
        return true;
    }

    /**
     * Returns another handle on the same version of this file, made without asking the server
     * (it pins the same validator), for reading another part of the file in parallel; empty when
     * a new handle must be opened through the source, which this default says. Why: over a long
     * link every request costs a round trip, and opening a handle through the source asks for
     * the file's attributes first (an HTTP HEAD), so each extra read-ahead lane started one round
     * trip later than it could.
     */
    default java.util.Optional<VfsFile> duplicate() {
        return java.util.Optional.empty();
    }

    /** Releases connections or streams held for this handle. Idempotent. */
    @Override
    void close() throws IOException;
}
