package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.testing.fault.HostileHttpServer;
import io.mirrorfs.testing.fault.HostileHttpServer.Route;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a file's mtime comes from when the listing and the file's own answers disagree or are silent, and when they agree. */
class HttpMtimeTest {

    private static final Instant LISTED = Instant.parse("2024-01-01T00:00:00Z");

    /** A file whose HEAD and GET answers carry no ETag and only the {@code extra} headers, such as lighttpd's. */
    private static Route answering(byte[] body, String extra) {
        return (req, out) -> {
            long from = Math.max(0, req.rangeStart());
            long to = req.rangeStart() < 0 ? body.length - 1 : req.rangeEnd(body.length);
            String status = req.rangeStart() < 0 ? "200 OK" : "206 Partial Content";
            String range = req.rangeStart() < 0 ? "" : "Content-Range: bytes " + from + "-" + to + "/" + body.length + "\r\n";
            String length = req.method().equals("HEAD") ? String.valueOf(body.length) : String.valueOf(to - from + 1);
            out.write(("HTTP/1.1 " + status + "\r\nConnection: close\r\nContent-Length: " + length + "\r\n" + range
                    + extra + "Accept-Ranges: bytes\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (!req.method().equals("HEAD")) {
                out.write(body, (int) from, (int) (to - from + 1));
            }
        };
    }

    private static HttpSource source(HostileHttpServer s) throws Exception {
        return HttpSourceFactory.create(URI.create(s.url()), SourceOptions.DEFAULTS, HttpSettings.DEFAULTS,
                HttpSourceFactory.defaultTls());
    }

    @Test
    void answersWithoutLastModifiedKeepTheListingsDate() throws Exception {
        byte[] body = "0123456789".getBytes(StandardCharsets.US_ASCII);
        try (HostileHttpServer s = HostileHttpServer.start()) {
            // The listing has the date (01-Jan-2024 00:00) but no size, so stat and open each ask the file.
            s.route("/", Route.listing("silent.bin"));
            s.route("/silent.bin", answering(body, "")); // no Last-Modified
            try (HttpSource http = source(s)) {
                VfsPath p = VfsPath.parse("/silent.bin");
                assertEquals(LISTED, http.stat(p).mtime());
                assertEquals(10, http.stat(p).size());
                DirEntry listed = http.list(VfsPath.ROOT).get(0);
                assertEquals(LISTED, listed.attrs().orElseThrow().mtime());
                try (VfsFile f = http.open(p)) {
                    assertEquals(LISTED, f.attrs().mtime());
                    ByteBuffer b = ByteBuffer.allocate(4);
                    assertEquals(4, f.read(3, b));
                    assertArrayEquals("3456".getBytes(StandardCharsets.US_ASCII), b.array());
                }
                assertEquals(3, s.requests("/silent.bin"), "stat sends one HEAD, open one more, the read one GET: "
                        + s.requestCounts());
            }
        }
    }

    @Test
    void aLastModifiedHeaderWinsOverTheListingsMinute() throws Exception {
        try (HostileHttpServer s = HostileHttpServer.start()) {
            s.route("/", Route.listing("told.bin"));
            s.route("/told.bin", answering(new byte[7], "Last-Modified: Mon, 01 Jan 2024 00:00:42 GMT\r\n"));
            try (HttpSource http = source(s)) {
                VfsPath p = VfsPath.parse("/told.bin");
                assertEquals(Instant.parse("2024-01-01T00:00:42Z"), http.stat(p).mtime());
                try (VfsFile f = http.open(p)) {
                    assertEquals(Instant.parse("2024-01-01T00:00:42Z"), f.attrs().mtime());
                }
            }
        }
    }

    @Test
    void theRuleAloneHeaderThenListingThenEpoch() {
        Validator none = Validator.NONE;
        Validator told = new Validator(Optional.empty(), Optional.of("Tue, 02 Jan 2024 03:04:05 GMT"));
        assertEquals(LISTED, HttpSource.mtime(none, Optional.of(LISTED)));
        assertEquals(Instant.parse("2024-01-02T03:04:05Z"), HttpSource.mtime(told, Optional.of(LISTED)));
        assertEquals(Instant.EPOCH, HttpSource.mtime(none, Optional.empty()));
        Validator garbage = new Validator(Optional.empty(), Optional.of("not a date"));
        assertEquals(LISTED, HttpSource.mtime(garbage, Optional.of(LISTED)));
    }

    @ParameterizedTest(name = "listed {0} ({1} B), HEAD {2} ({3} B): same {4}")
    @CsvSource({
        "2024-01-01T00:00:07Z,   10, 2024-01-01T00:00:07Z, 10, true",  // JSON / lighttpd: the same second
        "2024-01-01T00:00:07Z,   10, 2024-01-01T00:00:08Z, 10, false",
        "2024-01-01T00:00:07Z,   10, 2024-01-01T00:00:06Z, 10, false",
        "2024-01-01T00:00:00Z,   10, 2024-01-01T00:00:59Z, 10, true",  // HTML listings: the same minute
        "2024-01-01T00:00:00Z,   10, 2024-01-01T00:01:00Z, 10, false",
        "2024-01-01T00:00:00Z,   10, 2023-12-31T23:59:59Z, 10, false",
        "2024-01-01T00:00:07.5Z, 10, 2024-01-01T00:00:07Z, 10, false", // a precise date is exact
        "2024-01-01T00:00:07Z,   10, 2024-01-01T00:00:07Z, 11, false", // another size
    })
    void aHeadWithAnEtagIsTheListedVersionWithinTheListingsPrecision(String listed, long listedSize, String head,
            long headSize, boolean same) {
        FileAttrs fromListing = FileAttrs.file(listedSize, Instant.parse(listed), FileAttrs.DEFAULT_FILE_PERMISSIONS);
        FileAttrs fromHead = new FileAttrs(FileType.FILE, headSize, Instant.parse(head), FileAttrs.DEFAULT_FILE_PERMISSIONS,
                "etag:\"abc\"");
        assertEquals(same, HttpSource.sameVersion(fromListing, fromHead));
    }
}
