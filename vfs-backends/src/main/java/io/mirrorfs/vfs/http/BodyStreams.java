package io.mirrorfs.vfs.http;

import java.io.IOException;
import java.io.InputStream;

/** The three ways an HTTP/1.1 body ends (RFC 9112 section 6.3). Not thread-safe. */
final class BodyStreams {

    private BodyStreams() {
    }

    /** A body of known length; {@link #remaining()} tells how much is left. */
    static final class Fixed extends InputStream {
        private final InputStream in;
        private long remaining;

        Fixed(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        long remaining() {
            return remaining;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("connection closed with " + remaining + " bytes of the body missing");
            }
            remaining -= n;
            return n;
        }
    }

    /** A chunked body (RFC 9112 section 7.1); trailers are read and ignored. */
    static final class Chunked extends InputStream {
        private final InputStream in;
        private final HttpConnection conn;
        private long chunkLeft;
        private boolean done;

        Chunked(InputStream in, HttpConnection conn) {
            this.in = in;
            this.conn = conn;
        }

        boolean done() {
            return done;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (chunkLeft == 0) {
                String size = conn.readLine(false).split(";", 2)[0].trim();
                try {
                    chunkLeft = Long.parseLong(size, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size: " + size);
                }
                if (chunkLeft == 0) {
                    while (!conn.readLine(false).isEmpty()) {
                        // trailer fields are not used
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                throw new IOException("connection closed in the middle of a chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0) {
                conn.readLine(false); // the CRLF after the chunk data
            }
            return n;
        }
    }

    /** A body that ends when the server closes the connection. */
    static final class UntilClose extends InputStream {
        private final InputStream in;

        UntilClose(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, len);
        }
    }
}
