package io.mirrorfs.it.wan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A WAN emulator for tests and benchmarks: a TCP relay on 127.0.0.1 in front of a server on
 * 127.0.0.1 that adds half the round trip to each direction and caps each connection's throughput
 * (and optionally all connections' together), see {@link LinkProfile}. This machine's kernel has
 * no netem, hence a relay. In FTP mode the passive replies are rewritten so data connections pass
 * through relays of their own ({@link PassiveReplyRewriter}).
 *
 * <p>Each direction of a connection is a {@link DelayLine} of two threads. Measured on this
 * 2-core machine: see integration-tests/bench/wan-relay-check.sh and the README.
 *
 * <p>Run: {@code java -cp integration-tests/target/test-classes io.mirrorfs.it.wan.WanRelay
 * --to PORT [--listen PORT] [--rtt 80ms] [--per-conn 50MiB/s] [--total 400MiB/s] [--ftp]};
 * it prints {@code listening on PORT} and runs until killed. Thread-safe; {@link #close} stops
 * accepting (connections already relayed run to their end).
 */
public final class WanRelay implements AutoCloseable {

    private final int serverPort;
    private final LinkProfile link;
    private final boolean ftp;
    private final Optional<TokenBucket> total;
    private final ServerSocketChannel listener;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private WanRelay(int listenPort, int serverPort, LinkProfile link, boolean ftp) throws IOException {
        this.serverPort = serverPort;
        this.link = link;
        this.ftp = ftp;
        this.total = link.total().map(TokenBucket::new);
        this.listener = open(listenPort);
        Thread t = new Thread(this::acceptLoop, "wan-relay-accept");
        t.setDaemon(true);
        t.start();
    }

    /** Starts a relay on an ephemeral port of 127.0.0.1 to {@code serverPort}; {@code ftp} rewrites passive replies. */
    public static WanRelay start(int serverPort, LinkProfile link, boolean ftp) throws IOException {
        return new WanRelay(0, serverPort, link, ftp);
    }

    /** Returns the port clients connect to. */
    public int port() {
        return listener.socket().getLocalPort();
    }

    /** Returns how many connections were relayed so far (data connections included). */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        synchronized (listeners) {
            for (ServerSocketChannel l : listeners) {
                l.close();
            }
        }
        listener.close();
    }

    private static ServerSocketChannel open(int port) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", port), 128);
        return s;
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel client = listener.accept();
                relay(client, serverPort, ftp);
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Opens a one-connection relay to a passive data port and returns its port. */
    private int relayDataPort(int dataPort) {
        try {
            ServerSocketChannel one = open(0);
            synchronized (listeners) {
                listeners.add(one);
            }
            Thread t = new Thread(() -> {
                try (one) {
                    relay(one.accept(), dataPort, false);
                } catch (IOException e) {
                    // closed before the client came
                } finally {
                    synchronized (listeners) {
                        listeners.remove(one);
                    }
                }
            }, "wan-relay-pasv-" + dataPort);
            t.setDaemon(true);
            t.start();
            return one.socket().getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void relay(SocketChannel client, int port, boolean control) throws IOException {
        long started = System.nanoTime();
        SocketChannel server;
        try {
            server = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            client.close();
            return;
        }
        for (SocketChannel c : List.of(client, server)) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        int id = connections.incrementAndGet();
        AtomicInteger open = new AtomicInteger(2);
        java.util.function.Consumer<Boolean> onEnd = failed -> {
            if (failed || open.decrementAndGet() == 0) {
                closeQuietly(client);
                closeQuietly(server);
            }
        };
        List<TokenBucket> up = buckets();
        List<TokenBucket> down = buckets();
        long window = window();
        UnaryOperator<ByteBuffer> none = UnaryOperator.identity();
        new DelayLine(client, server, link, started, window, up, none, onEnd).start("wan-" + id + "-up");
        UnaryOperator<ByteBuffer> replies = control ? new PassiveReplyRewriter(this::relayDataPort) : none;
        new DelayLine(server, client, link, started, window, down, replies, onEnd).start("wan-" + id + "-down");
    }

    /** A fresh per-connection bucket (one per direction) and the shared total, as configured. */
    private List<TokenBucket> buckets() {
        List<TokenBucket> b = new ArrayList<>(2);
        link.perConnection().ifPresent(r -> b.add(new TokenBucket(r)));
        total.ifPresent(b::add);
        return b;
    }

    /**
     * Bytes one direction holds in flight: twice what the cap delivers during the one-way delay
     * (so the window never limits below the cap), at least 1 MiB; 64 MiB when uncapped.
     */
    private long window() {
        long rate = link.perConnection().or(link::total).orElse(-1L);
        if (rate < 0) {
            return 64L << 20;
        }
        return Math.max(1L << 20, 2 * rate * link.oneWayNanos() / 1_000_000_000L + (1 << 20));
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** The command line: see the class comment. */
    public static void main(String[] args) throws Exception {
        int listen = 0;
        int to = -1;
        Duration rtt = Duration.ZERO;
        Optional<Long> perConn = Optional.empty();
        Optional<Long> all = Optional.empty();
        boolean ftp = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--listen" -> listen = Integer.parseInt(args[++i]);
                case "--to" -> to = Integer.parseInt(args[++i]);
                case "--rtt" -> rtt = LinkProfile.parseDuration(args[++i]);
                case "--per-conn" -> perConn = Optional.of(LinkProfile.parseRate(args[++i]));
                case "--total" -> all = Optional.of(LinkProfile.parseRate(args[++i]));
                case "--ftp" -> ftp = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: --to PORT [--listen PORT] [--rtt 80ms] [--per-conn 50MiB/s] [--total 400MiB/s] [--ftp]");
            }
        }
        if (to < 0) {
            throw new IllegalArgumentException("--to PORT is required");
        }
        WanRelay r = new WanRelay(listen, to, new LinkProfile(rtt, perConn, all), ftp);
        System.out.println("listening on " + r.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
