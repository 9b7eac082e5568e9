package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.LowSpeedLimit;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.impl.io.DefaultManagedHttpClientConnection;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.impl.io.SocketHolder;
import org.apache.hc.core5.http.io.HttpConnectionFactory;

/**
 * A client connection whose response heads (of requests and of CONNECT) are under the
 * {@link LowSpeedLimit}: HttpClient has only the socket timeout, which a server trickling one
 * byte a second never trips, so a HEAD or the head of a GET could hang for as long as the server
 * likes. The window starts when a request is sent and the guard stands down once the head is
 * parsed; the body has its own guard in {@link Requester.Exchange}, restarted when a parked body
 * is read again (this one cannot know about our pauses). Used by one thread at a time, as every
 * client connection.
 */
final class HeadGuardedConnection extends DefaultManagedHttpClientConnection {

    private static final AtomicLong IDS = new AtomicLong();

    private final Duration window;
    private Guard guard;
    /** Whether a response head is awaited; the guard's stream is created lazily, at the first read after the request. */
    private boolean awaitingHead;

    private HeadGuardedConnection(String id, Duration window) {
        // The library's defaults (nulls) but for the framing of repeated equal Content-Length fields.
        super(id, null, null, null, RepeatedContentLength.INSTANCE, null, null, null);
        this.window = window;
    }

    /** Returns the client's connection factory for connections guarded with windows of {@code readTimeout}. */
    static HttpConnectionFactory<ManagedHttpClientConnection> factory(Duration readTimeout) {
        return socket -> {
            HeadGuardedConnection c = new HeadGuardedConnection("mirrorfs-" + IDS.incrementAndGet(), readTimeout);
            if (socket != null) {
                c.bind(socket);
            }
            return c;
        };
    }

    @Override
    public void bind(Socket socket) throws IOException {
        bind(new GuardedHolder(socket));
    }

    @Override
    public void bind(SSLSocket sslSocket, Socket socket) throws IOException {
        bind(new GuardedHolder(sslSocket, socket));
    }

    @Override
    protected void onRequestSubmitted(ClassicHttpRequest request) {
        super.onRequestSubmitted(request);
        awaitingHead = true;
        if (guard != null) {
            guard.limit.restart();
        }
    }

    @Override
    protected void onResponseReceived(ClassicHttpResponse response) {
        super.onResponseReceived(response);
        awaitingHead = false;
    }

    /** Hands the connection a guarded input stream of its socket. */
    private final class GuardedHolder extends SocketHolder {
        GuardedHolder(Socket socket) {
            super(socket);
        }

        GuardedHolder(SSLSocket ssl, Socket base) {
            super(ssl, base);
        }

        @Override
        protected InputStream getInputStream(Socket socket) throws IOException {
            Guard g = new Guard(super.getInputStream(socket), socket.getRemoteSocketAddress().toString());
            guard = g;
            return g;
        }
    }

    /** Reads through the speed limit while a response head is awaited, straight through otherwise. */
    private final class Guard extends FilterInputStream {
        private final LowSpeedLimit limit;

        Guard(InputStream in, String peer) {
            super(in);
            this.limit = new LowSpeedLimit(in, window, peer);
        }

        @Override
        public int read() throws IOException {
            return awaitingHead ? limit.read() : in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return awaitingHead ? limit.read(b, off, len) : in.read(b, off, len);
        }
    }
}
