package io.mirrorfs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real command-line clients (find, sha256sum, touch, ...) as the tests' users would. */
public final class Shell {

    private Shell() {
    }

    /**
     * The result of one command.
     *
     * @param exitCode the exit status
     * @param stdout   standard output
     * @param stderr   standard error
     */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code bash -c script} in {@code dir} with a UTF-8 locale and a 10-minute limit. */
    public static Result bash(Path dir, String script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-c", script)).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + script);
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /** Runs {@code script} and returns its stdout, failing with stderr if the exit status is not 0. */
    public static String ok(Path dir, String script) throws IOException, InterruptedException {
        Result r = bash(dir, script);
        if (r.exitCode() != 0) {
            throw new IOException("'" + script + "' exited " + r.exitCode() + ": " + r.stderr());
        }
        return r.stdout();
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "[unreadable: " + e + "]";
        }
    }
}
