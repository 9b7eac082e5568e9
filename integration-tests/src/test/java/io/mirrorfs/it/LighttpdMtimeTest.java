package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.LighttpdServer;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A lighttpd-served tree through the kernel: lighttpd's answers carry no Last-Modified, so the
 * dates {@code ls -l} shows must be the ones its listing gives (they were 1970-01-01), and those
 * are the files' real mtimes to the listing's second.
 */
class LighttpdMtimeTest {

    /** A listing row: the link and the Last Modified cell of mod_dirlisting's table. */
    private static final Pattern LISTING_ROW = Pattern.compile(
            "<tr[^>]*><td class=\"n\"><a href=\"([^\"]+)\">.*?</td><td class=\"m\">([^<]+)</td>");
    private static final DateTimeFormatter LISTING_DATE = DateTimeFormatter.ofPattern("yyyy-MMM-dd HH:mm:ss", Locale.ROOT);
    /** {@code ls -l --time-style=full-iso}: mode, links, owner, group, size, date, time, zone, name. */
    private static final Pattern LS_LINE = Pattern.compile(
            "\\S+\\s+\\d+\\s+\\S+\\s+\\S+\\s+(\\d+)\\s+(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{9} [+-]\\d{4}) (.+)");
    private static final DateTimeFormatter LS_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS xx", Locale.ROOT);

    /** What {@code ls -l} showed for one entry. */
    private record Shown(long size, Instant mtime) {
    }

    @Test
    void lsShowsTheListingsDatesWhichAreTheFilesRealMtimes() throws Exception {
        Path root = Files.createTempDirectory("mirrorfs-lighttpd-tree-");
        try {
            write(root.resolve("old.txt"), 6, "2001-02-03T04:05:06.789Z");
            write(root.resolve("with space.bin"), 5000, "2023-05-17T10:11:12.500Z"); // listed as 4.9K
            write(root.resolve("empty"), 0, "2010-01-01T00:00:00Z");
            write(root.resolve("recent.log"), 1234, Instant.now().toString());
            Path sub = Files.createDirectory(root.resolve("sub"));
            write(sub.resolve("deep.dat"), 200_000, "2020-12-31T23:59:59.999Z");
            Files.setLastModifiedTime(sub, FileTime.from(Instant.parse("2019-07-08T09:10:11.250Z")));
            root.toFile().setReadable(true, false);
            root.toFile().setExecutable(true, false);

            try (LighttpdServer lighttpd = LighttpdServer.start(root);
                    MountedMirror m = MountedMirror.start("--source", "/web=" + lighttpd.url())) {
                for (String dir : new String[] {"", "sub/"}) {
                    Map<String, Instant> listed = listingDates(lighttpd.url() + dir);
                    Map<String, Shown> shown = ls(m.root().resolve("web").resolve(dir));
                    assertEquals(listed.keySet(), shown.keySet(), "names in /" + dir);
                    for (Map.Entry<String, Instant> e : listed.entrySet()) {
                        Path disk = root.resolve(dir).resolve(e.getKey());
                        Instant real = Files.getLastModifiedTime(disk).toInstant();
                        String what = "/" + dir + e.getKey() + " (disk " + real + ")";
                        assertEquals(e.getValue(), shown.get(e.getKey()).mtime(), what + ": ls and the listing");
                        assertEquals(real.truncatedTo(ChronoUnit.SECONDS), shown.get(e.getKey()).mtime(), what + ": ls and the disk");
                        if (Files.isRegularFile(disk)) {
                            assertEquals(Files.size(disk), shown.get(e.getKey()).size(), what + ": size");
                        }
                    }
                }
                lighttpd.stop(); // lighttpd writes its buffered access log when it stops
                assertTrue(lighttpd.accessLogLines().stream().anyMatch(l -> l.contains("\"HEAD /with%20space.bin")),
                        "sizes came from HEADs without Last-Modified: " + lighttpd.accessLogLines());
            }
        } finally {
            GeneratedTree.deleteRecursively(root);
        }
    }

    private static void write(Path file, int size, String mtime) throws IOException {
        byte[] b = new byte[size];
        new java.util.Random(size).nextBytes(b);
        Files.write(file, b);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse(mtime)));
    }

    /** Returns name to date of a mod_dirlisting page, fetched with curl. */
    private static Map<String, Instant> listingDates(String url) throws Exception {
        String page = Shell.ok(Path.of("/"), "curl -sf '" + url + "'");
        Map<String, Instant> out = new TreeMap<>();
        Matcher row = LISTING_ROW.matcher(page);
        while (row.find()) {
            String href = row.group(1);
            if (href.equals("../")) {
                continue;
            }
            String name = URLDecoder.decode(href.replace("+", "%2B"), StandardCharsets.UTF_8).replaceAll("/$", "");
            out.put(name, LocalDateTime.parse(row.group(2).trim(), LISTING_DATE).toInstant(ZoneOffset.UTC));
        }
        assertTrue(!out.isEmpty(), "no rows in the listing of " + url + ": " + page);
        return out;
    }

    /** Returns name to size and mtime as {@code ls -l --time-style=full-iso} shows them in {@code dir}. */
    private static Map<String, Shown> ls(Path dir) throws Exception {
        String out = Shell.ok(dir, "TZ=UTC ls -l --time-style=full-iso --quoting-style=literal");
        Map<String, Shown> m = new TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("total")) {
                continue;
            }
            Matcher l = LS_LINE.matcher(line);
            assertTrue(l.matches(), "unexpected ls line: " + line);
            m.put(l.group(3), new Shown(Long.parseLong(l.group(1)), OffsetDateTime.parse(l.group(2), LS_DATE).toInstant()));
        }
        return m;
    }
}
