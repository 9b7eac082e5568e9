package io.mirrorfs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real Squid (Debian's {@code squid}) on 127.0.0.1, run in the foreground ({@code -N}) from a
 * private directory: what every Squid of the tests shares (the process settings that keep its pid
 * file, logs and core dumps in that directory, the readiness probe, the access log). Subclasses
 * write the proxy's own settings.
 */
public abstract class SquidProcess extends ServerProcess {

    protected SquidProcess() throws IOException {
        // Squid writes its logs (and cache) as cache_effective_user after dropping root: let it.
        work.toFile().setWritable(true, false);
    }

    /** Returns whether this JVM runs as root (Squid then drops to the {@code proxy} user). */
    protected static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Returns the configuration lines that keep this Squid's files in its directory, named {@code hostname}. */
    protected String processSettings(String hostname) {
        return String.join("\n",
                "pid_filename " + work.resolve("squid.pid"),
                root() ? "cache_effective_user proxy" : "",
                "access_log stdio:" + work.resolve("access.log") + " squid",
                "cache_log " + work.resolve("cache.log"),
                "cache_store_log none",
                "netdb_filename none",
                "coredump_dir " + work,
                "pinger_enable off",
                "shutdown_lifetime 0 seconds",
                "visible_hostname " + hostname,
                "logfile_rotate 0",
                "");
    }

    /** Writes {@code conf} as this Squid's configuration and returns the command that runs it. */
    protected List<String> command(String conf) throws IOException {
        Path file = configFile();
        Files.writeString(file, conf);
        return List.of("/usr/sbin/squid", "-N", "-f", file.toString());
    }

    /** Returns the configuration file's path. */
    protected Path configFile() {
        return work.resolve("squid.conf");
    }

    @Override
    protected boolean answers(Socket socket) throws IOException {
        // A request for Squid itself: any HTTP status line means it parses requests now.
        socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        return new String(in.readNBytes(8), StandardCharsets.US_ASCII).startsWith("HTTP/1.");
    }

    /** Returns {@code http://127.0.0.1:PORT}, the proxy URL a client is given. */
    @Override
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Returns the access log's lines so far (Squid's native format: result code 4th field, method 6th, URL 7th). */
    public List<String> accessLog() throws IOException {
        Path log = work.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
    }
}
