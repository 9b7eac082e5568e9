package io.mirrorfs.vfs.ftp;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * The socket factory of one FTP connection: sockets created while a listing is under way (the
 * passive data connection of {@code LIST}/{@code MLSD}) fail once they delivered more than
 * {@link #MAX_LISTING_BYTES}.
 *
 * <p>Why: commons-net reads a whole listing into memory (every line, then an {@code FTPFile} per
 * line, each keeping its raw line) before returning it, so a hostile or absurd directory of
 * millions of entries would take the heap with it. 8 MiB is about 130,000 LIST lines, several
 * times the largest directories of public mirrors. The control connection and file transfers are
 * not limited. Active-mode data connections are accepted through a server socket and are not
 * covered. Not thread-safe: one instance per connection, used by its one borrower at a time.
 */
final class ListingSocketFactory extends SocketFactory {

    /** The most bytes one listing may have. */
    static final long MAX_LISTING_BYTES = 8L << 20;

    private volatile boolean listing;

    /** Marks whether the sockets created from now on carry a listing. */
    void listing(boolean on) {
        listing = on;
    }

    @Override
    public Socket createSocket() {
        return listing ? new LimitedSocket(MAX_LISTING_BYTES) : new Socket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    /** A socket whose input fails after {@code limit} bytes. */
    private static final class LimitedSocket extends Socket {
        private final long limit;
        private InputStream in;

        LimitedSocket(long limit) {
            this.limit = limit;
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new FilterInputStream(super.getInputStream()) {
                    private long count;

                    @Override
                    public int read() throws IOException {
                        int b = super.read();
                        if (b >= 0) {
                            count(1);
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int n = super.read(buf, off, len);
                        if (n > 0) {
                            count(n);
                        }
                        return n;
                    }

                    private void count(int n) throws IOException {
                        count += n;
                        if (count > limit) {
                            throw new IOException("directory listing larger than " + (limit >> 20) + " MiB: refused");
                        }
                    }
                };
            }
            return in;
        }
    }
}
