package io.mirrorfs.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server process (nginx, Apache httpd, vsftpd, pyftpdlib) on 127.0.0.1 for tests and
 * benchmarks: the one place that picks a free port, starts the process with a configuration the
 * subclass writes into a private temporary directory, waits until it answers, and in
 * {@link #close} stops it (its workers too) and deletes the directory, also when a test failed.
 */
public abstract class ServerProcess implements AutoCloseable {

    private static final long START_TIMEOUT_MS = 15_000;

    /** The private directory holding configuration and logs. */
    protected final Path work;
    private int port;
    private Process process;

    /** Creates the private directory; nothing runs until {@link #start()}. */
    protected ServerProcess() throws IOException {
        this.work = Files.createTempDirectory("mirrorfs-" + getClass().getSimpleName().toLowerCase() + "-");
        // Servers drop privileges (nginx's and Apache's workers, vsftpd): let them read it.
        work.toFile().setReadable(true, false);
        work.toFile().setExecutable(true, false);
    }

    /** Writes the configuration for {@code port} and returns the foreground command line. */
    protected abstract List<String> prepare(int port) throws IOException;

    /** Returns whether the server behind the freshly connected {@code socket} answers as ready. */
    protected abstract boolean answers(Socket socket) throws IOException;

    /** Returns the URL a mirrorfs source uses for this server's tree. */
    public abstract String url();

    /**
     * Called before each start attempt; {@code newPort} is false when the server restarts on the
     * port it had before {@link #stop()}.
     */
    protected void beforeAttempt(int attempt, boolean newPort) throws IOException {
    }

    /** Starts the process on a free port (or the previous one after {@link #stop()}) and waits until it answers. */
    public synchronized void start() throws IOException {
        if (process != null) {
            throw new IllegalStateException("already running");
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int p = port != 0 ? port : freePort();
            beforeAttempt(attempt, port == 0);
            ProcessBuilder pb = new ProcessBuilder(prepare(p));
            pb.environment().put("TZ", "UTC");
            pb.redirectErrorStream(true).redirectOutput(work.resolve("stdout.log").toFile());
            process = pb.start();
            try {
                awaitReady(p);
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

    /** Set-up done before a server's first start, such as writing its certificate. */
    protected interface Setup<S> {
        /** Prepares {@code server}. */
        void run(S server) throws IOException;
    }

    /** Starts {@code server} and returns it; if that fails, closes it (deleting its directory) and rethrows. */
    protected static <S extends ServerProcess> S started(S server) throws IOException {
        return started(server, s -> { });
    }

    /** Runs {@code setup}, starts {@code server} and returns it; on failure closes it and rethrows. */
    protected static <S extends ServerProcess> S started(S server, Setup<S> setup) throws IOException {
        try {
            setup.run(server);
            server.start();
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Stops the process; the port stays reserved for a later {@link #start()}. */
    public synchronized void stop() {
        destroy();
    }

    /** Returns the port the server listens on. */
    public int port() {
        return port;
    }

    /** Returns the server's own output and logs (the tail of each), for diagnostics. */
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

    private void awaitReady(int p) throws IOException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(getClass().getSimpleName() + " exited with " + process.exitValue() + ": " + diagnostics());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p), 500);
                s.setSoTimeout(2000);
                if (answers(s)) {
                    return;
                }
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IOException(getClass().getSimpleName() + " did not answer on port " + p + ": " + diagnostics());
    }

    /** Returns a port that was free on 127.0.0.1 a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
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
