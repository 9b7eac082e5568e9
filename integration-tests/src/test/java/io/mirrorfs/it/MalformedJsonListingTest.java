package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.fault.HostileHttpServer;
import io.mirrorfs.testing.fault.HostileHttpServer.Route;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * An nginx-style JSON listing that is not valid JSON, through the kernel: {@code ls} of that
 * directory fails with EIO and the daemon logs one line naming it; its siblings, and values a
 * listing does not need (nested objects), work as usual.
 */
class MalformedJsonListingTest {

    private static Route json(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return (req, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (!req.method().equals("HEAD")) {
                out.write(b);
            }
        };
    }

    @Test
    void aMalformedListingIsEioForThatDirectoryWithOneLogLine() throws Exception {
        try (HostileHttpServer s = HostileHttpServer.start();
                MountedMirror m = MountedMirror.start("--source", "/web=" + s.url(), "--retries", "1")) {
            s.route("/", json("[{\"name\":\"bad\",\"type\":\"directory\",\"mtime\":\"Wed, 17 May 2023 10:11:12 GMT\"},"
                    + "{\"name\":\"good\",\"type\":\"directory\",\"mtime\":\"Wed, 17 May 2023 10:11:12 GMT\"}]"));
            s.route("/bad/", json("[{\"name\":\"a\\u12G4.txt\",\"type\":\"file\",\"size\":1}]"));
            // The date Route.file states as Last-Modified, as a real server's listing would give it.
            s.route("/good/", json("[{\"name\":\"f.txt\",\"type\":\"file\",\"size\":6,\"mtime\":\"Mon, 01 Jan 2024 00:00:00 GMT\","
                    + "\"owner\":{\"uid\":0,\"groups\":[1,[2]]}}]"));
            s.route("/good/f.txt", Route.file("hello\n".getBytes(StandardCharsets.UTF_8)));

            Shell.Result bad = Shell.bash(m.root(), "ls web/bad");
            assertNotEquals(0, bad.exitCode());
            assertTrue(bad.stderr().contains("Input/output error"), bad.stderr());

            assertEquals("f.txt\n", Shell.ok(m.root(), "ls web/good"));
            Shell.Result cat = Shell.bash(m.root(), "cat web/good/f.txt");
            assertEquals("hello\n", cat.stdout(), cat.stderr() + "\n" + m.log());

            String page = s.url() + "bad/";
            assertTrue(m.awaitLog(log -> log.contains("malformed JSON listing " + page), Duration.ofSeconds(10)), m.log());
            Thread.sleep(500); // a second line, if any, would come now
            long lines = m.log().lines().filter(l -> l.contains(page)).count();
            assertEquals(1, lines, m.log());
            assertEquals(1, s.requests("/bad/"), "a malformed page is not retried: " + s.requestCounts());
            assertTrue(m.process().isAlive(), "the daemon survives");
        }
    }
}
