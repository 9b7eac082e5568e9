package io.mirrorfs.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real mirrorfs process mounted through the kernel on a fresh temporary directory.
 *
 * <p>{@link #start} runs {@code java -jar mirrorfs.jar mount MNT ARGS...} (the jar built by the
 * packaging module) and returns once the process prints its ready line. {@link #close} unmounts
 * with {@code fusermount -u}, waits for the process to exit, kills it if it does not, and
 * removes the mount point, so every test leaves nothing behind even when it fails.
 *
 * <pre>{@code
 * try (MountedMirror m = MountedMirror.start("--source", "/=file://" + dir)) {
 *     assertEquals("hello", Files.readString(m.root().resolve("greeting.txt")));
 * }
 * }</pre>
 */
public final class MountedMirror implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path mountPoint;
    private final Process process;
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    private boolean closed;

    private MountedMirror(Path mountPoint, Process process) {
        this.mountPoint = mountPoint;
        this.process = process;
    }

    /** Mounts with {@code mount MNT args...} on a new temporary mount point and waits until ready. */
    public static MountedMirror start(String... args) throws IOException, InterruptedException {
        return start(Files.createTempDirectory("mirrorfs-it-"), "mount", args);
    }

    /**
     * Runs {@code java -jar mirrorfs.jar SUBCOMMAND MNT args...} and waits for the ready line.
     *
     * @throws IOException naming the exit status and stderr if the process ends or stays silent
     */
    public static MountedMirror start(Path mountPoint, String subcommand, String... args) throws IOException, InterruptedException {
        return start(mountPoint, List.of(), subcommand, args);
    }

    /** As {@link #start(Path, String, String...)}, with extra JVM options (such as a trust store). */
    public static MountedMirror start(Path mountPoint, List<String> extraJvmOptions, String subcommand, String... args)
            throws IOException, InterruptedException {
        return start(mountPoint, extraJvmOptions, java.util.Map.of(), subcommand, args);
    }

    /** As above, with {@code environment} added to the daemon's environment (such as {@code http_proxy}). */
    public static MountedMirror start(Path mountPoint, List<String> extraJvmOptions, java.util.Map<String, String> environment,
            String subcommand, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(javaCommand());
        cmd.addAll(1, extraJvmOptions);
        cmd.addAll(1, jvmOptions(args)); // after "java": the launchers' heap bound
        cmd.add(subcommand);
        cmd.add(mountPoint.toString());
        cmd.addAll(withCacheChoice(subcommand, args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().putAll(environment);
        MountedMirror m = new MountedMirror(mountPoint, pb.start());
        m.awaitReady();
        return m;
    }

    /**
     * Returns {@code args}, plus {@code --no-cache-dir} for a mount that chose no disk tier: tests
     * mount in parallel and must not share, or leave behind, the default one under
     * /var/cache/mirrorfs (a test of the default passes {@link #DEFAULT_CACHE_DIR} and cleans up).
     */
    public static List<String> withCacheChoice(String subcommand, String... args) {
        List<String> out = new ArrayList<>(List.of(args));
        if (out.remove(DEFAULT_CACHE_DIR)) {
            return out;
        }
        boolean chosen = out.stream().anyMatch(a -> a.startsWith("--cache-dir") || a.equals("--no-cache-dir") || a.equals("--config"));
        if (subcommand.equals("mount") && !chosen) {
            out.add("--no-cache-dir");
        }
        return out;
    }

    /** An argument for {@link #start} (removed from the command line): mount with the default disk tier. */
    public static final String DEFAULT_CACHE_DIR = "<default cache dir>";

    /** Returns the java command line that runs the mirrorfs jar (without a subcommand). */
    public static List<String> javaCommand() {
        String jar = System.getProperty("mirrorfs.jar", "../packaging/target/mirrorfs.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("mirrorfs jar not found at " + jar + ": build the packaging module first");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Dfile.encoding=UTF-8", "-jar", jar);
    }

    /**
     * Returns the JVM options every launcher uses for these mirrorfs arguments (a heap bound that
     * follows --cache-size), computed by the same shell function: packaging/src/main/sh/jvm-options.sh.
     */
    public static List<String> jvmOptions(String... args) throws IOException, InterruptedException {
        String script = System.getProperty("mirrorfs.jvm-options", "../packaging/src/main/sh/jvm-options.sh");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", ". \"$0\" && mirrorfs_jvm_options \"$@\"", script));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.startsWith("-Xmx")) {
            throw new IOException("jvm-options.sh failed: " + out);
        }
        return List.of(out.split("\\s+"));
    }

    private void awaitReady() throws IOException, InterruptedException {
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        pump(process.inputReader(StandardCharsets.UTF_8), stdout, ready, "stdout");
        pump(process.errorReader(StandardCharsets.UTF_8), stderr, null, "stderr");
        process.onExit().thenRun(() -> ready.complete(false));
        boolean ok;
        try {
            ok = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            ok = false;
        } catch (java.util.concurrent.ExecutionException e) {
            ok = false;
        }
        if (!ok) {
            close();
            throw new IOException("mirrorfs did not mount " + mountPoint + " (exit " + exitCodeOrRunning() + ")\nstdout: "
                    + String.join("\n", stdout) + "\nstderr: " + String.join("\n", stderr));
        }
    }

    private static void pump(BufferedReader reader, List<String> sink, CompletableFuture<Boolean> ready, String name) {
        Thread t = new Thread(() -> {
            try (reader) {
                String line;
                while ((line = reader.readLine()) != null) {
                    sink.add(line);
                    if (ready != null && line.startsWith("mirrorfs: ") && line.contains("mounted")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException e) {
                sink.add("[" + name + " closed: " + e + "]");
            }
        }, "mirrorfs-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Returns the mount point: the root of the mirror. */
    public Path root() {
        return mountPoint;
    }

    /** Returns the daemon's process id (for /proc/PID/status and signals). */
    public long pid() {
        return process.pid();
    }

    /** Returns the daemon's process. */
    public Process process() {
        return process;
    }

    /** Returns what the daemon has printed on stderr so far (its log). */
    public String log() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    /**
     * Waits up to {@code timeout} until the daemon's log satisfies {@code condition} (its stderr is
     * read by a separate thread, so a line written just before a client saw an error may arrive a
     * moment later) and returns whether it did.
     */
    public boolean awaitLog(java.util.function.Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(log())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Returns what the daemon has printed on stdout so far. */
    public String out() {
        synchronized (stdout) {
            return String.join("\n", stdout);
        }
    }

    /**
     * Unmounts with {@code fusermount -u} and returns the daemon's exit status.
     *
     * @throws IOException if fusermount fails or the daemon does not exit within {@code timeout}
     */
    public int unmount(Duration timeout) throws IOException, InterruptedException {
        int rc = run("fusermount", "-u", mountPoint.toString());
        if (rc != 0) {
            throw new IOException("fusermount -u " + mountPoint + " failed with " + rc);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("mirrorfs did not exit within " + timeout + " after fusermount -u");
        }
        return process.exitValue();
    }

    /** Returns whether the mount point currently has a file system mounted on it. */
    public boolean isMounted() throws IOException {
        return isMounted(mountPoint);
    }

    /** Returns whether {@code dir} appears as a mount point in /proc/self/mountinfo. */
    public static boolean isMounted(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString().replace(" ", "\\040");
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(target)) {
                return true;
            }
        }
        return false;
    }

    /** Unmounts (lazily if needed), stops the daemon and deletes the mount point. Never throws for cleanup. */
    @Override
    public void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (isMounted()) {
                run("fusermount", "-u", "-z", mountPoint.toString());
            }
        } catch (IOException ignored) {
            // fall through to killing the process
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        try {
            if (isMounted()) {
                run("umount", "-l", mountPoint.toString());
            }
            Files.deleteIfExists(mountPoint);
        } catch (IOException ignored) {
            // a leftover empty temp directory is harmless
        }
    }

    /** Runs a command, discarding its output, and returns its exit status. */
    public static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private String exitCodeOrRunning() {
        return process.isAlive() ? "still running" : String.valueOf(process.exitValue());
    }
    /**
     * Removes the FUSE mount at {@code dir} whatever its daemon does: aborts its connection
     * through fusectl (so no request waits for a daemon that will not answer), then detaches it.
     */
    static void abortAndUnmount(Path dir) throws java.io.IOException, InterruptedException {
        String target = dir.toAbsolutePath().normalize().toString();
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(target)) {
                Path connections = java.nio.file.Path.of("/sys/fs/fuse/connections");
                Path abort = connections.resolve(f[2].split(":")[1]).resolve("abort");
                if (!java.nio.file.Files.exists(abort)) {
                    run("mount", "-t", "fusectl", "none", connections.toString()); // not mounted on every system
                }
                if (java.nio.file.Files.exists(abort)) {
                    java.nio.file.Files.writeString(abort, "1");
                } else {
                    System.err.println("cannot abort the FUSE connection of " + target + ": no " + abort);
                }
                run("umount", "-l", target);
            }
        }
    }

}
