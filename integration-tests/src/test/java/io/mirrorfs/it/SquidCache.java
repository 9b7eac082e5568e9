package io.mirrorfs.it;

import io.mirrorfs.testing.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shipped fleet recipe {@code packaging/src/fleet/squid-fleet.conf}, run by a real Squid on
 * 127.0.0.1: the file is used as shipped, with only its port, client network, cache directory
 * (a small one in the private directory, created with {@code squid -z}) and the process's own
 * files (pid, logs) set for the test, so a test of this proxy is a test of the recipe.
 */
final class SquidCache extends ServerProcess {

    static final Path RECIPE = NginxSliceCache.RECIPE.resolveSibling("squid-fleet.conf");

    private SquidCache() throws IOException {
        // Squid writes its logs and cache as cache_effective_user after dropping root: let it.
        work.toFile().setWritable(true, false);
    }

    /** Starts Squid with the recipe on a free port. */
    static SquidCache launch() throws IOException {
        SquidCache s = new SquidCache();
        try {
            s.start();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        String recipe = Files.readString(RECIPE, StandardCharsets.UTF_8);
        String conf = replace(recipe, "http_port 3128", "http_port 127.0.0.1:" + port);
        conf = replace(conf, "acl mirrorfs_nodes src 10.0.0.0/8 192.168.0.0/16 172.16.0.0/12", "acl mirrorfs_nodes src 127.0.0.1/32");
        Path spool = work.resolve("spool");
        conf = replace(conf, "cache_dir aufs /var/spool/squid 200000 16 256", "cache_dir aufs " + spool + " 2000 4 16");
        conf = replace(conf, "cache_mem 1024 MB", "cache_mem 256 MB");
        conf += String.join("\n",
                "",
                "pid_filename " + work.resolve("squid.pid"),
                root ? "cache_effective_user proxy" : "",
                "access_log stdio:" + work.resolve("access.log") + " squid",
                "cache_log " + work.resolve("cache.log"),
                "cache_store_log none",
                "netdb_filename none",
                "coredump_dir " + work,
                "pinger_enable off",
                "shutdown_lifetime 0 seconds",
                "visible_hostname mirrorfs-fleet-squid",
                "logfile_rotate 0",
                "");
        Path file = work.resolve("squid.conf");
        Files.writeString(file, conf);
        if (!Files.exists(spool)) {
            Files.createDirectories(spool);
            if (root) {
                run("chown", "proxy:proxy", spool.toString());
            }
            run("/usr/sbin/squid", "-N", "-z", "-f", file.toString());
        }
        return List.of("/usr/sbin/squid", "-N", "-f", file.toString());
    }

    private void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("setup.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " failed: " + diagnostics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String replace(String text, String from, String to) throws IOException {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IOException("the recipe " + RECIPE + " must contain '" + from + "' exactly once");
        }
        return text.replace(from, to);
    }

    @Override
    protected boolean answers(Socket socket) throws IOException {
        socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        return new String(in.readNBytes(8), StandardCharsets.US_ASCII).startsWith("HTTP/1.");
    }

    /** Returns {@code http://127.0.0.1:PORT}, the proxy URL the nodes are given. */
    @Override
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Returns the access log's lines so far (Squid's native format: result code 4th field). */
    List<String> accessLog() throws IOException {
        Path log = work.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
    }
}
