package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.SourceMetrics.ErrorClass;
import io.mirrorfs.vfs.SourceMetrics.RequestKind;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.VfsFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open FTP file: ranged reads of the size and mtime pinned at open.
 *
 * <p>A read continues a transfer this handle parked at exactly its offset, so sequential reads
 * (in any block size) stream one {@code RETR}. Any other read starts a new transfer with
 * {@code REST}; before it starts, the file's size and mtime are checked against the pinned ones,
 * and a difference is a {@link StaleFileException}. A stream that ends before the pinned size, or
 * continues past it, also means the file changed: bytes of two versions are never mixed. A broken
 * transfer is resumed on a fresh connection up to the source's retry count. Parallel reads of one
 * handle each use their own transfer (up to {@link FtpConnectionPool#PARKED_PER_OWNER} stay
 * parked). With more readers than connections, the pool shares its connections by leases (see
 * {@link FtpConnectionPool}): a parked transfer may still be stopped for another handle's read,
 * which then costs this handle one new transfer at its next read. Thread-safe.
 */
final class FtpFile implements VfsFile {

    /** Bytes a broken transfer must have delivered for its failure not to count as a retry. */
    private static final int PROGRESS_RESETS_RETRIES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(FtpFile.class.getName());
    /** A forward seek up to this far reads on and drops the bytes instead of starting a new transfer. */
    static final long MAX_SKIP = 1L << 20;
    /**
     * A read waits for the transfer of an earlier read of this handle that starts or ends up to
     * this far before it: a cache fetching blocks ahead in parallel then gets them from one
     * stream, in order, instead of from streams that leapfrog each other.
     */
    static final long AWAIT_WINDOW = 16L << 20;
    /**
     * A read also waits while this handle has a transfer parked a little before it (up to
     * {@link #AWAIT_WINDOW}) that was parked less than this long ago: the cache's demand reads
     * carry it on within milliseconds, and a second transfer would have to wait for a connection
     * of its own when readers outnumber connections, holding up the reads it should serve.
     */
    static final long PARKED_GRACE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    private final FtpSource source;
    private final FtpConnectionPool pool;
    private final String remotePath;
    private final String display;
    private final FileAttrs pinned;
    private final FtpConnection.Probe baseline;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Guards {@link #inflightEnds}; signalled when a read of this handle parks or drops its transfer. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition parkedOrDone = lock.newCondition();
    /** Where the reads now running on this handle will leave their transfers (a multiset). */
    private final List<Long> inflightEnds = new ArrayList<>();
    /** Where the reads waiting in {@link #continuation} start (a multiset). */
    private final List<Long> waitingStarts = new ArrayList<>();

    /**
     * Creates the handle.
     *
     * @param pinned   the attributes reported (from the listing, so versions agree with stat)
     * @param baseline the exact size and mtime at open, against which transfers are checked
     */
    FtpFile(FtpSource source, String remotePath, String display, FileAttrs pinned, FtpConnection.Probe baseline) {
        this.source = source;
        this.pool = source.pool();
        this.remotePath = remotePath;
        this.display = display;
        this.pinned = pinned;
        this.baseline = baseline;
    }

    @Override
    public FileAttrs attrs() {
        return pinned;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return read(offset, dst, Long.MAX_VALUE);
    }

    /**
     * Reads as {@link #read(long, ByteBuffer)}; a transfer that reaches {@code readerEnd} (the end
     * of an archive member being read) is stopped instead of parked. Why: RETR has no end offset,
     * so a parked transfer keeps the server sending past the member into the socket buffers and
     * holds a pooled connection for as long as the archive handle lives.
     */
    @Override
    public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        return read(offset, dst, readerEnd);
    }

    private int read(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        if (closed.get()) {
            throw new IOException(display + ": read after close");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (offset >= pinned.size()) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), pinned.size() - offset);
        int start = dst.position();
        int done = 0;
        IOException last = null;
        for (int attempt = 0; attempt <= source.retries() && done < want; attempt++) {
            int before = done;
            long at = offset + done;
            long end = offset + want;
            Transfer t = null;
            try {
                t = continuation(at, end);
                if (t == null) {
                    LOG.log(Level.DEBUG, () -> display + ": new transfer at " + at + " for " + want + " bytes");
                    t = start(at);
                } else {
                    t.resumeReading();
                    if (t.position() < at) {
                        t.skip(at - t.position());
                    }
                }
                int n = t.readFully(dst, want - done);
                done += n;
                if (done < want) {
                    throw new EOFException("data stream ended at offset " + t.position() + " of " + pinned.size());
                }
                settle(t, readerEnd);
                return done;
            } catch (FileSystemException e) {
                throw e;
            } catch (IOException e) {
                last = e;
                // A direct buffer keeps what the broken stream delivered: resume after it.
                done = dst.position() - start;
                if (t != null) {
                    abandon(t, e);
                }
                source.metrics().failed(RequestKind.FTP_RETR, ErrorClass.of(e));
                IOException logged = e;
                LOG.log(Level.DEBUG, () -> display + ": transfer failed at " + at + " (" + logged + ")");
                if (done - before >= PROGRESS_RESETS_RETRIES && !(e instanceof java.io.InterruptedIOException)) {
                    // The transfer broke (reset, early end) after delivering at least 64 KiB: a
                    // server that resets every connection after N bytes still makes progress, so
                    // only attempts without real progress count against --retries. Timeouts
                    // (a stalled or trickling server) always count, so a stall still ends in EIO.
                    // done only grows, so this loop ends.
                    attempt = -1;
                }
                if (attempt < source.retries()) {
                    source.metrics().retried(RequestKind.FTP_RETR);
                }
            } finally {
                arrived(end);
            }
        }
        if (done == want) {
            return done;
        }
        throw new IOException(display + ": read at offset " + offset + " failed: " + last.getMessage(), last);
    }

    /**
     * Returns a parked transfer of this handle that can serve a read starting at {@code at}, or
     * null to start a new one; registers {@code end} as where this read will leave its transfer.
     *
     * <p>The kernel's read-ahead sends the next block while the previous one is still being
     * read, so a read whose start another read of this handle is about to reach waits for that
     * transfer to be parked instead of opening a second one (which would make the two streams
     * leapfrog each other for the whole file). When connections are short, so does a read just
     * ahead of a transfer this handle parked moments ago ({@link #PARKED_GRACE_NANOS}): the
     * cache's read-ahead can get ahead of its demand reads that way.
     */
    private Transfer continuation(long at, long end) throws IOException {
        long deadline = System.nanoTime() + source.readTimeout().toNanos();
        lock.lock();
        try {
            waitingStarts.add(at);
            while (true) {
                // Leave a transfer to an earlier waiting read that it would serve first.
                long gap = MAX_SKIP;
                for (long s : waitingStarts) {
                    if (s < at) {
                        gap = Math.min(gap, at - s - 1);
                    }
                }
                Transfer t = pool.reclaim(this, at, gap);
                long left = deadline - System.nanoTime();
                boolean awaited = t == null && left > 0 && awaited(at);
                boolean recentlyParked = t == null && left > 0 && !awaited
                        && pool.parkedRecentlyBefore(this, at, AWAIT_WINDOW, PARKED_GRACE_NANOS);
                if (!awaited && !recentlyParked) {
                    waitingStarts.remove(Long.valueOf(at));
                    inflightEnds.add(end);
                    return t;
                }
                // A read of this handle signals when it parks; a parked transfer nobody carries
                // on is looked at again when its grace is over.
                parkedOrDone.awaitNanos(recentlyParked ? Math.min(left, PARKED_GRACE_NANOS) : left);
            }
        } catch (InterruptedException e) {
            waitingStarts.remove(Long.valueOf(at));
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(display + ": interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Returns whether another read of this handle will soon leave a transfer a little before {@code at}. */
    private boolean awaited(long at) {
        for (long e : inflightEnds) {
            if (e <= at && at - e <= AWAIT_WINDOW) {
                return true;
            }
        }
        for (long s : waitingStarts) {
            if (s < at && at - s <= AWAIT_WINDOW) {
                return true;
            }
        }
        return false;
    }

    /** Marks the read ending at {@code end} as finished and wakes reads waiting for its transfer. */
    private void arrived(long end) {
        lock.lock();
        try {
            inflightEnds.remove(Long.valueOf(end));
            parkedOrDone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            pool.releaseOwner(this);
        }
    }

    /** Starts a transfer at {@code offset} (see {@link #startTransfer}), reporting it as one RETR request if it got an answer. */
    private Transfer start(long offset) throws IOException {
        long started = System.nanoTime();
        try {
            Transfer t = startTransfer(offset);
            source.metrics().answered(RequestKind.FTP_RETR, System.nanoTime() - started);
            return t;
        } catch (FileSystemException e) {
            source.metrics().answered(RequestKind.FTP_RETR, System.nanoTime() - started); // an answer: changed or gone
            throw e;
        } // a failure is counted by the read that retries
    }

    /** Starts a transfer at {@code offset} after checking that the file is still the pinned version. */
    private Transfer startTransfer(long offset) throws IOException {
        FtpConnection c = pool.borrow(this);
        // The data stream has its own speed limit; this bounds the control replies before it.
        Watchdog.Armed watchdog = Watchdog.arm(c::abandon, source.exchangeDeadline());
        try {
            FtpConnection.Probe now;
            try {
                now = c.probe(remotePath);
            } catch (NoSuchFileException e) {
                throw new StaleFileException(display, pinned.version(), "gone");
            }
            if (!now.equals(baseline)) {
                throw new StaleFileException(display, pinned.version(), FileAttrs.sizeAndMtimeVersion(
                        now.size().orElse(pinned.size()), now.mtime().orElse(pinned.mtime())));
            }
            InputStream in = c.retrieve(remotePath, offset);
            return new Transfer(c, in, offset);
        } catch (FileSystemException e) {
            pool.release(c);
            throw e;
        } catch (IOException | RuntimeException e) {
            pool.discard(c);
            if (watchdog.fired()) {
                throw new IOException(display + ": no answer to REST/RETR within " + source.exchangeDeadline().toMillis()
                        + " ms (the server answers too slowly)", e);
            }
            throw e;
        } finally {
            watchdog.close();
        }
    }

    /**
     * Parks a transfer with more to read, unless it reached its reader's end; at the pinned end,
     * checks the stream ends there too.
     */
    private void settle(Transfer t, long readerEnd) throws IOException {
        if (t.position() < pinned.size()) {
            if (closed.get() || t.position() >= readerEnd) {
                pool.releaseOwner(this);
                finishAndRelease(t);
            } else {
                pool.park(this, t);
            }
            return;
        }
        boolean grew;
        try {
            grew = !t.atEnd();
        } catch (IOException e) {
            // The server reset the data connection after the last byte: the bytes read are whole.
            abandon(t, e);
            return;
        }
        if (grew) {
            abandon(t, null);
            throw new StaleFileException(display, pinned.version(), "longer than " + pinned.size() + " bytes");
        }
        finishAndRelease(t);
    }

    private void finishAndRelease(Transfer t) {
        try {
            t.finish();
            pool.release(t.connection());
        } catch (IOException e) {
            pool.discard(t.connection());
        }
    }

    /** Stops a failed transfer; its connection is reused only if the control reply still arrives. */
    private void abandon(Transfer t, IOException cause) {
        if (cause instanceof EOFException) {
            finishAndRelease(t);
        } else {
            pool.discard(t.connection());
        }
    }

    /** RETR has no end offset: a transfer runs to the end of the file unless stopped. */
    @Override
    public boolean rangesHaveEnds() {
        return false;
    }
}
