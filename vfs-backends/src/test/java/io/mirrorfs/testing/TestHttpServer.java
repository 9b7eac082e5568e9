package io.mirrorfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
public abstract class TestHttpServer implements AutoCloseable {

    /** The path of the readiness probe; never counted as a client request. */
    private static final String PROBE_PATH = "/mirrorfs-probe";

    private static final long START_TIMEOUT_MS = 15_000;

    /** The private directory holding configuration, logs and the pid file. */
    protected final Path work;
    /** The directory served at {@code /}. */
    protected final Path docRoot;
    private int port;
    private Process process;
    private long countedLines;
    private long countedBytes;

    /** Creates the server over {@code docRoot}; nothing runs until {@link #start()}. */
    protected TestHttpServer(Path docRoot) throws IOException {
        this.docRoot = docRoot.toAbsolutePath();
        this.work = Files.createTempDirectory("mirrorfs-" + getClass().getSimpleName().toLowerCase() + "-");
        work.toFile().setReadable(true, false);
        work.toFile().setExecutable(true, false);
    }

    /** Writes the configuration for {@code port} and returns the foreground command line. */
    protected abstract List<String> prepare(int port) throws IOException;

    /** Returns the access log written by the configuration. */
    protected Path accessLog() {
        return work.resolve("access.log");
    }

    /** Returns the error log written by the configuration. */
    protected Path errorLog() {
        return work.resolve("error.log");
    }

    /** Starts the process on a free port (or the previous one after {@link #stop()}) and waits until it answers. */
    public synchronized void start() throws IOException {
        if (process != null) {
            throw new IllegalStateException("already running");
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int p = port != 0 ? port : freePort();
            ProcessBuilder pb = new ProcessBuilder(prepare(p));
            pb.environment().put("TZ", "UTC");
            pb.redirectErrorStream(true).redirectOutput(work.resolve("stdout.log").toFile());
            process = pb.start();
            try {
                awaitAnswer(p);
                port = p;
                return;
            } catch (IOException e) {
                last = e;
                destroy();
                if (port != 0) {
                    break;
                }
            }
        }
        throw last;
    }

    /** Stops the process (the port stays reserved for a later {@link #start()}). */
    public synchronized void stop() {
        destroy();
    }

    /** Returns the port the server listens on. */
    public int port() {
        return port;
    }

    /** Returns {@code http://127.0.0.1:PORT/}. */
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** Returns the number of requests logged since the last {@link #resetCounters()}. */
    public long requestCount() throws IOException {
        return counts()[0] - countedLines;
    }

    /** Returns the response body bytes logged since the last {@link #resetCounters()}. */
    public long bytesSent() throws IOException {
        return counts()[1] - countedBytes;
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
        long[] c = counts();
        countedLines = c[0];
        countedBytes = c[1];
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

    /** Stops the server and deletes its temporary directory. */
    @Override
    public synchronized void close() {
        destroy();
        GeneratedTree.deleteRecursively(work);
    }

    private void destroy() {
        if (process == null) {
            return;
        }
        // SIGTERM first: nginx and Apache then stop their workers, which a SIGKILL of the parent
        // would leave running (holding the port). Whatever remains is killed.
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
        }
        process = null;
        // Children (Apache's workers) may linger a moment holding the port.
        awaitPortClosed();
    }

    private void awaitPortClosed() {
        long deadline = System.currentTimeMillis() + 5000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            } catch (IOException e) {
                return;
            }
            sleep(50);
        }
    }

    private void awaitAnswer(int p) throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(getClass().getSimpleName() + " exited with " + process.exitValue() + ": " + diagnostics());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p), 500);
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                out.write(("HEAD " + PROBE_PATH + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] b = new byte[12];
                if (in.readNBytes(b, 0, b.length) == b.length && new String(b, StandardCharsets.US_ASCII).startsWith("HTTP/")) {
                    return;
                }
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IOException(getClass().getSimpleName() + " did not answer on port " + p + ": " + diagnostics());
    }

    private String diagnostics() {
        StringBuilder sb = new StringBuilder();
        for (Path log : List.of(work.resolve("stdout.log"), errorLog())) {
            try {
                if (Files.exists(log)) {
                    sb.append(Files.readString(log, StandardCharsets.ISO_8859_1).strip()).append(' ');
                }
            } catch (IOException e) {
                sb.append(e);
            }
        }
        return sb.toString();
    }

    /** Returns a port that was free on 127.0.0.1 a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
