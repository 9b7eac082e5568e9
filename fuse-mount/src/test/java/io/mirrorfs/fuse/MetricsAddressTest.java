package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --metrics} values: a bare port binds loopback only; an address is taken as given. */
class MetricsAddressTest {

    @ParameterizedTest
    @CsvSource({
        "9101, 127.0.0.1, 9101, 127.0.0.1:9101",
        "0.0.0.0:9101, 0.0.0.0, 9101, 0.0.0.0:9101",
        "localhost:0, localhost, 0, localhost:0",
        "'[::1]:9101', ::1, 9101, '[::1]:9101'",
    })
    void parses(String value, String host, int port, String authority) {
        MetricsAddress a = MetricsAddress.parse(value);
        assertEquals(host, a.host());
        assertEquals(port, a.port());
        assertEquals(authority, a.authority());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "host:", "host:port", "70000", ":9101", "-1"})
    void rejectsWithTheExpectedForm(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(value));
        assertTrue(e.getMessage().startsWith("--metrics"), e.getMessage());
    }
}
