package io.mirrorfs.it;

import io.mirrorfs.testing.GeneratedTree;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Helpers shared by the resilience tests: served data, cold-read latency, and /proc figures of the daemon. */
final class ResilienceSupport {

    private ResilienceSupport() {
    }

    /** Creates a world-readable temporary directory (nginx and vsftpd run as other users). */
    static Path servedDir(String prefix) throws IOException {
        Path d = Files.createTempDirectory(prefix);
        d.toFile().setReadable(true, false);
        d.toFile().setExecutable(true, false);
        return d;
    }

    /** Writes {@code size} deterministic bytes named after {@code name}, world-readable; returns them. */
    static byte[] write(Path dir, String name, int size) throws IOException {
        byte[] b = GeneratedTree.contentFor(name, size);
        Path f = dir.resolve(name);
        Files.write(f, b);
        f.toFile().setReadable(true, false);
        return b;
    }

    /** Creates a sparse world-readable file of {@code size} zero bytes. */
    static void sparse(Path dir, String name, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
            f.setLength(size);
        }
        dir.resolve(name).toFile().setReadable(true, false);
    }

    /** Latencies in ms of {@code count} 128 KiB reads at offsets {@code firstMib}, +1 MiB, ... (never read before: cold). */
    static double[] coldReads(Path file, int firstMib, int count) throws IOException {
        double[] ms = new double[count];
        byte[] buf = new byte[128 << 10];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                f.seek((long) (firstMib + i) << 20);
                f.readFully(buf);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms;
    }

    /** Returns the {@code p}th percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(p / 100 * (sorted.length - 1)))];
    }

    /** Returns a field of /proc/PID/status in KiB (e.g. VmHWM, VmRSS). */
    static long statusKiB(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException(field + " not in /proc/" + pid + "/status");
    }

    /** Returns the number of threads of process {@code pid}. */
    static int threads(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return (int) s.count();
        }
    }

    /** Returns the number of sockets process {@code pid} holds open. */
    static int sockets(long pid) throws IOException {
        int n = 0;
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return n;
    }

    /** Waits for every future up to {@code seconds} in all; returns the outcomes (value or failure). */
    static List<Object> await(List<? extends Future<?>> futures, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Object> out = new ArrayList<>();
        for (Future<?> f : futures) {
            try {
                out.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                out.add(e.getCause());
            } catch (TimeoutException e) {
                out.add(e);
            }
        }
        return out;
    }

    /** Runs {@code c} and returns its result with the elapsed seconds. */
    static <T> Timed<T> timed(Callable<T> c) {
        long t0 = System.nanoTime();
        try {
            return new Timed<>(c.call(), null, (System.nanoTime() - t0) / 1e9);
        } catch (Exception e) {
            return new Timed<>(null, e, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** A result or failure and how long it took. */
    record Timed<T>(T value, Exception failure, double seconds) {
    }
}
