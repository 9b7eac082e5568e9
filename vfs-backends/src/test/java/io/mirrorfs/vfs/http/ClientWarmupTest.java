package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The start-up warm-up really runs the ranged-read path to its end. */
class ClientWarmupTest {

    @Test
    void everyWarmUpReadDeliversItsBytes() {
        assertEquals(ClientWarmup.REQUESTS * 4096L, ClientWarmup.run());
    }
}
