package io.mirrorfs.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real FTP server process serving a directory on 127.0.0.1, for tests and benchmarks.
 *
 * <p>Subclasses write a self-contained configuration into a private temporary directory and
 * return the command line; this class picks the control port and a passive port range, waits
 * until the server greets with {@code 220} and counts the commands it logged; {@link ServerProcess}
 * stops the process and deletes the temporary directory, also when a test failed.
 */
public abstract class FtpTestServer extends ServerProcess {

    /** Passive ports per server: enough for 8 parallel readers plus lingering TIME_WAIT ones. */
    protected static final int PASSIVE_PORTS = 40;

    /** The directory served at {@code /}. */
    protected final Path root;
    /** The first passive data port. */
    protected int passiveMin;
    private long countedCommands;

    /** Creates the server over {@code root}; nothing runs until {@link #start()}. */
    protected FtpTestServer(Path root) throws IOException {
        this.root = root.toAbsolutePath();
    }

    /** Returns how many FTP commands the log written by the configuration holds. */
    protected abstract long loggedCommands() throws IOException;

    /** Picks a passive port range before the first start, and a new one when the port is new. */
    @Override
    protected void beforeAttempt(int attempt, boolean newPort) throws IOException {
        if (passiveMin == 0 || attempt > 0 && newPort) {
            passiveMin = freeRange();
        }
    }

    /** Ready when the server greets with {@code 220}. */
    @Override
    protected boolean answers(Socket socket) throws IOException {
        byte[] b = new byte[3];
        if (socket.getInputStream().readNBytes(b, 0, 3) == 3 && new String(b, StandardCharsets.US_ASCII).equals("220")) {
            socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            return true;
        }
        return false;
    }

    /** Returns {@code ftp://127.0.0.1:PORT/}. */
    @Override
    public String url() {
        return "ftp://127.0.0.1:" + port() + "/";
    }

    /** Returns the number of FTP commands the server saw since the last {@link #resetCounters()}. */
    public long commandCount() throws IOException {
        return loggedCommands() - countedCommands;
    }

    /** Starts counting commands from now. */
    public void resetCounters() throws IOException {
        countedCommands = loggedCommands();
    }

    /** Returns the first of {@link #PASSIVE_PORTS} consecutive ports that were free a moment ago. */
    private static int freeRange() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            boolean free = true;
            for (int p = base; p < base + PASSIVE_PORTS && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("127.0.0.1"))) {
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
}
