package io.mirrorfs.fuse;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Where {@code --metrics} listens: {@code PORT} (on 127.0.0.1, so metrics are not exposed to the
 * network by accident), {@code ADDR:PORT} or {@code [IPV6]:PORT}. Immutable.
 *
 * @param host the address to bind, as given (a name or a literal)
 * @param port the TCP port, 0 for any free one
 */
record MetricsAddress(String host, int port) {

    /** The address used when only a port is given. */
    static final String LOOPBACK = "127.0.0.1";

    /** Validates the port range and that a host is present. */
    MetricsAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("the address is empty: expected PORT or ADDR:PORT (e.g. 9101 or 0.0.0.0:9101)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
    }

    /**
     * Parses {@code PORT}, {@code ADDR:PORT} or {@code [IPV6]:PORT}.
     *
     * @throws IllegalArgumentException with a message showing the expected forms (picocli prefixes the option)
     */
    static MetricsAddress parse(String value) {
        String v = value.strip();
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? LOOPBACK : v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = v.substring(colon + 1);
        try {
            return new MetricsAddress(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + port + "' is not a port: expected PORT or ADDR:PORT (e.g. 9101 or 0.0.0.0:9101)");
        }
    }

    /** Returns {@code host:port} as a URL authority. */
    String authority() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The picocli converter for {@code --metrics}. */
    static final class Converter implements ITypeConverter<MetricsAddress> {
        @Override
        public MetricsAddress convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
