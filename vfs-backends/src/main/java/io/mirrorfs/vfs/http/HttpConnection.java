package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.LowSpeedLimit;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 keep-alive connection (RFC 9112): writes a request, reads the response head and
 * hands out the body with its framing (Content-Length, chunked, or until close). Used by one
 * thread at a time, leased from a {@link ConnectionPool}.
 */
final class HttpConnection implements Closeable {

    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int BUFFER = 64 * 1024;

    private final Origin origin;
    private final Socket socket;
    private final LowSpeedLimit speed;
    private final BufferedInputStream in;
    private final OutputStream out;
    private long idleDeadlineNanos = Long.MAX_VALUE;
    private int exchanges;
    private boolean broken;

    private HttpConnection(Origin origin, Socket socket, Duration readTimeout) throws IOException {
        this.origin = origin;
        this.socket = socket;
        // The socket timeout bounds silence; the speed limit bounds a server trickling bytes.
        this.speed = new LowSpeedLimit(socket.getInputStream(), readTimeout, origin.toString());
        this.in = new BufferedInputStream(speed, BUFFER);
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to {@code origin} within {@code connectTimeout} (TCP and TLS handshake), with
     * {@code readTimeout} as the longest silence allowed while waiting for bytes.
     */
    static HttpConnection open(Origin origin, SSLSocketFactory tls, Duration connectTimeout, Duration readTimeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(origin.socketHost(), origin.port()), (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            if (origin.tls()) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(s, origin.socketHost(), origin.port(), true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 2818 host name check
                ssl.setSSLParameters(params);
                ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
                ssl.startHandshake();
                s = ssl;
            }
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            return new HttpConnection(origin, s, readTimeout);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Returns the origin this connection talks to. */
    Origin origin() {
        return origin;
    }

    /** Returns how many exchanges this connection has carried (0 when fresh). */
    int exchanges() {
        return exchanges;
    }

    /** Returns whether the connection may carry another request now. */
    boolean reusable() {
        return !broken && !socket.isClosed() && System.nanoTime() < idleDeadlineNanos;
    }

    /** Starts a new low-speed window: a parked body is being read again after a pause of ours. */
    void resumeReading() {
        speed.restart();
    }

    /** Marks the connection unusable (its body was abandoned or the server closes it). */
    void markBroken() {
        broken = true;
    }

    /** Remembers when the server will close this idle connection (its Keep-Alive timeout), minus a margin. */
    void idleUntil(long deadlineNanos) {
        idleDeadlineNanos = deadlineNanos;
    }

    /**
     * Sends {@code method target} with {@code headers} and returns the response; the body must be
     * read to its end (or the connection closed) before the next exchange.
     */
    HttpResponse exchange(String method, String target, List<String[]> headers) throws IOException {
        exchanges++;
        speed.restart();
        StringBuilder req = new StringBuilder(256);
        req.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        req.append("Host: ").append(origin.hostHeader()).append("\r\n");
        req.append("User-Agent: mirrorfs/0.1\r\nAccept-Encoding: identity\r\n");
        for (String[] h : headers) {
            req.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        req.append("\r\n");
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return readResponse(method.equals("HEAD"));
    }

    private HttpResponse readResponse(boolean head) throws IOException {
        while (true) {
            String status = readLine(true);
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP/1.x response from " + origin + ": " + abbreviate(status));
            }
            int code;
            try {
                code = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("bad status line from " + origin + ": " + abbreviate(status));
            }
            Map<String, String> headers = readHeaders();
            if (code >= 100 && code < 200) {
                continue; // interim response (RFC 9110 section 15.2)
            }
            boolean closes = parts[0].equals("HTTP/1.0") && !"keep-alive".equalsIgnoreCase(headers.get("connection"))
                    || "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
            if (closes) {
                broken = true;
            }
            keepAliveTimeout(headers.get("keep-alive"));
            return new HttpResponse(code, headers, body(code, head, headers), this);
        }
    }

    private InputStream body(int code, boolean head, Map<String, String> headers) throws IOException {
        if (head || code == 204 || code == 304) {
            return new BodyStreams.Fixed(in, 0);
        }
        String te = headers.get("transfer-encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            return new BodyStreams.Chunked(in, this);
        }
        String cl = headers.get("content-length");
        if (cl != null) {
            try {
                return new BodyStreams.Fixed(in, Long.parseLong(cl.trim()));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length from " + origin + ": " + abbreviate(cl));
            }
        }
        broken = true; // the body ends when the server closes the connection
        return new BodyStreams.UntilClose(in);
    }

    private void keepAliveTimeout(String keepAlive) {
        if (keepAlive == null) {
            return;
        }
        for (String p : keepAlive.split(",")) {
            String t = p.trim().toLowerCase(Locale.ROOT);
            if (t.startsWith("timeout=")) {
                try {
                    long secs = Long.parseLong(t.substring(8).trim());
                    // Leave a margin so we never send on a connection the server is closing.
                    idleUntil(System.nanoTime() + Math.max(0, secs * 1000 - 1000) * 1_000_000L);
                } catch (NumberFormatException ignored) {
                    // no usable timeout: keep the default
                }
            }
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        while (true) {
            String line = readLine(false);
            if (line.isEmpty()) {
                return headers;
            }
            total += line.length();
            if (total > MAX_HEAD_BYTES) {
                throw new IOException("response head from " + origin + " exceeds " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
    }

    /** Reads one CRLF- (or LF-) terminated line as Latin-1; at {@code first} an immediate EOF means the server closed an idle connection. */
    String readLine(boolean first) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw first && sb.length() == 0 ? new ClosedByServerException(origin)
                        : new IOException("connection to " + origin + " closed in the middle of a response");
            }
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            if (sb.length() >= MAX_HEAD_BYTES) {
                throw new IOException("response line from " + origin + " exceeds " + MAX_HEAD_BYTES + " bytes");
            }
            sb.append((char) c);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }

    /** Closes the socket; pending bodies fail. Idempotent. */
    @Override
    public void close() {
        broken = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** The server closed a kept-alive connection before answering: safe to resend on a new one. */
    static final class ClosedByServerException extends IOException {
        ClosedByServerException(Origin origin) {
            super("connection to " + origin + " closed by the server before the response");
        }
    }

    /** Returns whether {@code e} is a read timeout. */
    static boolean isTimeout(IOException e) {
        return e instanceof SocketTimeoutException;
    }
}
