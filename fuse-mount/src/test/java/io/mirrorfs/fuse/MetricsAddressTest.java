package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    @CsvSource(delimiter = '|', value = {
        "''        | '' is not a port: expected PORT or ADDR:PORT",
        "host:     | '' is not a port: expected PORT or ADDR:PORT",
        "host:port | 'port' is not a port: expected PORT or ADDR:PORT",
        "70000     | port 70000 is outside 0-65535",
        "-1        | port -1 is outside 0-65535",
        ":9101     | the address is empty: expected PORT or ADDR:PORT",
    })
    void rejectsWithTheExpectedForm(String value, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(value));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
