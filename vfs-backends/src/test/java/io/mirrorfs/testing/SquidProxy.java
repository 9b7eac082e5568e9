package io.mirrorfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Squid (Debian's {@code squid}) on 127.0.0.1 as an HTTP proxy for tests: its own
 * configuration, pid file and logs in a private temporary directory, no disk cache and
 * {@code cache deny all}, so every request a client sends through it reaches the origin and
 * appears in {@link #accessLog()}. CONNECT is allowed to any port (a test's TLS nginx listens on
 * an ephemeral one). Started in the foreground ({@code -N}); {@link #close} stops it, also when
 * a test failed.
 */
public final class SquidProxy extends ServerProcess {

    private String user;
    private String password;

    private SquidProxy() throws IOException {
        // Squid writes its logs as cache_effective_user after dropping root: let it.
        work.toFile().setWritable(true, false);
    }

    /** Starts Squid on a free port. */
    public static SquidProxy launch() throws IOException {
        return started(new SquidProxy());
    }

    /** Starts Squid requiring basic proxy authentication (407) with {@code user} and {@code password} (basic_ncsa_auth). */
    public static SquidProxy launchWithBasicAuth(String user, String password) throws IOException {
        SquidProxy s = new SquidProxy();
        s.user = user;
        s.password = password;
        return started(s, server -> server.writePasswords());
    }

    private void writePasswords() throws IOException {
        try {
            Process p = new ProcessBuilder("htpasswd", "-b", "-c", "-m", work.resolve("passwd").toString(), user, password)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("htpasswd failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        work.resolve("passwd").toFile().setReadable(true, false); // the helper runs as proxy
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        String conf = String.join("\n",
                "http_port 127.0.0.1:" + port,
                "pid_filename " + work.resolve("squid.pid"),
                root ? "cache_effective_user proxy" : "",
                "access_log stdio:" + work.resolve("access.log") + " squid",
                "cache_log " + work.resolve("cache.log"),
                "cache_store_log none",
                "netdb_filename none",
                "coredump_dir " + work,
                "cache deny all",
                "acl local src 127.0.0.1/32",
                user == null ? "" : "auth_param basic program /usr/lib/squid/basic_ncsa_auth " + work.resolve("passwd"),
                user == null ? "" : "auth_param basic realm mirrorfs-test",
                user == null ? "" : "acl authed proxy_auth REQUIRED",
                user == null ? "http_access allow local" : "http_access allow local authed",
                "http_access deny all",
                "pinger_enable off",
                "shutdown_lifetime 0 seconds",
                "visible_hostname mirrorfs-test-squid",
                "logfile_rotate 0",
                "");
        Path file = work.resolve("squid.conf");
        Files.writeString(file, conf);
        return List.of("/usr/sbin/squid", "-N", "-f", file.toString());
    }

    @Override
    protected boolean answers(Socket socket) throws IOException {
        // A request for Squid itself: any HTTP status line means it parses requests now.
        socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        byte[] head = in.readNBytes(8);
        return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.");
    }

    /** Returns {@code http://127.0.0.1:PORT}, the proxy URL a client is given. */
    @Override
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Returns the access log's lines so far (Squid's native format: the method is the 6th field, the URL the 7th). */
    public List<String> accessLog() throws IOException {
        Path log = work.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
    }
}
