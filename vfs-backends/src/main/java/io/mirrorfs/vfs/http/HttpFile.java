package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.SourceMetrics.ErrorClass;
import io.mirrorfs.vfs.SourceMetrics.RequestKind;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.VfsFile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open HTTP file: ranged GETs of one pinned version.
 *
 * <p>Every request carries {@code If-Range} with the version pinned at open, and every answer is
 * checked (status, Content-Range total, ETag / Last-Modified), so a file changed upstream fails
 * the read with {@link StaleFileException} instead of mixing versions. The body is streamed
 * straight into the caller's buffer.
 *
 * <p>Fetch size adapts to the access pattern: a read that does not continue the previous one
 * asks for exactly its own bytes (random 4 KiB reads cost 4 KiB upstream); each read that
 * continues the previous one doubles the window, up to {@link #MAX_WINDOW}, and the rest of the
 * body stays open on its connection for the next read ("parked", at most {@link #MAX_PARKED} per
 * handle, evicted when the pool runs short). So a sequential read costs one request per window
 * and never more than twice the bytes read. A read that names its reader's end
 * ({@link #readWithin}, an archive member's data) caps the window there: a request never asks for
 * more than the larger of that read's own length and the bytes up to the reader's end, so reading
 * a member costs about the member, not the member plus a doubled window past it.
 *
 * <p>A read that another read of this handle's request will reach next (the body it is reading
 * runs on to this read's offset, at most {@link #SKIP_LIMIT} past where that read stops) waits
 * for that body to be parked and continues it, up to the read timeout, instead of sending a
 * second request for bytes already on their way: a cache fetching the next block ahead while
 * the reader fetches the current one would otherwise get the next block twice, once in the
 * reader's doubled window and once in a request of its own. For the same reason a new request
 * stops where a body of this handle, parked or being read, starts.
 *
 * <p>Servers that ignore {@code Range} (answer 200 with the whole file) still work: the body is
 * read from the start, skipping to the offset, and kept open, so sequential reads cost one
 * download in total; a read behind the open body's position costs re-reading from the start up
 * to the offset, never more, and never a whole-file download per read.
 *
 * <p>Failures mid-body are retried with resume (from the first byte not yet delivered) up to
 * {@code retries} times, then the read fails with one log line naming the URL and cause.
 * Thread-safe: concurrent reads use separate requests.
 */
final class HttpFile implements VfsFile {

    private static final System.Logger LOG = System.getLogger(HttpFile.class.getName());
    /** The largest window asked for by one request of a sequential reader. */
    static final long MAX_WINDOW = 64L << 20;
    /** The most bodies a handle keeps open between reads. */
    static final int MAX_PARKED = 4;
    /** How far ahead of an open body's position a read may start and still reuse it (skipping). */
    static final long SKIP_LIMIT = 256 << 10;

    private final HttpSource source;
    private final String name;
    private final URI url;
    private final FileAttrs attrs;
    private final Validator pinned;
    private final List<Cursor> parked = new ArrayList<>();
    /** The reads of this handle now using a body or opening one; guarded by this. */
    private final List<Flight> flights = new ArrayList<>();
    private volatile boolean ignoresRange;
    private long lastEnd = -1;
    private long window;
    private boolean closed;

    HttpFile(HttpSource source, String name, URI url, FileAttrs attrs, Validator pinned) {
        this.source = source;
        this.name = name;
        this.url = url;
        this.attrs = attrs;
        this.pinned = pinned;
    }

    @Override
    public FileAttrs attrs() {
        return attrs;
    }

    /** A handle of its own (bodies, window) on the same URL, pinned to the same validator: a changed file fails its reads alike. */
    @Override
    public java.util.Optional<VfsFile> duplicate() {
        HttpFile twin = new HttpFile(source, name, url, attrs, pinned);
        twin.ignoresRange = ignoresRange;
        return java.util.Optional.of(twin);
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return readWithin(offset, dst, Long.MAX_VALUE);
    }

    @Override
    public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if (offset >= attrs.size()) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), attrs.size() - offset);
        int start = dst.position();
        int done = 0;
        int failures = 0;
        IOException lastFailure = null;
        while (done < want) {
            long at = offset + done;
            Cursor c = null;
            Flight flight = new Flight();
            try {
                c = cursorFor(at, want - done, readerEnd, flight);
                int n = c.readInto(dst, at, want - done);
                done += n;
                park(c);
                c = null;
            } catch (FileSystemException e) {
                abort(c);
                throw e;
            } catch (IOException e) {
                abort(c);
                source.options().metrics().failed(RequestKind.HTTP_RANGE_GET,
                        ErrorClass.of(e, e instanceof HttpStatusException h ? OptionalInt.of(h.status()) : OptionalInt.empty()));
                // Bytes the failed body delivered before breaking are kept: the retry resumes after them.
                done = dst.position() - start;
                lastFailure = e;
                if (++failures > source.options().retries()) {
                    LOG.log(Level.WARNING, "reading " + source.redacted(url) + " at offset " + at + " failed after "
                            + failures + " attempts: " + e.getMessage());
                    throw new IOException("reading " + source.redacted(url) + " at offset " + at + ": " + e.getMessage(), e);
                }
                source.options().metrics().retried(RequestKind.HTTP_RANGE_GET);
                HttpSource.sleep(100L << (failures - 1));
            } finally {
                land(flight);
            }
        }
        synchronized (this) {
            lastEnd = offset + want;
        }
        return want;
    }

    /**
     * Returns an open body positioned at or shortly before {@code at}, or a new request for at
     * least {@code len} bytes and, within the window, for no more than up to {@code readerEnd};
     * first waits for a body another read will leave just before {@code at}. Registers
     * {@code flight} as this read's until {@link #land}.
     */
    private Cursor cursorFor(long at, int len, long readerEnd, Flight flight) throws IOException {
        long request;
        long to;
        synchronized (this) {
            long deadline = System.nanoTime() + source.options().readTimeout().toNanos();
            while (true) {
                if (closed) {
                    throw new IOException("file handle closed: " + name);
                }
                long limit = ignoresRange ? Long.MAX_VALUE : SKIP_LIMIT;
                for (int i = 0; i < parked.size(); i++) {
                    Cursor c = parked.get(i);
                    if (c.pos <= at && at - c.pos <= limit && at < c.end && c.claim()) {
                        parked.remove(i);
                        source.pool().unpark(c);
                        fly(flight, c.pos, at + len, c.end);
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !awaited(at, limit)) {
                    break;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted reading " + name);
                }
            }
            boolean sequential = at == lastEnd;
            window = sequential ? Math.min(MAX_WINDOW, Math.max(window * 2, len)) : len;
            request = Math.max(len, Math.min(window, readerEnd - at));
            to = Math.min(attrs.size(), at + request);
            for (Flight f : flights) {
                if (f.from > at && f.from < to) {
                    to = f.from; // those bytes are already on their way
                }
            }
            for (Cursor c : parked) {
                if (c.pos > at && c.pos < to) {
                    to = c.pos; // and those are waiting in a body of this handle
                }
            }
            to = Math.max(to, Math.min(attrs.size(), at + len));
            fly(flight, at, at + len, to);
        }
        Cursor c = open(at, to);
        synchronized (this) {
            flight.from = c.pos; // a server ignoring Range sends the whole file
            flight.to = c.end;
        }
        return c;
    }

    /**
     * Takes the next read at {@code offset} for the continuation of a sequential run with the
     * largest window: its request asks for up to that read's reader's end (at most
     * {@link #MAX_WINDOW}). A cache fetching a stripe of blocks on a handle of its own says so
     * before the stripe's first block, so that the stripe costs one request, one round trip.
     */
    @Override
    public synchronized void adviseSequential(long offset) {
        lastEnd = offset;
        window = MAX_WINDOW;
    }

    /** Returns whether a read in flight will leave its body at most {@code limit} before {@code at}, still covering it. */
    private boolean awaited(long at, long limit) {
        for (Flight f : flights) {
            if (f.leaveAt <= at && at < f.to && at - f.leaveAt <= limit) {
                return true;
            }
        }
        return false;
    }

    private void fly(Flight flight, long from, long leaveAt, long to) {
        flight.from = from;
        flight.leaveAt = leaveAt;
        flight.to = to;
        flights.add(flight);
    }

    /** Returns how many reads of this handle are using or opening a body now (for tests). */
    synchronized int readsInFlight() {
        return flights.size();
    }

    /** Ends {@code flight} (its body parked, finished or dropped) and wakes the reads waiting for it. */
    private synchronized void land(Flight flight) {
        if (flights.remove(flight)) {
            notifyAll();
        }
    }

    /** Sends {@code GET} for bytes {@code [from, to)} with If-Range, and checks the answer against the pinned version. */
    private Cursor open(long from, long to) throws IOException {
        List<String[]> headers = new ArrayList<>(2);
        headers.add(new String[] {"Range", "bytes=" + from + "-" + (to - 1)});
        pinned.ifRange().ifPresent(v -> headers.add(new String[] {"If-Range", v}));
        long start = System.nanoTime();
        Requester.Exchange ex = source.requester().send("GET", url, headers); // a failure is counted by the read that retries
        source.options().metrics().answered(RequestKind.HTTP_RANGE_GET, System.nanoTime() - start);
        try {
            HttpResponse r = ex.response;
            Validator now = Validator.of(r);
            switch (r.status()) {
                case 206 -> {
                    long[] range = contentRange(r);
                    if (range[2] >= 0 && range[2] != attrs.size() || pinned.changedIn(now)) {
                        throw stale(now, range[2]);
                    }
                    if (range[0] != from) {
                        throw new IOException("server sent bytes from " + range[0] + " instead of " + from);
                    }
                    return new Cursor(ex, from, range[1] + 1);
                }
                case 200 -> {
                    long len;
                    try {
                        len = r.header("content-length").map(RepeatedContentLength::parse).orElse(-1L);
                    } catch (IllegalArgumentException e) {
                        throw new IOException("GET " + source.redacted(url) + ": " + e.getMessage());
                    }
                    if (pinned.changedIn(now) || len >= 0 && len != attrs.size()) {
                        throw stale(now, len);
                    }
                    noteIgnoresRange();
                    return new Cursor(ex, 0, attrs.size());
                }
                case 416 -> throw stale(now, -1);
                case 404, 410 -> throw new StaleFileException(name, attrs.version(), "gone (HTTP " + r.status() + ")");
                default -> throw new HttpStatusException("GET " + source.redacted(url), r.status());
            }
        } catch (IOException | RuntimeException e) {
            ex.abort();
            throw e;
        }
    }

    private StaleFileException stale(Validator now, long size) {
        String current = now.etag().map(e -> "etag:" + e).orElse(now.lastModified().orElse("?")) + (size >= 0 ? ", " + size + " bytes" : "");
        return new StaleFileException(name, attrs.version(), current);
    }

    private void noteIgnoresRange() {
        if (!ignoresRange) {
            ignoresRange = true;
            LOG.log(Level.INFO, source.redacted(url) + ": server ignores Range; reading sequentially from the start");
        }
    }

    /** Returns {@code [first, last, total]} of a Content-Range header ({@code bytes 0-99/1234}); total -1 when {@code *}. */
    private long[] contentRange(HttpResponse r) throws IOException {
        String v = r.header("content-range").orElseThrow(() -> new IOException("206 without Content-Range from " + url));
        try {
            String s = v.trim();
            if (s.startsWith("bytes ")) {
                s = s.substring(6).trim();
            }
            int dash = s.indexOf('-');
            int slash = s.indexOf('/');
            long total = s.substring(slash + 1).equals("*") ? -1 : Long.parseLong(s.substring(slash + 1));
            return new long[] {Long.parseLong(s.substring(0, dash)), Long.parseLong(s.substring(dash + 1, slash)), total};
        } catch (RuntimeException e) {
            throw new IOException("bad Content-Range '" + v + "' from " + url);
        }
    }

    private void park(Cursor c) {
        if (c.pos >= c.end) {
            c.ex.close(); // body complete: the connection goes back to the pool
            return;
        }
        Cursor evicted = null;
        synchronized (this) {
            if (closed) {
                evicted = c;
            } else {
                c.release();
                parked.add(c);
                source.pool().park(c);
                if (parked.size() > MAX_PARKED) {
                    evicted = parked.remove(0);
                    source.pool().unpark(evicted);
                    if (!evicted.claim()) {
                        evicted = null;
                    }
                }
            }
        }
        if (evicted != null) {
            evicted.ex.abort();
        }
    }

    private static void abort(Cursor c) {
        if (c != null) {
            c.ex.abort();
        }
    }

    @Override
    public void close() {
        List<Cursor> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(parked);
            parked.clear();
            notifyAll();
        }
        for (Cursor c : toClose) {
            source.pool().unpark(c);
            if (c.claim()) {
                // A short rest is cheaper to read than a new connection; a long one is cut.
                if (c.end - c.pos <= 64 * 1024) {
                    c.ex.close();
                } else {
                    c.ex.abort();
                }
            }
        }
    }

    /**
     * A read using a body that runs from {@code from} (where the body was when the read took it)
     * to {@code to}; the read will leave it at {@code leaveAt}. Identity matters.
     */
    private static final class Flight {
        long from;
        long leaveAt;
        long to;
    }

    /** An open ranged body: the next byte it delivers is at file offset {@code pos}; it ends before {@code end}. */
    private final class Cursor implements ConnectionPool.Parked {
        final Requester.Exchange ex;
        final AtomicBoolean taken = new AtomicBoolean(true);
        long pos;
        final long end;
        private byte[] scratch;

        Cursor(Requester.Exchange ex, long pos, long end) {
            this.ex = ex;
            this.pos = pos;
            this.end = end;
        }

        boolean claim() {
            return taken.compareAndSet(false, true);
        }

        void release() {
            taken.set(false);
        }

        @Override
        public boolean evict() {
            if (!claim()) {
                return false;
            }
            synchronized (HttpFile.this) {
                parked.remove(this);
            }
            ex.abort();
            return true;
        }

        /** Skips to {@code at} and reads up to {@code max} bytes into {@code dst}; returns how many (at least one). */
        int readInto(ByteBuffer dst, long at, int max) throws IOException {
            var body = ex.response.body();
            ex.resumeReading();
            if (pos < at) {
                skip(at - pos);
            }
            int limit = (int) Math.min(max, end - pos);
            int total = 0;
            while (total < limit) {
                int n;
                if (dst.hasArray()) {
                    n = body.read(dst.array(), dst.arrayOffset() + dst.position(), limit - total);
                    if (n > 0) {
                        dst.position(dst.position() + n);
                    }
                } else {
                    byte[] b = scratch();
                    n = body.read(b, 0, Math.min(b.length, limit - total));
                    if (n > 0) {
                        dst.put(b, 0, n);
                    }
                }
                if (n < 0) {
                    if (total > 0) {
                        break;
                    }
                    throw new IOException("body of " + url + " ended at offset " + pos + " before " + end);
                }
                total += n;
                pos += n;
            }
            return total;
        }

        private void skip(long n) throws IOException {
            byte[] b = scratch();
            long left = n;
            while (left > 0) {
                int r = ex.response.body().read(b, 0, (int) Math.min(b.length, left));
                if (r < 0) {
                    throw new IOException("body of " + url + " ended while skipping to an offset");
                }
                left -= r;
                pos += r;
            }
        }

        private byte[] scratch() {
            if (scratch == null) {
                scratch = new byte[64 * 1024];
            }
            return scratch;
        }
    }
}
