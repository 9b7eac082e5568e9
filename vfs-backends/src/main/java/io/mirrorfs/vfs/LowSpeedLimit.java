package io.mirrorfs.vfs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * An input stream that fails when its source trickles: fewer than {@link #MIN_BYTES} bytes in a
 * window of one read timeout (curl's {@code --speed-limit}/{@code --speed-time} idea).
 *
 * <p>A socket's read timeout only bounds silence: a server sending one byte per second keeps
 * a read with a 10 s timeout alive for ever. This guard bounds the rate instead. A silent source
 * is still caught by the socket's own timeout; this one checks after every read that returns,
 * so a trickle fails at most one read timeout after the window that fell short. Call
 * {@link #restart} when the consumer starts waiting again after a pause of its own (a body
 * parked between reads). Not thread-safe, like the stream it wraps.
 */
public final class LowSpeedLimit extends FilterInputStream {

    /** Bytes a window must deliver (unless the stream ends first): 64 KiB, 6.4 KiB/s at a 10 s timeout. */
    public static final int MIN_BYTES = 64 * 1024;

    private static final long UNSET = Long.MIN_VALUE;

    private final long windowNanos;
    private final String what;
    private final LongSupplier nanoTime;
    private long windowStart;
    private long windowBytes;

    /**
     * Guards {@code in} with windows of {@code window} (the source's read timeout); {@code what}
     * names the peer in the error message.
     */
    public LowSpeedLimit(InputStream in, Duration window, String what) {
        this(in, window, what, System::nanoTime);
    }

    /** As above with an injected clock, for tests. */
    LowSpeedLimit(InputStream in, Duration window, String what, LongSupplier nanoTime) {
        super(in);
        this.windowNanos = window.toNanos();
        this.what = what;
        this.nanoTime = nanoTime;
        restart();
    }

    /**
     * Starts a new window at the next byte, e.g. when a request is sent or a parked body is read
     * again. The wait for that first byte is the socket timeout's business: a server that thinks
     * for a while and then answers quickly is not slow.
     */
    public void restart() {
        windowStart = UNSET;
        windowBytes = 0;
    }

    @Override
    public int read() throws IOException {
        check();
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        check();
        long s = super.skip(n);
        if (s > 0) {
            count(s);
        }
        return s;
    }

    private void count(long n) throws SocketTimeoutException {
        if (windowStart == UNSET) {
            windowStart = nanoTime.getAsLong();
        }
        windowBytes += n;
        check();
    }

    private void check() throws SocketTimeoutException {
        if (windowStart == UNSET) {
            return;
        }
        long elapsed = nanoTime.getAsLong() - windowStart;
        if (elapsed < windowNanos) {
            return;
        }
        if (windowBytes < MIN_BYTES) {
            long got = windowBytes;
            restart(); // a caller that retries on this stream gets a fresh window
            throw new SocketTimeoutException(what + " sent only " + got + " bytes in " + elapsed / 1_000_000
                    + " ms (less than " + MIN_BYTES + " per read timeout): too slow");
        }
        windowStart = nanoTime.getAsLong();
        windowBytes = 0;
    }
}
