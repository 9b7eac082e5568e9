package io.mirrorfs.testing.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback TCP proxy in front of a real server that misbehaves on command: stalls (accepts
 * and never answers, or stops forwarding mid-stream), resets, truncates, throttles, refuses.
 *
 * <p>Faults apply to the server-to-client direction of every connection, counted per
 * connection, and take effect at once, also on connections already open: {@link #stallAfter}
 * of 1 MiB lets each connection deliver its first MiB, then holds it open in silence. In
 * {@linkplain #ftp FTP mode} the proxy also rewrites {@code 227}/{@code 229} passive replies so
 * that data connections run through it too (each on a listener of its own), and so suffer the
 * same faults; control connections carry only short replies, so a byte limit hits the data.
 *
 * <pre>{@code
 * try (FaultProxy p = FaultProxy.tcp(nginx.port())) {
 *     Vfs http = Sources.open(p.url("http", "/"), options);
 *     p.stallAfter(1 << 20);   // the next read past 1 MiB of any body hangs
 *     p.heal();                // back to normal
 * }
 * }</pre>
 *
 * <p>Only binds 127.0.0.1. Thread-safe; {@link #close} closes every socket it opened.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does to bytes coming back from the server; immutable. */
    private record Fault(long stallAfter, long truncateAfter, long bytesPerSecond, boolean blackhole, boolean reset) {
        static final Fault NONE = new Fault(Long.MAX_VALUE, Long.MAX_VALUE, 0, false, false);
    }

    private static final Pattern EPSV = Pattern.compile("^229 (.*)\\(\\|\\|\\|(\\d+)\\|\\)(.*)$");
    private static final Pattern PASV = Pattern.compile("^227 (.*?)\\(?(\\d+),(\\d+),(\\d+),(\\d+),(\\d+),(\\d+)\\)?(.*)$");

    private final int targetPort;
    private final boolean ftp;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<ServerSocket> dataListeners = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final Object faultChanged = new Object();
    private volatile Fault fault = Fault.NONE;
    private volatile ServerSocket listener;
    private volatile int port;
    private volatile boolean closed;

    private FaultProxy(int targetPort, boolean ftp) {
        this.targetPort = targetPort;
        this.ftp = ftp;
    }

    /** Starts a proxy forwarding to {@code 127.0.0.1:targetPort} (any TCP protocol, e.g. HTTP). */
    public static FaultProxy tcp(int targetPort) throws IOException {
        FaultProxy p = new FaultProxy(targetPort, false);
        p.listen(0);
        return p;
    }

    /** Starts a proxy for an FTP server on {@code 127.0.0.1:targetPort}, passive data connections included. */
    public static FaultProxy ftp(int targetPort) throws IOException {
        FaultProxy p = new FaultProxy(targetPort, true);
        p.listen(0);
        return p;
    }

    /** Returns the proxy's port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Returns {@code scheme://127.0.0.1:PORT} followed by {@code path}. */
    public String url(String scheme, String path) {
        return scheme + "://127.0.0.1:" + port + path;
    }

    /** Returns how many client connections the proxy has accepted (control and data). */
    public long accepted() {
        return accepted.get();
    }

    /** Returns how many bytes went from the server to clients. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Returns how many proxied connections are open now. */
    public int openConnections() {
        return sockets.size() / 2;
    }

    // ------------------------------------------------------------------ faults

    /** Stops forwarding server bytes on every connection, now and for new ones; connections stay open. */
    public void stall() {
        setFault(new Fault(0, Long.MAX_VALUE, 0, false, false));
    }

    /** Lets each connection deliver {@code bytes} server bytes, then holds it open in silence. */
    public void stallAfter(long bytes) {
        setFault(new Fault(bytes, Long.MAX_VALUE, 0, false, false));
    }

    /** Accepts new connections without ever connecting them to the server (a black hole); existing ones stall. */
    public void blackhole() {
        setFault(new Fault(0, Long.MAX_VALUE, 0, true, false));
    }

    /** Closes each connection (cleanly, with FIN) once it has delivered {@code bytes} server bytes. */
    public void truncateAfter(long bytes) {
        setFault(new Fault(Long.MAX_VALUE, bytes, 0, false, false));
    }

    /** Resets (RST) each connection once it has delivered {@code bytes} server bytes, as a crashing peer would. */
    public void resetAfter(long bytes) {
        setFault(new Fault(Long.MAX_VALUE, bytes, 0, false, true));
    }

    /** Limits every connection to {@code bytesPerSecond} server bytes per second (1 = a trickle). */
    public void throttle(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("rate must be >= 1 byte/s, got " + bytesPerSecond);
        }
        setFault(new Fault(Long.MAX_VALUE, Long.MAX_VALUE, bytesPerSecond, false, false));
    }

    /** Resets (RST) every open connection now; new connections are served normally. */
    public void resetAll() {
        for (Socket s : sockets) {
            reset(s);
        }
    }

    /** Closes the listening socket so that connects are refused (ECONNREFUSED) until {@link #heal}. */
    public synchronized void refuse() throws IOException {
        ServerSocket l = listener;
        listener = null;
        if (l != null) {
            l.close();
        }
    }

    /** Ends every fault: forwarding resumes on stalled connections and a refused port listens again. */
    public synchronized void heal() throws IOException {
        setFault(Fault.NONE);
        if (listener == null && !closed) {
            listen(port);
        }
    }

    private void setFault(Fault f) {
        synchronized (faultChanged) {
            fault = f;
            faultChanged.notifyAll();
        }
    }

    // ------------------------------------------------------------------ plumbing

    private synchronized void listen(int onPort) throws IOException {
        ServerSocket l = new ServerSocket();
        l.setReuseAddress(true);
        l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 128);
        listener = l;
        port = l.getLocalPort();
        daemon("fault-proxy-accept-" + port, () -> acceptLoop(l, targetPort, true));
    }

    private void acceptLoop(ServerSocket l, int toPort, boolean control) {
        while (!closed && !l.isClosed()) {
            Socket client;
            try {
                client = l.accept();
            } catch (IOException e) {
                return; // closed by refuse() or close()
            }
            accepted.incrementAndGet();
            sockets.add(client);
            daemon("fault-proxy-conn", () -> serve(client, toPort, control));
        }
    }

    private void serve(Socket client, int toPort, boolean control) {
        if (fault.blackhole) {
            drain(client); // read and drop whatever the client sends, answer nothing
            return;
        }
        Socket server = new Socket();
        try {
            server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), toPort), 5000);
            sockets.add(server);
        } catch (IOException e) {
            reset(client); // the server behind is down: the client sees a reset, as from a dead peer
            return;
        }
        daemon("fault-proxy-up", () -> upstream(client, server));
        downstream(server, client, ftp && control);
    }

    /** Client to server: passed through untouched. */
    private void upstream(Socket client, Socket server) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = client.getInputStream(); OutputStream out = server.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            server.shutdownOutput();
        } catch (IOException e) {
            closeBoth(client, server);
        }
    }

    /** Server to client, through the current fault; FTP control replies are rewritten line by line. */
    private void downstream(Socket server, Socket client, boolean rewritePassive) {
        long sent = 0;
        Fault paced = null;
        long paceStart = 0;
        long paceBase = 0;
        try {
            InputStream in = server.getInputStream();
            OutputStream out = client.getOutputStream();
            byte[] buf = new byte[16 * 1024];
            while (true) {
                long allowed = awaitAllowance(sent, client);
                if (allowed < 0) {
                    if (fault.reset) {
                        reset(client);
                    } else {
                        client.shutdownOutput(); // truncated: a clean FIN in the middle of the stream
                    }
                    closeBoth(client, server);
                    return;
                }
                byte[] chunk;
                int n;
                if (rewritePassive) {
                    String line = readLine(in);
                    if (line == null) {
                        break;
                    }
                    chunk = (rewrite(line) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    n = chunk.length;
                } else {
                    n = in.read(buf, 0, (int) Math.min(buf.length, allowed));
                    if (n < 0) {
                        break;
                    }
                    chunk = buf;
                }
                Fault f = fault;
                if (f.bytesPerSecond > 0) {
                    if (f != paced) { // the rate counts from when the throttle was set
                        paced = f;
                        paceStart = System.nanoTime();
                        paceBase = sent;
                    }
                    // Slices of at most 0.1 s worth (a rewritten FTP reply line may be longer).
                    int slice = (int) Math.max(1, Math.min(n, f.bytesPerSecond / 10));
                    for (int i = 0; i < n; i += slice) {
                        int len = Math.min(slice, n - i);
                        pace(f.bytesPerSecond, paceStart, sent - paceBase + i + len);
                        out.write(chunk, i, len);
                        out.flush();
                    }
                } else {
                    out.write(chunk, 0, n);
                }
                sent += n;
                forwarded.addAndGet(n);
            }
            client.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            // one side went away: end the pair
        }
        closeBoth(client, server);
    }

    /**
     * Waits while the fault forbids sending more; returns how many bytes may be read now, or -1
     * when the connection must be truncated here.
     */
    private long awaitAllowance(long sent, Socket client) throws InterruptedException {
        synchronized (faultChanged) {
            while (true) {
                Fault f = fault;
                if (sent >= f.truncateAfter) {
                    return -1;
                }
                long room = Math.min(f.stallAfter, f.truncateAfter) - sent;
                if (room > 0) {
                    return f.bytesPerSecond > 0 ? Math.min(room, Math.max(1, f.bytesPerSecond / 10)) : room;
                }
                if (closed || client.isClosed()) {
                    throw new InterruptedException("closed");
                }
                faultChanged.wait(200);
            }
        }
    }

    private static void pace(long rate, long startedNanos, long bytesSoFar) throws InterruptedException {
        long dueNanos = startedNanos + bytesSoFar * 1_000_000_000L / rate;
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    /** Rewrites a passive-mode reply so the client's data connection comes through a new proxy listener. */
    private String rewrite(String line) throws IOException {
        Matcher m = EPSV.matcher(line);
        if (m.matches()) {
            int proxied = dataListener(Integer.parseInt(m.group(2)));
            return "229 " + m.group(1) + "(|||" + proxied + "|)" + m.group(3);
        }
        m = PASV.matcher(line);
        if (m.matches()) {
            int serverPort = Integer.parseInt(m.group(6)) * 256 + Integer.parseInt(m.group(7));
            int proxied = dataListener(serverPort);
            return "227 Entering Passive Mode (127,0,0,1," + (proxied >> 8) + "," + (proxied & 0xff) + ")";
        }
        return line;
    }

    private int dataListener(int serverPort) throws IOException {
        ServerSocket l = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        dataListeners.add(l);
        daemon("fault-proxy-data", () -> {
            try {
                l.setSoTimeout(30_000);
                Socket client = l.accept();
                accepted.incrementAndGet();
                sockets.add(client);
                serve(client, serverPort, false);
            } catch (IOException e) {
                // the client never connected
            } finally {
                dataListeners.remove(l);
                closeQuietly(l);
            }
        });
        return l.getLocalPort();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private void drain(Socket client) {
        byte[] buf = new byte[4096];
        try (InputStream in = client.getInputStream()) {
            while (in.read(buf) >= 0) {
                // swallow
            }
        } catch (IOException e) {
            // gone
        }
        closeBoth(client, null);
    }

    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0); // close() then sends RST instead of FIN
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(s);
        sockets.remove(s);
    }

    private void closeBoth(Socket a, Socket b) {
        closeQuietly(a);
        sockets.remove(a);
        if (b != null) {
            closeQuietly(b);
            sockets.remove(b);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to release
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Closes the listener and every proxied connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ServerSocket l = listener;
        if (l != null) {
            closeQuietly(l);
        }
        for (ServerSocket d : dataListeners) {
            closeQuietly(d);
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
        setFault(Fault.NONE);
    }
}
