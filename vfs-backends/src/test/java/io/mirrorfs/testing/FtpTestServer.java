package io.mirrorfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real FTP server process serving a directory on 127.0.0.1, for tests and benchmarks.
 *
 * <p>Subclasses write a self-contained configuration into a private temporary directory and
 * return the command line; this class picks the control port and a passive port range, waits
 * until the server greets with {@code 220}, counts the commands it logged, and in {@link #close}
 * stops the process and deletes the temporary directory, also when a test failed.
 */
public abstract class FtpTestServer implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 15_000;
    /** Passive ports per server: enough for 8 parallel readers plus lingering TIME_WAIT ones. */
    protected static final int PASSIVE_PORTS = 40;

    /** The private directory holding configuration and logs. */
    protected final Path work;
    /** The directory served at {@code /}. */
    protected final Path root;
    /** The first passive data port. */
    protected int passiveMin;
    private int port;
    private Process process;
    private long countedCommands;

    /** Creates the server over {@code root}; nothing runs until {@link #start()}. */
    protected FtpTestServer(Path root) throws IOException {
        this.root = root.toAbsolutePath();
        this.work = Files.createTempDirectory("mirrorfs-" + getClass().getSimpleName().toLowerCase() + "-");
        work.toFile().setReadable(true, false);
        work.toFile().setExecutable(true, false);
    }

    /** Writes the configuration for {@code port} (passive ports from {@link #passiveMin}) and returns the command line. */
    protected abstract List<String> prepare(int port) throws IOException;

    /** Returns how many FTP commands the log written by the configuration holds. */
    protected abstract long loggedCommands() throws IOException;

    /** Starts the process on a free port (or the previous one after {@link #stop()}) and waits for its greeting. */
    public synchronized void start() throws IOException {
        if (process != null) {
            throw new IllegalStateException("already running");
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int p = port != 0 ? port : freePort();
            if (passiveMin == 0 || attempt > 0 && port == 0) {
                passiveMin = freeRange();
            }
            ProcessBuilder pb = new ProcessBuilder(prepare(p));
            pb.environment().put("TZ", "UTC");
            pb.redirectErrorStream(true).redirectOutput(work.resolve("stdout.log").toFile());
            process = pb.start();
            try {
                awaitGreeting(p);
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

    /** Stops the process; the port stays reserved for a later {@link #start()}. */
    public synchronized void stop() {
        destroy();
    }

    /** Returns the control port. */
    public int port() {
        return port;
    }

    /** Returns {@code ftp://127.0.0.1:PORT/}. */
    public String url() {
        return "ftp://127.0.0.1:" + port + "/";
    }

    /** Returns the number of FTP commands the server saw since the last {@link #resetCounters()}. */
    public long commandCount() throws IOException {
        return loggedCommands() - countedCommands;
    }

    /** Starts counting commands from now. */
    public void resetCounters() throws IOException {
        countedCommands = loggedCommands();
    }

    /** Returns the server's own output and log, for diagnostics. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(work)) {
            for (Path log : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log"))::iterator) {
                String s = Files.readString(log, StandardCharsets.ISO_8859_1).strip();
                sb.append(log.getFileName()).append(": ").append(s.length() > 4000 ? s.substring(s.length() - 4000) : s)
                        .append('\n');
            }
        } catch (IOException e) {
            sb.append(e);
        }
        return sb.toString();
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
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
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

    private void awaitGreeting(int p) throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(getClass().getSimpleName() + " exited with " + process.exitValue() + ": " + diagnostics());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p), 500);
                s.setSoTimeout(2000);
                InputStream in = s.getInputStream();
                byte[] b = new byte[3];
                if (in.readNBytes(b, 0, 3) == 3 && new String(b, StandardCharsets.US_ASCII).equals("220")) {
                    s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IOException(getClass().getSimpleName() + " did not greet on port " + p + ": " + diagnostics());
    }

    /** Returns a port that was free on 127.0.0.1 a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** Returns the first of {@link #PASSIVE_PORTS} consecutive ports that were free a moment ago. */
    private static int freeRange() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            boolean free = true;
            for (int p = base; p < base + PASSIVE_PORTS && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                    s.getLocalPort();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no free range of " + PASSIVE_PORTS + " ports for passive FTP");
    }

    /** Sleeps, keeping the interrupt flag. */
    protected static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
