package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.BackgroundWarmups;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Runs the ranged-read path (HttpSource, HttpFile, Requester and HttpClient's exec chain, pool
 * and parsers) a few thousand times against a canned in-process server on the loopback address,
 * on a background thread, once per JVM.
 *
 * <p>Why: HttpClient's per-request path is several times the code of the hand-written stack it
 * replaced, and a fresh daemon runs it interpreted until the JIT has compiled it. Measured with
 * http-bench.sh (2,000 random 4 KiB reads on a fresh daemon, loopback nginx, same run): median
 * 251 us with the old stack, 414 us with HttpClient cold; once compiled, the two differ by
 * about 20 us. The old stack warmed up within the first few hundred requests. Costs about one
 * CPU-second at start-up, in the background (see {@link BackgroundWarmups}). Never throws; opens
 * no connection outside this process.
 */
final class ClientWarmup {

    private static final System.Logger LOG = System.getLogger(ClientWarmup.class.getName());
    /** Requests sent: enough for C2 to compile the per-request path (Tier4InvocationThreshold is 5,000). */
    static final int REQUESTS = 6000;
    private static final int FILE_SIZE = 1 << 20;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private ClientWarmup() {
    }

    /** Starts the warm-up on a daemon thread, the first time only. */
    static void startInBackground() {
        BackgroundWarmups.start("mirrorfs-http-warmup", ClientWarmup::run);
    }

    /** Runs the warm-up; returns the bytes read (for tests). */
    static long run() {
        long read = 0;
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> serve(server), "mirrorfs-http-warmup-server");
            t.setDaemon(true);
            t.start();
            URI base = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
            SourceOptions options = SourceOptions.builder().maxConnections(2).retries(0).build(); // no proxy
            try (HttpSource source = HttpSourceFactory.create(base, options, HttpSettings.DEFAULTS, HttpSourceFactory.defaultTls());
                    VfsFile f = source.open(VfsPath.parse("/w.bin"))) {
                ByteBuffer b = ByteBuffer.allocate(4096);
                Random r = new Random(16);
                for (int i = 0; i < REQUESTS; i++) {
                    b.clear();
                    int n = f.read((long) r.nextInt(FILE_SIZE / 4096) * 4096, b);
                    read += Math.max(0, n);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "HTTP warm-up stopped: " + e);
        }
        return read;
    }

    /** Answers a listing of one file, HEAD and ranged GETs of it (zeros), on kept-alive connections. */
    private static void serve(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> answer(s), "mirrorfs-http-warmup-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void answer(Socket s) {
        try (s) {
            // One write per response, no Nagle: a head and a body sent apiece would wait for the
            // client's delayed ACK (40 ms a request).
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 80 * 1024);
            while (true) {
                String line = line(in);
                if (line == null || line.isEmpty()) {
                    return;
                }
                String range = null;
                String h;
                while ((h = line(in)) != null && !h.isEmpty()) {
                    if (h.regionMatches(true, 0, "Range:", 0, 6)) {
                        range = h.substring(6).trim();
                    }
                }
                respond(out, line, range);
            }
        } catch (IOException | RuntimeException e) {
            // the client closed: the warm-up is over
        }
    }

    private static void respond(OutputStream out, String requestLine, String range) throws IOException {
        String head;
        long length;
        if (requestLine.startsWith("GET / ")) {
            byte[] page = "<html><body><a href=\"w.bin\">w.bin</a></body></html>\n".getBytes(StandardCharsets.US_ASCII);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + page.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(page);
            out.flush();
            return;
        }
        if (requestLine.startsWith("HEAD ") || range == null) {
            head = "HTTP/1.1 200 OK\r\nETag: \"w\"\r\nContent-Length: " + FILE_SIZE + "\r\n\r\n";
            length = requestLine.startsWith("HEAD ") ? 0 : FILE_SIZE;
        } else {
            long from = Long.parseLong(range.substring(6, range.indexOf('-')));
            long to = Math.min(FILE_SIZE - 1, Long.parseLong(range.substring(range.indexOf('-') + 1)));
            head = "HTTP/1.1 206 Partial Content\r\nETag: \"w\"\r\nContent-Range: bytes " + from + "-" + to + "/" + FILE_SIZE
                    + "\r\nContent-Length: " + (to - from + 1) + "\r\n\r\n";
            length = to - from + 1;
        }
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        for (long left = length; left > 0; left -= Math.min(left, ZEROS.length)) {
            out.write(ZEROS, 0, (int) Math.min(left, ZEROS.length));
        }
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return c < 0 && sb.length() == 0 ? null : sb.toString();
    }
}
