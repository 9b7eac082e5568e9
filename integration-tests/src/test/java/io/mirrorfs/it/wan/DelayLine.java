package io.mirrorfs.it.wan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.UnaryOperator;

/**
 * One direction of a relayed connection: a reader thread takes bytes from {@code from} as the
 * token buckets allow and stamps each chunk with the time it is due (its arrival plus the
 * one-way delay); a writer thread writes each chunk to {@code to} when it is due. A line holds
 * at most its window in flight, so a receiver that stops reading stops the sender, as a TCP
 * window would. The chunks are direct buffers shared by all lines ({@link #SPARE}): GC frees
 * direct memory late, and an FTP benchmark opening a data connection per read ran the relay out
 * of it when each line allocated its own.
 *
 * <p>The first byte is due no earlier than the connection's start plus a round trip plus the
 * one-way delay: on loopback {@code connect} returns at once, over a real link the handshake
 * costs a round trip first, and a client opening a connection per transfer (FTP data) must pay it.
 */
final class DelayLine {

    /** Bytes per chunk: large enough that a fast stream costs few system calls. */
    static final int CHUNK = 128 << 10;
    private static final Chunk EOF = new Chunk(null, 0);
    /** Chunks no line holds now; at most the peak of all lines' windows together. */
    private static final ConcurrentLinkedQueue<ByteBuffer> SPARE = new ConcurrentLinkedQueue<>();

    private record Chunk(ByteBuffer data, long due) {
    }

    private final SocketChannel from;
    private final SocketChannel to;
    private final long oneWay;
    private final long openedDue;
    private final List<TokenBucket> buckets;
    private final UnaryOperator<ByteBuffer> rewrite;
    private final java.util.function.Consumer<Boolean> onEnd;
    private final Semaphore window;
    private final BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();

    /**
     * @param window  bytes this direction holds in flight at most
     * @param rewrite applied to each chunk read (the FTP control connection's passive replies), on the reader thread
     * @param onEnd   told once when the writer ends: true if it failed (the connection is then closed at once),
     *                false after it passed on the end of the stream
     */
    DelayLine(SocketChannel from, SocketChannel to, LinkProfile link, long startedAt, long window, List<TokenBucket> buckets,
            UnaryOperator<ByteBuffer> rewrite, java.util.function.Consumer<Boolean> onEnd) {
        this.from = from;
        this.to = to;
        this.oneWay = link.oneWayNanos();
        this.openedDue = startedAt + link.rtt().toNanos();
        this.buckets = buckets;
        this.rewrite = rewrite;
        this.onEnd = onEnd;
        this.window = new Semaphore((int) Math.max(4, window / CHUNK));
    }

    /** Starts both threads. */
    void start(String name) {
        thread(name + "-read", this::readLoop).start();
        thread(name + "-write", this::writeLoop).start();
    }

    private static Thread thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void readLoop() {
        try {
            while (true) {
                ByteBuffer b = takeFree();
                b.clear();
                int n = from.read(b);
                if (n < 0) {
                    line.put(EOF);
                    return;
                }
                b.flip();
                for (TokenBucket bucket : buckets) {
                    bucket.acquire(n);
                }
                long due = Math.max(System.nanoTime(), openedDue) + oneWay;
                line.put(new Chunk(rewrite.apply(b), due));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            line.add(EOF); // a reset reads as the end: the writer passes it on
        }
    }

    private ByteBuffer takeFree() throws InterruptedException {
        window.acquire();
        ByteBuffer b = SPARE.poll();
        return b != null ? b : ByteBuffer.allocateDirect(CHUNK);
    }

    /** Gives a chunk's buffer back (a rewritten chunk may be a heap buffer of its own: dropped). */
    private void giveBack(ByteBuffer b) {
        if (b.capacity() == CHUNK && b.isDirect()) {
            SPARE.offer(b);
        }
        window.release();
    }

    private void writeLoop() {
        boolean failed = true;
        try {
            while (true) {
                Chunk c = line.take();
                if (c == EOF) {
                    to.shutdownOutput();
                    failed = false;
                    break;
                }
                TokenBucket.sleepUntil(c.due());
                while (c.data().hasRemaining()) {
                    to.write(c.data());
                }
                giveBack(c.data());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // the peer went away: the connection ends
        } finally {
            onEnd.accept(failed);
            // The reader ends once the sockets are closed; what it queued meanwhile goes back too.
            for (Chunk c; (c = line.poll()) != null; ) {
                if (c != EOF) {
                    giveBack(c.data());
                }
            }
        }
    }
}
