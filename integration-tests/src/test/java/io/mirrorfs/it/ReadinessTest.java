package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The moment the mount is ready is one moment for every observer (issue 20): the warm-up is over
 * before the kernel mount appears in /proc/mounts, and systemd's {@code READY=1} (a real
 * {@code sd_notify} datagram from libsystemd, received on a socket of the test's own, as systemd
 * would receive it under {@code Type=notify}) arrives with the mount already there; SIGTERM sends
 * {@code STOPPING=1}.
 */
class ReadinessTest {

    @TempDir
    Path tmp;

    /** A notify socket like systemd's: prints "MOUNTED|NOT-MOUNTED message" for each datagram. */
    private static final String RECEIVER = """
            import os, socket, sys
            path, mnt = sys.argv[1], sys.argv[2]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(path)
            print("listening", flush=True)
            while True:
                msg = s.recv(4096).decode()
                mounted = any(l.split()[1] == mnt for l in open("/proc/self/mounts"))
                print(("MOUNTED" if mounted else "NOT-MOUNTED") + "|" + msg.replace("\\n", ";"), flush=True)
                if "STOPPING=1" in msg:
                    break
            """;

    @Test
    void warmUpPrecedesTheMountAndReadyComesWithIt() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("hello.txt"), "hello");
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path socket = tmp.resolve("notify.sock");
        Process receiver = new ProcessBuilder("python3", "-c", RECEIVER, socket.toString(), mnt.toString()).start();
        var receiverOut = receiver.inputReader(StandardCharsets.UTF_8);
        assertEquals("listening", receiverOut.readLine());

        String[] args = {"--source", "/=" + src.toUri(), "-v"};
        List<String> cmd = new ArrayList<>(MountedMirror.javaCommand());
        cmd.addAll(1, MountedMirror.jvmOptions(args));
        cmd.add("mount");
        cmd.add(mnt.toString());
        cmd.addAll(MountedMirror.withCacheChoice("mount", args));
        Path err = tmp.resolve("daemon.err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().put("NOTIFY_SOCKET", socket.toString());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process daemon = pb.start();
        try {
            // Watch for the mount from the launch on, as a client polling mountpoint(1) would.
            LocalTime firstSeenMounted = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (firstSeenMounted == null && System.nanoTime() < deadline && daemon.isAlive()) {
                if (MountedMirror.isMounted(mnt)) {
                    firstSeenMounted = LocalTime.now();
                } else {
                    Thread.sleep(2);
                }
            }
            assertTrue(firstSeenMounted != null, "the mount never appeared: " + Files.readString(err));
            String ready = daemon.inputReader(StandardCharsets.UTF_8).readLine();
            assertTrue(ready.startsWith("mirrorfs: mounted "), ready);

            String notified = receiverOut.readLine();
            assertTrue(notified.startsWith("MOUNTED|READY=1;STATUS=mirrorfs: mounted"), "READY=1 with the mount there: " + notified);

            Matcher warm = Pattern.compile("(\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d) DEBUG mirrorfs: warm-up before mounting").matcher(Files.readString(err));
            assertTrue(warm.find(), Files.readString(err));
            LocalTime warmUpDone = LocalTime.parse(warm.group(1));
            assertTrue(!warmUpDone.isAfter(firstSeenMounted), "the warm-up (done " + warmUpDone + ") ended before the mount appeared ("
                    + firstSeenMounted + ")");
            assertEquals("hello", Files.readString(mnt.resolve("hello.txt")));

            daemon.destroy(); // SIGTERM, as systemctl stop sends
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, daemon.exitValue(), Files.readString(err));
            assertTrue(receiver.waitFor(10, TimeUnit.SECONDS), "STOPPING=1 ends the receiver");
            assertTrue(receiverOut.readLine().endsWith("|STOPPING=1"));
        } finally {
            daemon.destroyForcibly();
            receiver.destroyForcibly();
            if (MountedMirror.isMounted(mnt)) {
                MountedMirror.run("fusermount", "-u", "-z", mnt.toString());
            }
        }
    }
}
