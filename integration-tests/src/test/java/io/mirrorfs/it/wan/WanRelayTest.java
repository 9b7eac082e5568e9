package io.mirrorfs.it.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The WAN emulator itself, against real sockets on 127.0.0.1: the added round trip, the
 * per-connection and total caps (measured, with tolerances for a shared 2-core machine), and the
 * rewriting of FTP passive replies.
 */
class WanRelayTest {

    private static final long MIB = 1 << 20;

    @Test
    void addsTheRoundTripAndLittleMore() throws Exception {
        try (Server echo = Server.start(Server::echo);
                WanRelay relay = WanRelay.start(echo.port(), new LinkProfile(Duration.ofMillis(40), Optional.empty(), Optional.empty()), false);
                Socket s = connect(relay.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            long[] rtts = new long[21];
            for (int i = 0; i < rtts.length; i++) {
                long t0 = System.nanoTime();
                out.write(i);
                out.flush();
                assertEquals(i, in.read());
                rtts[i] = System.nanoTime() - t0;
            }
            // The first exchange also pays the emulated handshake: one more round trip.
            assertTrue(rtts[0] >= 80_000_000L, "first exchange " + rtts[0] / 1e6 + " ms < 2 round trips");
            long[] later = Arrays.copyOfRange(rtts, 1, rtts.length);
            Arrays.sort(later);
            long median = later[later.length / 2];
            assertTrue(later[0] >= 40_000_000L, "a round trip of " + later[0] / 1e6 + " ms is shorter than the 40 ms configured");
            // The issue asks for <= 1 ms added per direction; 3 ms over the round trip leaves room
            // for the other builds sharing this machine's two cores.
            assertTrue(median <= 43_000_000L, "median round trip " + median / 1e6 + " ms, over 40 ms + 3 ms");
        }
    }

    @Test
    void oneConnectionRunsAtItsCap() throws Exception {
        long cap = 16 * MIB;
        try (Server source = Server.start(sock -> Server.send(sock, 24 * MIB));
                WanRelay relay = WanRelay.start(source.port(), new LinkProfile(Duration.ofMillis(10), Optional.of(cap), Optional.empty()), false)) {
            double rate = download(relay.port());
            assertTrue(rate <= cap * 1.1, "one connection ran at " + rate / MIB + " MiB/s, over its cap of 16");
            assertTrue(rate >= cap * 0.6, "one connection ran at " + rate / MIB + " MiB/s, far below its cap of 16");
        }
    }

    @Test
    void connectionsTogetherRunAtTheTotalCap() throws Exception {
        long perConnection = 16 * MIB;
        long total = 24 * MIB;
        try (Server source = Server.start(sock -> Server.send(sock, 12 * MIB));
                WanRelay relay = WanRelay.start(source.port(),
                        new LinkProfile(Duration.ofMillis(10), Optional.of(perConnection), Optional.of(total)), false)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                long t0 = System.nanoTime();
                List<Future<Double>> all = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    all.add(pool.submit(() -> download(relay.port())));
                }
                for (Future<Double> f : all) {
                    f.get();
                }
                double rate = 48.0 * MIB / ((System.nanoTime() - t0) / 1e9);
                assertTrue(rate <= total * 1.1, "4 connections ran at " + rate / MIB + " MiB/s, over the total cap of 24");
                assertTrue(rate >= total * 0.6, "4 connections ran at " + rate / MIB + " MiB/s, far below the total cap of 24");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void rewritesPassiveRepliesToRelayPorts() {
        List<Integer> asked = new ArrayList<>();
        PassiveReplyRewriter r = new PassiveReplyRewriter(port -> {
            asked.add(port);
            return 40_000 + asked.size();
        });
        assertEquals("229 Entering Extended Passive Mode (|||40001|)\r\n",
                apply(r, "229 Entering Extended Passive Mode (|||50123|)\r\n"));
        // A reply split over two reads comes out whole, once its end has arrived.
        assertEquals("", apply(r, "227 Entering Passive Mode (127,0,0,1,"));
        assertEquals("227 Entering Passive Mode (127,0,0,1,156,66).\r\n150 ok\r\n", apply(r, "195,137).\r\n150 ok\r\n"));
        assertEquals(List.of(50123, 195 * 256 + 137), asked);
        assertEquals("230 Login successful.\r\n", apply(r, "230 Login successful.\r\n"));
    }

    private static String apply(PassiveReplyRewriter r, String s) {
        ByteBuffer b = ByteBuffer.allocate(DelayLine.CHUNK);
        b.put(s.getBytes(StandardCharsets.ISO_8859_1)).flip();
        ByteBuffer out = r.apply(b);
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Reads a connection to its end; returns bytes per second from the first byte on. */
    private static double download(int port) throws IOException {
        try (Socket s = connect(port); InputStream in = s.getInputStream()) {
            byte[] buf = new byte[256 << 10];
            long total = in.read(buf);
            long t0 = System.nanoTime();
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
            return (total - buf.length) / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** A loopback server running {@code handler} on each connection; stopped by close. */
    private record Server(ServerSocket socket, ExecutorService pool) implements AutoCloseable {

        interface Handler {
            void handle(Socket s) throws IOException;
        }

        static Server start(Handler handler) throws IOException {
            ServerSocket ss = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
            ExecutorService pool = Executors.newCachedThreadPool();
            pool.submit(() -> {
                while (!ss.isClosed()) {
                    Socket s = ss.accept();
                    pool.submit(() -> {
                        try (s) {
                            handler.handle(s);
                        }
                        return null;
                    });
                }
                return null;
            });
            return new Server(ss, pool);
        }

        int port() {
            return socket.getLocalPort();
        }

        static void echo(Socket s) throws IOException {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int b; (b = in.read()) >= 0; ) {
                out.write(b);
                out.flush();
            }
        }

        static void send(Socket s, long bytes) throws IOException {
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 << 10];
            for (long left = bytes; left > 0; left -= buf.length) {
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            pool.shutdownNow();
        }
    }
}
