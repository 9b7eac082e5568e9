package io.mirrorfs.testing.fault;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A tiny HTTP/1.1 server on 127.0.0.1 that keeps connections open (unlike
 * {@link HostileHttpServer}) and answers each request with a scripted {@link Reply}, byte for
 * byte: for tests of framing (chunked bodies), redirects, which headers reach which origin, and
 * connection reuse. Every request is recorded with the number of the connection it came on.
 * Thread-safe: routes may change while clients connect.
 */
public final class KeepAliveHttpServer implements AutoCloseable {

    /** A request as received: its connection (numbered from 1), method, raw target and lower-case headers. */
    public record Request(int connection, String method, String target, Map<String, String> headers) {
    }

    /**
     * What to send: {@code bytes} verbatim; then the connection is closed when {@code close}
     * (without a {@code Connection: close} header unless the bytes have one: a server closing
     * an idle kept-alive connection does not announce it).
     */
    public record Reply(byte[] bytes, boolean close) {

        /** A response with a Content-Length body and extra header lines ({@code "Name: value"}). */
        public static Reply of(int status, byte[] body, String... headers) {
            StringBuilder sb = new StringBuilder("HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length + "\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            sb.append("\r\n");
            return new Reply(concat(sb.toString().getBytes(StandardCharsets.ISO_8859_1), body), false);
        }

        /** A response whose head (without the blank line) and raw chunked body are given as text. */
        public static Reply chunked(String head, String rawBody) {
            return new Reply((head + "\r\nTransfer-Encoding: chunked\r\n\r\n" + rawBody).getBytes(StandardCharsets.ISO_8859_1), false);
        }

        /** A redirect to {@code location}. */
        public static Reply redirect(int status, String location) {
            return of(status, new byte[0], "Location: " + location);
        }

        /** Closes the connection without answering. */
        public static Reply hangUp() {
            return new Reply(new byte[0], true);
        }

        /** This reply, then the connection closed silently. */
        public Reply thenClose() {
            return new Reply(bytes, true);
        }
    }

    private final ServerSocket server;
    private final Map<String, Function<Request, Reply>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private KeepAliveHttpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::acceptLoop, "keep-alive-http-accept");
        t.setDaemon(true);
        t.start();
    }

    /** Starts the server on a free port. */
    public static KeepAliveHttpServer start() throws IOException {
        return new KeepAliveHttpServer();
    }

    /** Answers requests for {@code rawPath} (exact, without query) with {@code route}; unknown paths get 404. */
    public KeepAliveHttpServer route(String rawPath, Function<Request, Reply> route) {
        routes.put(rawPath, route);
        return this;
    }

    /** Returns {@code http://127.0.0.1:PORT}. */
    public String origin() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Returns the requests received so far, in order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Returns how many connections were accepted. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int id = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, id), "keep-alive-http-" + id);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int id) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                Request req = read(in, id);
                if (req == null) {
                    return;
                }
                requests.add(req);
                String path = req.target().contains("?") ? req.target().substring(0, req.target().indexOf('?')) : req.target();
                Function<Request, Reply> route = routes.get(path);
                Reply r = route == null ? Reply.of(404, new byte[0]) : route.apply(req);
                byte[] bytes = r.bytes();
                if (req.method().equals("HEAD") && route != null) {
                    bytes = headOnly(bytes);
                }
                out.write(bytes);
                out.flush();
                if (r.close()) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Keeps the head of a scripted response (a HEAD answer has no body). */
    private static byte[] headOnly(byte[] response) {
        String s = new String(response, StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        return end < 0 ? response : s.substring(0, end + 4).replace("Transfer-Encoding: chunked\r\n", "")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Request read(InputStream in, int id) throws IOException {
        String line = line(in);
        if (line == null || line.isEmpty()) {
            return null;
        }
        String[] parts = line.split(" ");
        Map<String, String> headers = new TreeMap<>();
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.merge(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
        return new Request(id, parts[0], parts.length > 1 ? parts[1] : "", headers);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Returns the requests for {@code rawPath}. */
    public List<Request> requests(String rawPath) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.target().equals(rawPath)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
