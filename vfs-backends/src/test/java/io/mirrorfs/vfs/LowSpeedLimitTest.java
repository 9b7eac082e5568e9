package io.mirrorfs.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The low-speed guard with a fake clock: trickles fail, slow starts and fast streams do not. */
class LowSpeedLimitTest {

    private final AtomicLong now = new AtomicLong();

    private LowSpeedLimit guard(int bytes) {
        return new LowSpeedLimit(new ByteArrayInputStream(new byte[bytes]), Duration.ofSeconds(10), "peer", now::get);
    }

    @Test
    void aTrickleFailsOnceAWindowDeliveredTooLittle() throws IOException {
        LowSpeedLimit g = guard(1000);
        for (int i = 0; i < 10; i++) {
            assertTrue(g.read() >= 0);
            now.addAndGet(1_000_000_000L); // one byte a second
        }
        SocketTimeoutException e = assertThrows(SocketTimeoutException.class, g::read);
        assertTrue(e.getMessage().contains("peer sent only 10 bytes"), e.getMessage());
    }

    @Test
    void theWaitForTheFirstByteIsNotCounted() throws IOException {
        LowSpeedLimit g = guard(100_000);
        now.addAndGet(9_000_000_000L); // a server thinking before answering: the socket timeout's business
        byte[] b = new byte[100_000];
        assertEquals(100_000, g.readNBytes(b, 0, b.length));
    }

    @Test
    void enoughBytesPerWindowKeepTheStreamAlive() throws IOException {
        LowSpeedLimit g = guard(LowSpeedLimit.MIN_BYTES * 4);
        byte[] b = new byte[LowSpeedLimit.MIN_BYTES];
        for (int i = 0; i < 4; i++) {
            assertEquals(b.length, g.readNBytes(b, 0, b.length));
            now.addAndGet(9_000_000_000L);
        }
    }

    @Test
    void restartForgetsAPause() throws IOException {
        LowSpeedLimit g = guard(10);
        g.read();
        now.addAndGet(60_000_000_000L); // parked for a minute by its reader
        g.restart();
        assertTrue(g.read() >= 0);
    }
}
