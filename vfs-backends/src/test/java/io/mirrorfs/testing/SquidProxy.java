package io.mirrorfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A real Squid (Debian's {@code squid}) on 127.0.0.1 as an HTTP proxy for tests: its own
 * configuration, pid file and logs in a private temporary directory, no disk cache and
 * {@code cache deny all}, so every request a client sends through it reaches the origin and
 * appears in {@link #accessLog()}. CONNECT is allowed to any port (a test's TLS nginx listens on
 * an ephemeral one). Started in the foreground ({@code -N}); {@link #close} stops it, also when
 * a test failed.
 */
public final class SquidProxy extends SquidProcess {

    private String user;
    private String password;

    private SquidProxy() throws IOException {
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
        String conf = String.join("\n",
                "http_port 127.0.0.1:" + port,
                processSettings("mirrorfs-test-squid"),
                "cache deny all",
                "acl local src 127.0.0.1/32",
                user == null ? "" : "auth_param basic program /usr/lib/squid/basic_ncsa_auth " + work.resolve("passwd"),
                user == null ? "" : "auth_param basic realm mirrorfs-test",
                user == null ? "" : "acl authed proxy_auth REQUIRED",
                user == null ? "http_access allow local" : "http_access allow local authed",
                "http_access deny all",
                "");
        return command(conf);
    }
}
