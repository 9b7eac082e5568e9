package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.LowSpeedLimit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A running {@code RETR} on one connection: the data stream and the file offset it has reached.
 *
 * <p>A handle reads from it while its reads are sequential and parks it in the pool between
 * reads. Not thread-safe: owned by one thread at a time (the reader, or the pool while parked).
 */
final class Transfer {

    private static final int COPY_CHUNK = 256 * 1024;

    private final FtpConnection connection;
    private final InputStream data;
    private final long startPosition;
    private long position;
    private long parkedAtNanos;
    private long leaseStartedAtNanos;
    private long leaseBytesBefore;

    /** A transfer whose {@code RETR} was just sent for {@code position}. */
    Transfer(FtpConnection connection, InputStream data, long position) {
        this.connection = connection;
        this.data = data;
        this.position = position;
        this.startPosition = position;
        this.leaseStartedAtNanos = System.nanoTime();
    }

    /** Returns the connection the transfer runs on. */
    FtpConnection connection() {
        return connection;
    }

    /** Returns the file offset of the next byte the stream delivers. */
    long position() {
        return position;
    }

    /**
     * Returns the bytes the pool's lease of this connection counts: what this stream delivered
     * (read or skipped) since its {@code RETR}, plus those of transfers whose lease it continues.
     */
    long leaseBytes() {
        return leaseBytesBefore + position - startPosition;
    }

    /** Returns when the pool's lease of this connection began ({@link System#nanoTime()}): this {@code RETR}, or an earlier one. */
    long leaseStartedAtNanos() {
        return leaseStartedAtNanos;
    }

    /**
     * Continues the lease of {@code previous}, the transfer of the same owner this one replaced
     * on its connection: replacing one's own transfer must not renew the lease.
     */
    void continueLease(Transfer previous) {
        leaseStartedAtNanos = previous.leaseStartedAtNanos;
        leaseBytesBefore = previous.leaseBytes();
    }

    /** Starts a new low-speed window: the stream is read again after a pause of ours (parked). */
    void resumeReading() {
        if (data instanceof LowSpeedLimit guard) {
            guard.restart();
        }
    }

    /** Records when the transfer was parked, for eviction of idle streams. */
    void markParked(long nanos) {
        parkedAtNanos = nanos;
    }

    /** Returns when the transfer was last parked ({@link System#nanoTime()}). */
    long parkedAtNanos() {
        return parkedAtNanos;
    }

    /**
     * Reads up to {@code max} bytes into {@code dst}, stopping early only at the end of the stream.
     *
     * @return the number of bytes read, less than {@code max} only if the stream ended
     */
    int readFully(ByteBuffer dst, int max) throws IOException {
        int done = 0;
        if (dst.hasArray()) {
            byte[] array = dst.array();
            int base = dst.arrayOffset() + dst.position();
            try {
                while (done < max) {
                    int n = data.read(array, base + done, max - done);
                    if (n < 0) {
                        break;
                    }
                    done += n;
                    position += n;
                }
            } finally {
                // Also when the stream breaks: the caller resumes after the bytes that arrived.
                dst.position(dst.position() + done);
            }
            return done;
        }
        byte[] chunk = new byte[Math.min(COPY_CHUNK, max)];
        while (done < max) {
            int n = data.read(chunk, 0, Math.min(chunk.length, max - done));
            if (n < 0) {
                break;
            }
            dst.put(chunk, 0, n);
            done += n;
            position += n;
        }
        return done;
    }

    /**
     * Reads and drops {@code count} bytes: cheaper than a new transfer for a short forward seek.
     *
     * @throws java.io.EOFException if the stream ends first
     */
    void skip(long count) throws IOException {
        byte[] scratch = new byte[(int) Math.min(COPY_CHUNK, Math.max(1, count))];
        long left = count;
        while (left > 0) {
            int n = data.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (n < 0) {
                throw new java.io.EOFException("data stream ended while skipping to " + (position + left));
            }
            left -= n;
            position += n;
        }
    }

    /** Returns whether the stream ends here; false means the server sent more bytes than expected. */
    boolean atEnd() throws IOException {
        return data.read() < 0;
    }

    /**
     * Closes the data stream and reads the server's final reply, leaving the control connection
     * ready for the next command. Closing the data connection is how RFC 959 clients stop a
     * transfer without {@code ABOR}'s urgent-data dance; servers answer {@code 426} (or
     * {@code 226} if they had already sent everything).
     *
     * @return whether the server reported a complete transfer
     * @throws IOException if the control connection failed; it must then be discarded
     */
    boolean finish() throws IOException {
        try {
            data.close();
        } catch (IOException e) {
            // The data connection is gone either way; the control reply says what happened.
        }
        return connection.completeTransfer();
    }
}
