package io.mirrorfs.it;

import io.mirrorfs.testing.SquidProcess;
import java.io.IOException;
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
final class SquidCache extends SquidProcess {

    private SquidCache() throws IOException {
    }

    /** Starts Squid with the recipe on a free port. */
    static SquidCache launch() throws IOException {
        return started(new SquidCache());
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        Path spool = work.resolve("spool");
        String conf = ShippedRecipe.read("squid-fleet.conf")
                .replace("http_port 3128", "http_port 127.0.0.1:" + port)
                .replace("acl mirrorfs_nodes src 10.0.0.0/8 192.168.0.0/16 172.16.0.0/12", "acl mirrorfs_nodes src 127.0.0.1/32")
                .replace("cache_dir aufs /var/spool/squid 200000 16 256", "cache_dir aufs " + spool + " 2000 4 16")
                .replace("cache_mem 1024 MB", "cache_mem 256 MB")
                .text() + "\n" + processSettings("mirrorfs-fleet-squid");
        List<String> command = command(conf);
        if (!Files.exists(spool)) {
            Files.createDirectories(spool);
            if (root()) {
                run("chown", "proxy:proxy", spool.toString());
            }
            run("/usr/sbin/squid", "-N", "-z", "-f", configFile().toString());
        }
        return command;
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
}
