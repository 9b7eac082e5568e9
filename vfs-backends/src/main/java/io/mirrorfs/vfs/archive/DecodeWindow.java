package io.mirrorfs.vfs.archive;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One decoder running forward through decompressed data, with the last bytes it produced kept in
 * {@link #CHUNK}-sized pieces: {@link #BEHIND} bytes behind the furthest read and up to
 * {@link #AHEAD} decoded ahead of it on a read-ahead thread once reads come in sequence.
 *
 * <p>Why: FUSE serves one sequential reader's 128 KiB requests on several threads, so they
 * arrive slightly out of order; a decoder that can only go forward restarted from the member's
 * start for every late request (measured: a 256 MiB zip member of zeros fell to 12 MB/s, each
 * restart costing more as the offset grew). Kept pieces serve the late ones, and decoding ahead
 * overlaps the decoder with the copies to the kernel, as a source keeps an HTTP body open.
 *
 * <p>Decoding stops at {@code limit}, the size the index or the zip directory declared: a bomb
 * yields no more than it declared, and data ending before it is an error for the read that
 * reaches the end. Thread-safe: the decoder runs under {@code decodeLock}, one piece at a time;
 * the pieces are guarded by this object, so readers of decoded bytes never wait for the decoder.
 */
final class DecodeWindow {

    /** The piece of decoded data made and kept at a time. */
    static final int CHUNK = 256 * 1024;
    /** Bytes kept behind the furthest read, for FUSE's late requests (the kernel has its read and 1 MiB of read-ahead in flight, served in any order by busy threads). */
    static final long BEHIND = 4L << 20;
    /** Bytes decoded ahead of a sequential reader. */
    static final long AHEAD = 2L << 20;
    /** Most decoded bytes held. */
    static final long CAPACITY = BEHIND + AHEAD + CHUNK;
    /** What {@link #read} returns when this window cannot serve the offset (closed, or already past it). */
    static final int MISS = -2;

    private final DecodedCursor cursor; // guarded by decodeLock
    private final ReentrantLock decodeLock = new ReentrantLock(true); // fair: a reader is not starved by read-ahead
    private final long limit;
    private final ForwardDecoders pool;
    private final ArrayDeque<byte[]> pieces = new ArrayDeque<>(); // guarded by this; each CHUNK long but the last
    private long start; // decoded offset of the first byte held; guarded by this
    private long end; // decoded offset after the last byte held, the decoder's position; guarded by this
    private int lastLength; // bytes in the last piece; guarded by this
    private boolean finished; // the decoder returned the end of the data; guarded by this
    private boolean closed; // guarded by this
    private boolean broken; // the decoder failed midway; guarded by this
    private long readEnd = -1; // end of the latest read; guarded by this
    private int streak; // reads in a row that continued near the previous one; guarded by this
    private boolean aheadQueued; // guarded by this
    private byte[] spare; // a dropped piece, reused; guarded by decodeLock

    DecodeWindow(DecodedCursor cursor, long limit, ForwardDecoders pool) {
        this.cursor = cursor;
        this.limit = limit;
        this.pool = pool;
        this.start = cursor.position();
        this.end = start;
    }

    /**
     * Returns how many bytes must be decoded before {@code offset} can be served: 0 if held, or
     * within {@link #AHEAD} of a sequential reader's furthest read (the decoder is on its way
     * there: a checkpoint the decoder has just learned, a piece ahead of what it has published,
     * must not draw the reader's next request to a decoder of its own); the distance ahead of
     * the decoder; or {@link Long#MAX_VALUE} if it lies behind what is held or the window is closed.
     */
    synchronized long distance(long offset) {
        if (closed || broken || offset < start) {
            return Long.MAX_VALUE;
        }
        if (streak >= 2 && offset - readEnd <= AHEAD) {
            return 0;
        }
        return Math.max(0, offset - end);
    }

    /**
     * Copies up to {@code want} bytes at {@code offset} into {@code dst}, decoding up to them;
     * returns the count, -1 if the data ended before {@code offset}, or {@link #MISS}.
     */
    int read(long offset, ByteBuffer dst, int want) throws IOException {
        int done = 0;
        while (done < want) {
            int n = copy(offset + done, dst, want - done);
            if (n == 0) {
                if (!decodeUpTo(offset + done + 1)) {
                    break;
                }
                continue;
            }
            if (n < 0) {
                return done > 0 ? done : MISS;
            }
            done += n;
        }
        if (done == 0) {
            return isClosed() ? MISS : -1;
        }
        noteRead(offset, offset + done);
        return done;
    }

    /** Closes the decoder and drops the pieces; readers get {@link #MISS} from now on. */
    void close() {
        decodeLock.lock();
        try {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                pieces.clear();
            }
            cursor.close();
        } catch (IOException e) {
            // a decoder's end frees memory only; nothing to report to a reader
        } finally {
            decodeLock.unlock();
            pool.closed(this);
        }
    }

    /** Returns whether the window was closed or its decoder failed: it serves nothing more. */
    synchronized boolean isClosed() {
        return closed || broken;
    }

    /** Copies held bytes at {@code pos}: the count, 0 if not decoded yet, -1 if behind the window or closed. */
    private synchronized int copy(long pos, ByteBuffer dst, int max) {
        if (closed || broken || pos < start) {
            return -1;
        }
        if (pos >= end) {
            return 0;
        }
        long rel = pos - start;
        int index = (int) (rel / CHUNK);
        int at = (int) (rel % CHUNK);
        int done = 0;
        int i = 0;
        for (byte[] piece : pieces) {
            if (i++ < index) {
                continue;
            }
            int length = i == pieces.size() ? lastLength : CHUNK;
            int n = Math.min(max - done, length - at);
            if (n <= 0) {
                break;
            }
            dst.put(piece, at, n);
            done += n;
            at = 0;
            if (done == max) {
                break;
            }
        }
        return done;
    }

    /** Decodes until {@code target} is held or the data ends; false if nothing more can be decoded. */
    private boolean decodeUpTo(long target) throws IOException {
        decodeLock.lock();
        try {
            while (true) {
                synchronized (this) {
                    if (closed || broken) {
                        return false;
                    }
                    if (end >= target) {
                        return true;
                    }
                    if (finished) {
                        return false;
                    }
                }
                decodePiece(false);
            }
        } finally {
            decodeLock.unlock();
        }
    }

    /** Decodes up to one piece; the caller holds {@code decodeLock} and checked the window is open. */
    private void decodePiece(boolean ahead) throws IOException {
        byte[] piece;
        int filled;
        synchronized (this) {
            boolean lastFull = pieces.isEmpty() || lastLength == CHUNK;
            piece = lastFull ? null : pieces.peekLast();
            filled = lastFull ? 0 : lastLength;
        }
        if (piece == null) {
            piece = spare != null ? spare : new byte[CHUNK];
            spare = null;
        }
        int got = 0;
        long position = cursor.position();
        try {
            while (filled + got < CHUNK && position + got < limit) {
                int n = cursor.read(piece, filled + got, (int) Math.min(CHUNK - filled - got, limit - position - got));
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (IOException | RuntimeException e) {
            // The decoder has moved past bytes that were never published: its position no longer
            // matches the window's end, so nothing more may come from it.
            synchronized (this) {
                broken = true;
            }
            throw e;
        }
        boolean ended = filled + got < CHUNK;
        pool.decoded.add(got);
        if (ahead) {
            pool.decodedAhead.add(got);
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            if (filled == 0) {
                if (got == 0) {
                    spare = piece;
                    finished = true;
                    return;
                }
                pieces.addLast(piece);
            }
            lastLength = filled + got;
            end += got;
            finished = ended;
            while (end - start > CAPACITY && pieces.size() > 1) {
                spare = pieces.removeFirst();
                start += CHUNK;
            }
        }
    }

    /** Counts a served read and, once reads come in sequence, keeps the decoder {@link #AHEAD} of them. */
    private void noteRead(long from, long to) {
        synchronized (this) {
            boolean near = readEnd >= 0 && Math.abs(from - readEnd) <= BEHIND;
            streak = near ? streak + 1 : 0;
            readEnd = Math.max(near ? readEnd : 0, to);
            if (streak < 2 || aheadQueued || finished || closed || end - readEnd >= AHEAD / 2) {
                return;
            }
            aheadQueued = true;
        }
        pool.touch(this);
        if (!pool.submit(this::decodeAhead)) {
            synchronized (this) {
                aheadQueued = false;
            }
        }
    }

    /** Runs on a read-ahead thread: decodes piece by piece, letting readers take the lock between pieces. */
    private void decodeAhead() {
        try {
            while (true) {
                decodeLock.lock();
                try {
                    synchronized (this) {
                        if (closed || broken || finished || end >= Math.min(readEnd + AHEAD, limit)) {
                            return;
                        }
                    }
                    decodePiece(true);
                } finally {
                    decodeLock.unlock();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the reader that needs these bytes decodes them itself and reports the error
        } finally {
            synchronized (this) {
                aheadQueued = false;
            }
        }
    }
}
