package io.mirrorfs.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real web server process (nginx, Apache httpd) serving a directory on 127.0.0.1 and an
 * ephemeral port, for tests and benchmarks.
 *
 * <p>Subclasses write a self-contained configuration into a private temporary directory and
 * return the command line; this class picks the port, waits until the server answers, counts
 * the requests and body bytes it logged, and in {@link #close} stops the process and deletes the
 * temporary directory, also when a test failed. Every access-log line must have the shape
 * {@code "REQUEST" STATUS BYTES}.
 */
public abstract class TestHttpServer extends ServerProcess {

    /** The path of the readiness probe; never counted as a client request. */
    private static final String PROBE_PATH = "/mirrorfs-probe";

    /** The directory served at {@code /}. */
    protected final Path docRoot;
    private long countedLines;
    private long countedBytes;

    /** Creates the server over {@code docRoot}; nothing runs until {@link #start()}. */
    protected TestHttpServer(Path docRoot) throws IOException {
        this.docRoot = docRoot.toAbsolutePath();
    }

    /** Returns the access log written by the configuration. */
    protected Path accessLog() {
        return work.resolve("access.log");
    }

    /** Returns the error log written by the configuration. */
    protected Path errorLog() {
        return work.resolve("error.log");
    }

    /** Returns {@code http://127.0.0.1:PORT/}. */
    @Override
    public String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    /** Returns the number of requests logged since the last {@link #resetCounters()}. */
    public long requestCount() throws IOException {
        return settledCounts()[0] - countedLines;
    }

    /** Returns the response body bytes logged since the last {@link #resetCounters()}. */
    public long bytesSent() throws IOException {
        return settledCounts()[1] - countedBytes;
    }

    /**
     * Returns the access-log lines (request, status, bytes) of the clients' requests, without the
     * start-up probe, which the server may log only after a test has reset its counters.
     */
    public List<String> accessLogLines() throws IOException {
        if (!Files.exists(accessLog())) {
            return List.of();
        }
        return Files.readAllLines(accessLog(), StandardCharsets.ISO_8859_1).stream()
                .filter(line -> !line.contains(PROBE_PATH))
                .toList();
    }

    /** Starts counting requests and bytes from now. */
    public void resetCounters() throws IOException {
        long[] c = settledCounts();
        countedLines = c[0];
        countedBytes = c[1];
    }

    /**
     * Returns the counts once the access log stopped growing for 50 ms: servers write a request's
     * log line only after sending the response, so a client can be ahead of the log.
     */
    private long[] settledCounts() throws IOException {
        long[] c = counts();
        for (int i = 0; i < 20; i++) {
            sleep(50);
            long[] again = counts();
            if (again[0] == c[0] && again[1] == c[1]) {
                return c;
            }
            c = again;
        }
        return c;
    }

    private long[] counts() throws IOException {
        long lines = 0;
        long bytes = 0;
        for (String line : accessLogLines()) {
            lines++;
            String[] tail = line.substring(line.lastIndexOf('"') + 1).trim().split("\\s+");
            if (tail.length >= 2 && tail[1].matches("\\d+")) {
                bytes += Long.parseLong(tail[1]);
            }
        }
        return new long[] {lines, bytes};
    }

    /** Ready when a plain HEAD gets any HTTP answer (a TLS port answers 400, which is fine). */
    @Override
    protected boolean answers(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("HEAD " + PROBE_PATH + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] b = new byte[12];
        return socket.getInputStream().readNBytes(b, 0, b.length) == b.length
                && new String(b, StandardCharsets.US_ASCII).startsWith("HTTP/");
    }
}
