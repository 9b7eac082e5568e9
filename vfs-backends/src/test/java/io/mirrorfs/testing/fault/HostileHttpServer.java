package io.mirrorfs.testing.fault;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny HTTP/1.1 server on 127.0.0.1 whose answers are scripted per path, honest or lying.
 *
 * <p>Every response closes its connection ({@code Connection: close}), so a lie never leaks
 * into the next exchange. Routes are exact raw paths; {@link Route} has the behaviours the
 * hostile-upstream tests need: an honest file (HEAD, single ranges, a fixed ETag), a wrong
 * Content-Length, Range ignored or misreported, listings that are huge, endless or full of
 * hostile names, and a request that is never answered.
 *
 * <pre>{@code
 * try (HostileHttpServer s = HostileHttpServer.start()) {
 *     s.route("/", Route.listing("a.bin", "lies.bin"));
 *     s.route("/a.bin", Route.file(bytes));
 *     s.route("/lies.bin", Route.contentLengthLonger(bytes, 1000));
 * }
 * }</pre>
 * Thread-safe: routes may change while clients connect.
 */
public final class HostileHttpServer implements AutoCloseable {

    /** A parsed request: method, raw target and lower-case header names. */
    public record Request(String method, String target, Map<String, String> headers) {
        /** Returns the first byte of a {@code Range: bytes=A-B} header, or -1 without one. */
        public long rangeStart() {
            String r = headers.get("range");
            if (r == null || !r.startsWith("bytes=")) {
                return -1;
            }
            return Long.parseLong(r.substring(6, r.indexOf('-')).trim());
        }

        /** Returns the last byte (inclusive) a Range asks for, capped at {@code size - 1}; -1 without a range. */
        public long rangeEnd(long size) {
            String r = headers.get("range");
            if (r == null || !r.startsWith("bytes=")) {
                return -1;
            }
            String end = r.substring(r.indexOf('-') + 1).trim();
            return end.isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(end));
        }
    }

    /** Answers one request by writing a whole response (head and body) to {@code out}. */
    @FunctionalInterface
    public interface Route {
        /** Writes the response; the connection is closed afterwards. */
        void answer(Request req, OutputStream out) throws IOException;

        /** An honest file: 200, or 206 for a single range, with a fixed ETag and Last-Modified. */
        static Route file(byte[] body) {
            return (req, out) -> honest(req, out, body, body.length);
        }

        /** HEAD and Range answers promise {@code body.length + extra} bytes; the body then ends early. */
        static Route contentLengthLonger(byte[] body, long extra) {
            return (req, out) -> {
                long declared = body.length + extra;
                if (req.method.equals("HEAD")) {
                    head(out, 200, declared, "");
                    return;
                }
                long from = Math.max(0, req.rangeStart());
                long to = req.rangeStart() < 0 ? declared - 1 : req.rangeEnd(declared);
                head(out, req.rangeStart() < 0 ? 200 : 206, to - from + 1,
                        req.rangeStart() < 0 ? "" : "Content-Range: bytes " + from + "-" + to + "/" + declared + "\r\n");
                if (from < body.length) {
                    out.write(body, (int) from, (int) Math.min(body.length - from, to - from + 1));
                }
                out.flush(); // and close: the declared length is never reached
            };
        }

        /** HEAD says {@code body.length} bytes; a GET declares {@code missing} bytes fewer than it then sends. */
        static Route contentLengthShorter(byte[] body, int missing) {
            return (req, out) -> {
                if (req.method.equals("HEAD")) {
                    head(out, 200, body.length, "");
                    return;
                }
                head(out, 200, body.length - missing, "");
                out.write(body); // more than declared
            };
        }

        /** Ignores Range: always 200 with the whole body (a valid, if wasteful, server). */
        static Route ignoresRange(byte[] body) {
            return (req, out) -> {
                head(out, 200, body.length, "");
                if (!req.method.equals("HEAD")) {
                    out.write(body);
                }
            };
        }

        /** Answers every range with 206 and the bytes from offset 0, labelled as from offset 0. */
        static Route wrongRangeStart(byte[] body) {
            return (req, out) -> {
                if (req.method.equals("HEAD") || req.rangeStart() < 0) {
                    honest(req, out, body, body.length);
                    return;
                }
                long len = req.rangeEnd(body.length) - req.rangeStart() + 1;
                head(out, 206, len, "Content-Range: bytes 0-" + (len - 1) + "/" + body.length + "\r\n");
                out.write(body, 0, (int) len);
            };
        }

        /** Answers ranges with the right bytes but a Content-Range claiming a different total size. */
        static Route wrongRangeTotal(byte[] body) {
            return (req, out) -> {
                if (req.method.equals("HEAD") || req.rangeStart() < 0) {
                    honest(req, out, body, body.length);
                    return;
                }
                long from = req.rangeStart();
                long to = req.rangeEnd(body.length);
                head(out, 206, to - from + 1, "Content-Range: bytes " + from + "-" + to + "/" + (body.length * 2L) + "\r\n");
                out.write(body, (int) from, (int) (to - from + 1));
            };
        }

        /** Answers 206 with a Content-Range the client cannot parse. */
        static Route garbageContentRange(byte[] body) {
            return (req, out) -> {
                if (req.method.equals("HEAD") || req.rangeStart() < 0) {
                    honest(req, out, body, body.length);
                    return;
                }
                head(out, 206, 10, "Content-Range: bytes lots-of-them/\u00ff\r\n");
                out.write(body, 0, 10);
            };
        }

        /** A status with an empty body, e.g. 404 or 500. */
        static Route status(int code) {
            return (req, out) -> head(out, code, 0, "");
        }

        /** Reads the request and never answers, holding the connection open until the server closes. */
        static Route stall() {
            return (req, out) -> {
                throw new Stall();
            };
        }

        /** An nginx-like HTML listing of raw hrefs {@code names}, without sizes (a name ending in '/' is a directory). */
        static Route listing(String... names) {
            StringBuilder sb = new StringBuilder("<html><head><title>Index of /</title></head><body><h1>Index of /</h1><hr><pre>"
                    + "<a href=\"../\">../</a>\n");
            for (String n : names) {
                sb.append("<a href=\"").append(n).append("\">").append(n).append("</a> 01-Jan-2024 00:00 -\n");
            }
            sb.append("</pre><hr></body></html>\n");
            return page(sb.toString().getBytes(StandardCharsets.UTF_8));
        }

        /** A listing page with the given raw bytes as HTML. */
        static Route page(byte[] html) {
            return (req, out) -> {
                head(out, 200, html.length, "Content-Type: text/html; charset=utf-8\r\n");
                if (!req.method.equals("HEAD")) {
                    out.write(html);
                }
            };
        }

        /**
         * A listing page of {@code bytes} bytes, streamed chunked without a Content-Length: one
         * link, then filler comments. Nothing is held in memory on the server side.
         */
        static Route hugePage(long bytes) {
            return (req, out) -> streamed(req, out, "<html><body><pre><a href=\"f\">f</a>\n", bytes,
                    i -> "<!-- filler filler filler filler filler filler filler filler filler filler filler -->\n");
        }

        /** A listing of {@code count} files named {@code f0000000}..., streamed chunked. */
        static Route manyEntries(long count) {
            return (req, out) -> streamed(req, out, "<html><body><h1>Index of /</h1><hr><pre>\n", Long.MAX_VALUE,
                    i -> i < count ? String.format("<a href=\"f%07d\">f%07d</a> 01-Jan-2024 00:00 1%n", i, i) : null);
        }

        /** An endless listing: entries stream until the client hangs up. */
        static Route endlessListing() {
            return manyEntries(Long.MAX_VALUE);
        }
    }

    /** Thrown by {@link Route#stall()}: the server then holds the connection without answering. */
    static final class Stall extends RuntimeException {
        Stall() {
            super(null, null, false, false);
        }
    }

    private final ServerSocket listener;
    private final Map<String, Route> routes = new ConcurrentSkipListMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final Map<String, AtomicLong> perPath = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private HostileHttpServer(ServerSocket listener) {
        this.listener = listener;
    }

    /** Starts a server with no routes (every path is 404) on an ephemeral loopback port. */
    public static HostileHttpServer start() throws IOException {
        HostileHttpServer s = new HostileHttpServer(new ServerSocket(0, 128, InetAddress.getLoopbackAddress()));
        Thread t = new Thread(s::acceptLoop, "hostile-http-" + s.port());
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** Sets what {@code rawPath} answers (e.g. {@code "/"}, {@code "/dir/"}, {@code "/a%20b"}). */
    public HostileHttpServer route(String rawPath, Route route) {
        routes.put(rawPath, route);
        return this;
    }

    /** Returns the port. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Returns {@code http://127.0.0.1:PORT/}. */
    public String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    /** Returns how many requests arrived in total. */
    public long requests() {
        return requests.get();
    }

    /** Returns how many requests arrived for {@code rawPath}. */
    public long requests(String rawPath) {
        AtomicLong n = perPath.get(rawPath);
        return n == null ? 0 : n.get();
    }

    /** Returns a snapshot of request counts per path, for diagnostics. */
    public Map<String, Long> requestCounts() {
        Map<String, Long> m = new TreeMap<>();
        perPath.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "hostile-http-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024)) {
            Request req = readRequest(in);
            if (req == null) {
                return;
            }
            requests.incrementAndGet();
            String path = req.target.contains("?") ? req.target.substring(0, req.target.indexOf('?')) : req.target;
            perPath.computeIfAbsent(path, k -> new AtomicLong()).incrementAndGet();
            Route r = routes.getOrDefault(path, Route.status(404));
            try {
                r.answer(req, out);
                out.flush();
            } catch (Stall stall) {
                while (in.read() >= 0) {
                    // hold the connection, answering nothing, until the client or close() ends it
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client hung up or the route gave up: nothing to report
        } finally {
            open.remove(s);
        }
    }

    private static Request readRequest(InputStream in) throws IOException {
        String line = readLine(in);
        if (line == null || line.isEmpty()) {
            return null;
        }
        String[] parts = line.split(" ");
        Map<String, String> headers = new TreeMap<>();
        String h;
        while ((h = readLine(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
        }
        return new Request(parts[0], parts.length > 1 ? parts[1] : "/", headers);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 65536) {
                throw new IOException("request line too long");
            }
        }
        return c < 0 && sb.length() == 0 ? null : sb.toString();
    }

    static void honest(Request req, OutputStream out, byte[] body, long size) throws IOException {
        String validators = "ETag: \"fixed-" + size + "\"\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nAccept-Ranges: bytes\r\n";
        if (req.method.equals("HEAD")) {
            head(out, 200, size, validators);
            return;
        }
        long from = req.rangeStart();
        if (from < 0) {
            head(out, 200, size, validators);
            out.write(body);
            return;
        }
        if (from >= size) {
            head(out, 416, 0, "Content-Range: bytes */" + size + "\r\n");
            return;
        }
        long to = req.rangeEnd(size);
        head(out, 206, to - from + 1, validators + "Content-Range: bytes " + from + "-" + to + "/" + size + "\r\n");
        out.write(body, (int) from, (int) (to - from + 1));
    }

    static void head(OutputStream out, int status, long contentLength, String extra) throws IOException {
        String h = "HTTP/1.1 " + status + " X\r\nConnection: close\r\nContent-Length: " + contentLength + "\r\n" + extra + "\r\n";
        out.write(h.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Streams {@code prefix} then lines from {@code lines} (until null or {@code maxBytes}) as a chunked HTML body. */
    static void streamed(Request req, OutputStream out, String prefix, long maxBytes, java.util.function.LongFunction<String> lines)
            throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        if (req.method.equals("HEAD")) {
            return;
        }
        long sent = 0;
        StringBuilder chunk = new StringBuilder(prefix);
        for (long i = 0; sent < maxBytes; i++) {
            String l = lines.apply(i);
            if (l == null) {
                break;
            }
            chunk.append(l);
            if (chunk.length() >= 32 * 1024) {
                sent += writeChunk(out, chunk);
            }
        }
        chunk.append("</pre></body></html>\n");
        writeChunk(out, chunk);
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int writeChunk(OutputStream out, StringBuilder chunk) throws IOException {
        byte[] b = chunk.toString().getBytes(StandardCharsets.UTF_8);
        chunk.setLength(0);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return b.length;
    }

    /** Stops accepting and closes every open connection (stalled routes included). */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
