package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.fault.HostileHttpServer;
import io.mirrorfs.testing.fault.HostileHttpServer.Route;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A malformed JSON listing fails that directory alone, as an I/O error (EIO), at once and without a log line of its own. */
class JsonListingFailureTest {

    private static final SourceOptions FAST = SourceOptions.builder()
            .connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2)).retries(2).build();

    /** Held so the logger (and the handler on it) is not collected during the test. */
    private final Logger mirrorfsLogger = Logger.getLogger("io.mirrorfs");
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        mirrorfsLogger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        mirrorfsLogger.removeHandler(capture);
    }

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
    void badEscapeFailsOnlyThatDirectoryAtOnce() throws Exception {
        try (HostileHttpServer s = HostileHttpServer.start()) {
            s.route("/", json("[{\"name\":\"bad\",\"type\":\"directory\"},{\"name\":\"good\",\"type\":\"directory\"}]"));
            s.route("/bad/", json("[{\"name\":\"a\\u12G4\",\"type\":\"file\",\"size\":1}]"));
            s.route("/good/", json("[{\"name\":\"f.txt\",\"type\":\"file\",\"size\":5,\"meta\":{\"nested\":[1,2]}}]"));
            try (HttpSource http = HttpSourceFactory.create(URI.create(s.url()), FAST, HttpSettings.DEFAULTS,
                    HttpSourceFactory.defaultTls())) {
                assertEquals(2, http.list(VfsPath.ROOT).size());
                warnings.clear();

                IOException e = assertThrows(IOException.class, () -> http.list(VfsPath.parse("/bad")));
                // A plain I/O error (EIO at the FUSE edge), not ENOENT/EACCES or an unchecked exception.
                assertFalse(e instanceof FileSystemException, e.toString());
                assertEquals("malformed JSON listing " + s.url() + "bad/: Unexpected character ('G' (code 71)): "
                        + "expected a hex-digit for character escape sequence at byte 15", e.getMessage());
                assertEquals(1, s.requests("/bad/"), "the same page would parse the same way: not retried");
                // The source does not log it: the one line comes from whoever reports the error (the
                // FUSE edge logs every EIO), so the log does not say it twice.
                assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList());

                List<DirEntry> good = http.list(VfsPath.parse("/good"));
                assertEquals(List.of("f.txt"), good.stream().map(DirEntry::name).toList());
                assertEquals(5, good.get(0).attrs().orElseThrow().size());
            }
        }
    }
}
