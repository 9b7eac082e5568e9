package io.mirrorfs.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Several mirrorfs daemons on this machine, each with its own mount point and cache directory,
 * mounting the same source as {@code /web}: the nodes of a fleet in the fleet tests.
 * {@link #close} stops every node, also when a test failed.
 */
final class Fleet implements AutoCloseable {

    private final List<MountedMirror> nodes = new ArrayList<>();
    private final Path cacheRoot;

    private Fleet(Path cacheRoot) {
        this.cacheRoot = cacheRoot;
    }

    /** Starts {@code n} nodes mounting {@code source} with {@code options} (and their own --cache-dir). */
    static Fleet start(int n, Path cacheRoot, List<String> extra, String source, String... options)
            throws IOException, InterruptedException {
        Fleet f = new Fleet(cacheRoot);
        try {
            for (int i = 0; i < n; i++) {
                f.add(source, extra, options);
            }
            return f;
        } catch (IOException | RuntimeException | InterruptedException e) {
            f.close();
            throw e;
        }
    }

    /** Starts one more node like the others and returns it. */
    MountedMirror add(String source, List<String> extra, String... options) throws IOException, InterruptedException {
        Path cache = Files.createDirectories(cacheRoot.resolve("node" + nodes.size()));
        List<String> args = new ArrayList<>(List.of("--source", "/web=" + source, "--cache-dir", cache.toString()));
        args.addAll(extra);
        args.addAll(List.of(options));
        MountedMirror m = MountedMirror.start(Files.createTempDirectory("mirrorfs-fleet-"), List.of(), Map.of(), "mount",
                args.toArray(String[]::new));
        nodes.add(m);
        return m;
    }

    /** Returns the nodes, in start order. */
    List<MountedMirror> nodes() {
        return nodes;
    }

    /** Runs {@code script} in every node's {@code /web} at the same time and returns each stdout, in node order. */
    List<String> everywhere(String script) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<String>> runs = new ArrayList<>();
            for (MountedMirror m : nodes) {
                Callable<String> c = () -> Shell.ok(m.root().resolve("web"), script);
                runs.add(pool.submit(c));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> r : runs) {
                out.add(r.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Returns every node's daemon log, for failure messages. */
    String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            sb.append("--- node ").append(i).append(":\n").append(nodes.get(i).log()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        for (MountedMirror m : nodes) {
            m.close();
        }
    }
}
