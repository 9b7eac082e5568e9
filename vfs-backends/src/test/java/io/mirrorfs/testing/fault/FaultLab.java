package io.mirrorfs.testing.fault;

import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.VsftpdServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command-line lab of healthy and faulty servers for scripts (integration-tests/bench/
 * resilience.sh): nginx and vsftpd serving one directory, each also behind fault proxies, plus a
 * lying HTTP server. Prints {@code NAME URL} per endpoint, then {@code ready}; then reads commands
 * from stdin, one per line, answering {@code ok} or {@code error ...}:
 * <ul>
 * <li>{@code stop NAME}: the proxy NAME stops as a killed server would: open connections reset,
 *     new ones refused;
 * <li>{@code start NAME}: it listens and forwards again;
 * <li>{@code quit} (or end of input): stops everything.
 * </ul>
 * The directory must hold {@code file.bin}; the lying server serves its first 4 MiB.
 */
public final class FaultLab {

    private FaultLab() {
    }

    /** Runs the lab on directory {@code args[0]}. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Map<String, FaultProxy> proxies = new LinkedHashMap<>();
        Map<String, String> urls = new LinkedHashMap<>();
        List<AutoCloseable> toClose = new ArrayList<>();
        try {
            NginxServer nginx = NginxServer.start(dir, NginxServer.Listing.EXACT);
            toClose.add(nginx);
            VsftpdServer vsftpd = VsftpdServer.start(dir);
            toClose.add(vsftpd);
            urls.put("http-healthy", nginx.url());
            urls.put("ftp-healthy", vsftpd.url());
            for (String scheme : new String[] {"http", "ftp"}) {
                int port = scheme.equals("http") ? nginx.port() : vsftpd.port();
                for (String fault : new String[] {"stopped", "stopped-mid", "stalled", "stalled-mid", "trickle", "reset-mid", "refused"}) {
                    FaultProxy p = scheme.equals("http") ? FaultProxy.tcp(port) : FaultProxy.ftp(port);
                    toClose.add(p);
                    String name = scheme + "-" + fault;
                    proxies.put(name, p);
                    urls.put(name, p.url(scheme, "/"));
                    switch (fault) {
                        case "stalled" -> p.blackhole();
                        case "stalled-mid" -> p.stallAfter(1 << 20);
                        case "trickle" -> p.throttle(1);
                        case "reset-mid" -> p.resetAfter(1 << 20);
                        case "refused" -> p.refuse();
                        default -> {
                            // stopped and stopped-mid: healthy until told to stop
                        }
                    }
                }
            }
            HostileHttpServer liar = HostileHttpServer.start();
            toClose.add(liar);
            byte[] head = new byte[4 << 20];
            try (var in = Files.newInputStream(dir.resolve("file.bin"))) {
                in.readNBytes(head, 0, head.length);
            }
            liar.route("/", HostileHttpServer.Route.listing("missing.bin", "lying.bin"));
            liar.route("/lying.bin", HostileHttpServer.Route.contentLengthLonger(head, 1 << 20));
            urls.put("http-lying", liar.url());
            urls.put("http-unknown-host", "http://no-such-host.invalid/");
            urls.put("ftp-unknown-host", "ftp://no-such-host.invalid/");
            urls.forEach((k, v) -> System.out.println(k + " " + v));
            System.out.println("ready");
            System.out.flush();
            commands(proxies);
        } finally {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                try {
                    toClose.get(i).close();
                } catch (Exception e) {
                    System.err.println("closing: " + e);
                }
            }
        }
    }

    private static void commands(Map<String, FaultProxy> proxies) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals("quit")) {
                return;
            }
            FaultProxy p = w.length > 1 ? proxies.get(w[1]) : null;
            if (p == null) {
                System.out.println("error: unknown command or endpoint: " + line);
            } else if (w[0].equals("stop")) {
                p.refuse();
                p.resetAll();
                System.out.println("ok");
            } else if (w[0].equals("start")) {
                p.heal();
                System.out.println("ok");
            } else {
                System.out.println("error: unknown command: " + line);
            }
            System.out.flush();
        }
    }
}
