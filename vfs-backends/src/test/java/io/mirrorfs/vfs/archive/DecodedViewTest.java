package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Idle decoders are bounded per view and over all views: each holds a dictionary (up to 64 MiB
 * for xz -9), so however many archives are read, at most {@link DecodedView#MAX_IDLE_TOTAL} stay
 * open between reads, and the data read is right whichever cursor serves it.
 */
class DecodedViewTest {

    private static final long SIZE = 64L << 20;

    @Test
    void idleDecodersAreBoundedOverAllViews() throws IOException {
        AtomicInteger open = new AtomicInteger();
        int before = DecodedView.idleTotal(); // other tests' archives still open in this JVM
        List<DecodedView> views = new ArrayList<>();
        for (int v = 0; v < 12; v++) {
            views.add(new DecodedView(new Synthetic(v, open), SIZE));
        }
        try {
            for (int round = 0; round < 3; round++) {
                for (int v = 0; v < views.size(); v++) {
                    for (long at : new long[] {round * 4096L, (8L << 20) + round * 4096L, (16L << 20) + round * 4096L}) {
                        ByteBuffer b = ByteBuffer.allocate(4096);
                        assertEquals(4096, views.get(v).read(at, b));
                        for (int i = 0; i < 4096; i++) {
                            assertEquals(Synthetic.byteAt(v, at + i), b.get(i), "view " + v + " at " + (at + i));
                        }
                    }
                }
            }
            assertTrue(open.get() <= DecodedView.MAX_IDLE_TOTAL - before, open.get() + " decoders open between reads");
            assertTrue(open.get() > 0 || before == DecodedView.MAX_IDLE_TOTAL, "some decoders are kept for continuing reads");
        } finally {
            for (DecodedView v : views) {
                v.close();
            }
        }
        assertEquals(0, open.get(), "closing the views closes their idle decoders");
    }

    /** Decodes "view v's" bytes from offset 0 only, like a single-frame file; counts its open cursors. */
    private record Synthetic(int view, AtomicInteger open) implements DecodedCursor.Factory {

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
                    int n = (int) Math.min(len, SIZE - position);
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
