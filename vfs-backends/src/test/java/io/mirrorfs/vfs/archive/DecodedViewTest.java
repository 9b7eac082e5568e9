package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Decoders behind {@link DecodedView}: a reader going forward keeps one, however its requests are
 * ordered (FUSE delivers them on several threads), and decodes every byte once; live decoders are
 * bounded over all views (each holds a dictionary, up to 64 MiB for xz -9); decoding stops at the
 * declared size; and the data read is right whichever decoder serves it.
 */
class DecodedViewTest {

    private static final long SIZE = 64L << 20;

    @Test
    void liveDecodersAreBoundedOverAllViews() throws IOException {
        AtomicInteger open = new AtomicInteger();
        try (ForwardDecoders pool = new ForwardDecoders(ForwardDecoders.MAX_LIVE, 1)) {
            List<DecodedView> views = new ArrayList<>();
            for (int v = 0; v < 12; v++) {
                views.add(new DecodedView(new Synthetic(v, SIZE, open), SIZE, pool));
            }
            for (int round = 0; round < 3; round++) {
                for (int v = 0; v < views.size(); v++) {
                    for (long at : new long[] {round * 4096L, (8L << 20) + round * 4096L, (16L << 20) + round * 4096L}) {
                        assertBytes(views.get(v), v, at, 4096);
                    }
                }
                assertTrue(pool.liveCount() <= ForwardDecoders.MAX_LIVE, pool.liveCount() + " live decoders");
                assertTrue(open.get() <= ForwardDecoders.MAX_LIVE, open.get() + " decoders open");
            }
            assertTrue(open.get() > 0, "some decoders are kept for continuing reads");
            views.forEach(DecodedView::close);
            assertEquals(0, open.get(), "closing the views closes their decoders");
        }
    }

    @Test
    void aReaderGoingForwardOutOfOrderKeepsOneDecoderAndDecodesEachByteOnce() throws Exception {
        AtomicInteger open = new AtomicInteger();
        long size = 40L << 20;
        try (ForwardDecoders pool = new ForwardDecoders(ForwardDecoders.MAX_LIVE, 2)) {
            DecodedView view = new DecodedView(new Synthetic(1, size, open), size, pool);
            int request = 128 * 1024;
            List<Long> offsets = new ArrayList<>();
            for (long at = 0; at < size; at += request) {
                offsets.add(at);
            }
            // As FUSE: up to 8 requests of a 1 MiB kernel read-ahead in flight, served by 4 threads in any order.
            ExecutorService threads = Executors.newFixedThreadPool(4);
            Random random = new Random(5);
            try {
                for (int group = 0; group < offsets.size(); group += 8) {
                    List<Long> batch = new ArrayList<>(offsets.subList(group, Math.min(offsets.size(), group + 8)));
                    Collections.shuffle(batch, random);
                    List<Future<?>> done = new ArrayList<>();
                    for (long at : batch) {
                        done.add(threads.submit(() -> {
                            assertBytes(view, 1, at, request);
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                }
            } finally {
                threads.shutdown();
            }
            DecoderStats stats = pool.stats();
            assertEquals(1, stats.decoderStarts(), "one decoder for the whole forward read");
            assertTrue(stats.decodedBytes() <= size, stats.decodedBytes() + " bytes decoded for " + size);
            view.close();
        }
    }

    @Test
    void decodingStopsAtTheDeclaredSizeAndShortDataFailsTheRead() throws IOException {
        AtomicInteger open = new AtomicInteger();
        try (ForwardDecoders pool = new ForwardDecoders(ForwardDecoders.MAX_LIVE, 1)) {
            long declared = 3L << 20;
            DecodedView bomb = new DecodedView(new Synthetic(2, Long.MAX_VALUE, open), declared, pool); // decodes forever
            assertBytes(bomb, 2, declared - 4096, 4096);
            assertEquals(-1, bomb.read(declared, ByteBuffer.allocate(10)));
            assertTrue(pool.stats().decodedBytes() <= declared, pool.stats().decodedBytes() + " decoded");
            bomb.close();

            DecodedView shortData = new DecodedView(new Synthetic(3, 1 << 20, open), declared, pool);
            assertBytes(shortData, 3, 0, 4096);
            assertThrows(EOFException.class, () -> shortData.read((2L << 20), ByteBuffer.allocate(4096)));
            shortData.close();
        }
    }

    @Test
    void aDecoderThatFailedMidwayIsNeverReadFromAgain() throws IOException {
        AtomicInteger open = new AtomicInteger();
        long size = 16L << 20;
        long failAt = (5L << 20) + 12345;
        try (ForwardDecoders pool = new ForwardDecoders(ForwardDecoders.MAX_LIVE, 2)) {
            Synthetic good = new Synthetic(4, size, open);
            // The first decoder fails in the middle of a piece, after producing part of it.
            DecodedCursor.Factory failingOnce = new DecodedCursor.Factory() {
                private final AtomicInteger opened = new AtomicInteger();

                @Override
                public long startFor(long target) {
                    return 0;
                }

                @Override
                public DecodedCursor open(long target) {
                    DecodedCursor c = good.open(target);
                    if (opened.getAndIncrement() > 0) {
                        return c;
                    }
                    // It fails once, as a read of the compressed file below may, and would go on after it.
                    return new DecodedCursor() {
                        private boolean failed;

                        @Override
                        public long position() {
                            return c.position();
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (!failed && c.position() >= failAt) {
                                failed = true;
                                throw new IOException("connection reset");
                            }
                            return c.read(b, off, failed ? len : (int) Math.min(len, failAt - c.position()));
                        }

                        @Override
                        public void close() throws IOException {
                            c.close();
                        }
                    };
                }
            };
            DecodedView view = new DecodedView(failingOnce, size, pool);
            int failures = 0;
            for (long at = 0; at < size; at += 128 * 1024) {
                try {
                    assertBytes(view, 4, at, 128 * 1024);
                } catch (IOException e) {
                    failures++; // the reader that met the failure reports it; the next read starts over
                    assertBytes(view, 4, at, 128 * 1024);
                }
            }
            assertTrue(failures <= 1, failures + " failed reads");
            assertEquals(2, pool.stats().decoderStarts(), "the failed decoder was replaced once");
            view.close();
        }
    }

    private static void assertBytes(DecodedView view, int v, long at, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = view.read(at + b.position(), b);
            assertTrue(n > 0, "read at " + (at + b.position()) + " returned " + n);
        }
        for (int i = 0; i < length; i++) {
            if (Synthetic.byteAt(v, at + i) != b.get(i)) {
                assertEquals(Synthetic.byteAt(v, at + i), b.get(i), "view " + v + " at " + (at + i));
            }
        }
    }

    /** Decodes "view v's" {@code length} bytes from offset 0 only, like a single-frame file; counts its open cursors. */
    private record Synthetic(int view, long length, AtomicInteger open) implements DecodedCursor.Factory {

        static byte byteAt(int view, long offset) {
            return (byte) (offset * 31 + view * 7 + (offset >>> 12));
        }

        @Override
        public long startFor(long target) {
            return 0;
        }

        @Override
        public DecodedCursor open(long target) {
            open.incrementAndGet();
            return new DecodedCursor() {
                private long position;
                private boolean closed;

                @Override
                public long position() {
                    return position;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    int n = (int) Math.min(len, length - position);
                    if (n <= 0) {
                        return -1;
                    }
                    for (int i = 0; i < n; i++) {
                        b[off + i] = byteAt(view, position + i);
                    }
                    position += n;
                    return n;
                }

                @Override
                public void close() {
                    if (!closed) {
                        closed = true;
                        open.decrementAndGet();
                    }
                }
            };
        }
    }
}
