package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** What --verbose shows and what it never shows. */
class LogSetupTest {

    @Test
    void verboseNeverEnablesTheHttpClientsHeaderAndWireLogs() {
        LogSetup.configure(Level.FINE);
        try {
            assertTrue(Logger.getLogger("io.mirrorfs.vfs.http.HttpSource").isLoggable(Level.FINE));
            // These print Authorization and Proxy-Authorization headers at DEBUG (FINE).
            assertFalse(Logger.getLogger("org.apache.hc.client5.http.headers").isLoggable(Level.FINE));
            assertFalse(Logger.getLogger("org.apache.hc.client5.http.wire").isLoggable(Level.FINE));
        } finally {
            LogSetup.configure(Level.INFO);
        }
    }
}
