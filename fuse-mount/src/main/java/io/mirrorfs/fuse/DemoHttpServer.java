package io.mirrorfs.fuse;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's loopback web server: serves a directory on 127.0.0.1 with nginx-style autoindex
 * pages, single byte ranges, ETag and Last-Modified, so the demo shows an HTTP source without
 * needing a web server installed. Not for production use: one directory, GET and HEAD only.
 */
final class DemoHttpServer implements AutoCloseable {

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter INDEX_DATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

    private final Path root;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "demo-http");
        t.setDaemon(true);
        return t;
    });

    private DemoHttpServer(Path root) throws IOException {
        this.root = root.toRealPath();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /** Starts serving {@code root} on an ephemeral 127.0.0.1 port. */
    static DemoHttpServer start(Path root) throws IOException {
        DemoHttpServer s = new DemoHttpServer(root);
        s.server.start();
        return s;
    }

    /** Returns the base URL, such as {@code http://127.0.0.1:41234/}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                send(ex, 405, "method not allowed\n");
                return;
            }
            String rawPath = ex.getRequestURI().getRawPath();
            Path p = resolve(rawPath);
            if (p == null || !Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p)) {
                send(ex, 404, "not found\n");
                return;
            }
            if (Files.isDirectory(p)) {
                if (!rawPath.endsWith("/")) {
                    ex.getResponseHeaders().set("Location", rawPath + "/");
                    send(ex, 301, "moved\n");
                    return;
                }
                send(ex, 200, index(p, URLDecoder.decode(rawPath, StandardCharsets.UTF_8)));
                return;
            }
            serveFile(ex, p);
        }
    }

    private Path resolve(String rawPath) {
        Path p = root;
        for (String seg : rawPath.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            String name = URLDecoder.decode(seg.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (name.equals("..") || name.equals(".") || name.contains("/") || name.contains("\0")) {
                return null;
            }
            p = p.resolve(name);
        }
        return p;
    }

    private void serveFile(HttpExchange ex, Path p) throws IOException {
        long size = Files.size(p);
        Instant mtime = Files.getLastModifiedTime(p).toInstant();
        String etag = "\"" + Long.toHexString(mtime.getEpochSecond()) + "-" + Long.toHexString(size) + "\"";
        var h = ex.getResponseHeaders();
        h.set("Accept-Ranges", "bytes");
        h.set("ETag", etag);
        h.set("Last-Modified", HTTP_DATE.format(mtime));
        h.set("Content-Type", "application/octet-stream");
        long start = 0;
        long end = size - 1;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        if (range != null && (ifRange == null || ifRange.equals(etag))) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, size - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    if (!m.group(2).isEmpty()) {
                        end = Math.min(end, Long.parseLong(m.group(2)));
                    }
                }
                if (start >= size) {
                    h.set("Content-Range", "bytes */" + size);
                    send(ex, 416, "");
                    return;
                }
                status = 206;
                h.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
        }
        long length = Math.max(0, end - start + 1);
        boolean head = ex.getRequestMethod().equals("HEAD");
        h.set("Content-Length", Long.toString(length));
        ex.sendResponseHeaders(status, head ? -1 : (length == 0 ? -1 : length));
        if (head || length == 0) {
            return;
        }
        try (FileChannel ch = FileChannel.open(p); OutputStream out = ex.getResponseBody()) {
            ch.position(start);
            InputStream in = Channels.newInputStream(ch);
            byte[] buf = new byte[256 * 1024];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    /** Renders an index page in nginx's autoindex format (exact sizes, UTC times). */
    private String index(Path dir, String decodedPath) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        }
        children.sort(null);
        StringBuilder sb = new StringBuilder()
                .append("<html>\r\n<head><title>Index of ").append(escape(decodedPath)).append("</title></head>\r\n<body>\r\n")
                .append("<h1>Index of ").append(escape(decodedPath)).append("</h1><hr><pre><a href=\"../\">../</a>\r\n");
        for (Path c : children) {
            if (Files.isSymbolicLink(c)) {
                continue;
            }
            boolean isDir = Files.isDirectory(c);
            String name = c.getFileName().toString() + (isDir ? "/" : "");
            String href = URLEncoder.encode(c.getFileName().toString(), StandardCharsets.UTF_8).replace("+", "%20") + (isDir ? "/" : "");
            String size = isDir ? "-" : Long.toString(Files.size(c));
            String date = INDEX_DATE.format(Files.getLastModifiedTime(c).toInstant());
            sb.append("<a href=\"").append(href).append("\">").append(escape(name)).append("</a> ")
                    .append(date).append(' ').append(String.format("%19s", size)).append("\r\n");
        }
        return sb.append("</pre><hr></body>\r\n</html>\r\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
