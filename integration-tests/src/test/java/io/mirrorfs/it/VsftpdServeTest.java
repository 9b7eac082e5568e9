package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.PyftpdlibServer;
import io.mirrorfs.testing.VsftpdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's vsftpd serving a mirrorfs mount to anonymous users ({@code anon_root} = the mount; the
 * session reads as the {@code ftp} user through {@code allow_other}), with curl as the client:
 * LIST, NLST, RETR, REST and 8 parallel clients, checked against the upstream files. vsftpd
 * implements no MLSD (RFC 3659); the test pins its answer and checks MLSD of the same mount
 * through pyftpdlib, an FTP server that has it.
 */
class VsftpdServeTest {

    private static ServedMirror served;
    private static VsftpdServer vsftpd;

    @BeforeAll
    static void start(@TempDir Path tmp) throws IOException, InterruptedException {
        Path mountPoint = Files.createDirectories(tmp.resolve("ftp-root"));
        Files.setPosixFilePermissions(mountPoint, PosixFilePermissions.fromString("rwxr-xr-x"));
        served = ServedMirror.start(tmp, mountPoint, false);
        vsftpd = VsftpdServer.start(mountPoint);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (vsftpd != null) {
            System.out.println("vsftpd log:\n" + vsftpd.diagnostics());
            vsftpd.close();
        }
        if (served != null) {
            if (served.mirror() != null) {
                System.out.println("mirrorfs log:\n" + served.mirror().log());
            }
            served.close();
        }
    }

    private static String url(String mirrorPath) {
        return vsftpd.url() + mirrorPath;
    }

    private static String curl(String args) throws IOException, InterruptedException {
        return Shell.ok(served.tree(), "curl -sS --fail " + args);
    }

    @Test
    void listShowsNamesSizesAndReadOnlyModes() throws Exception {
        String list = curl(url("ftp/pub/"));
        Map<String, String> lines = list.lines().collect(Collectors.toMap(l -> l.substring(l.lastIndexOf(' ') + 1), l -> l));
        for (String f : List.of("file-2k.bin", "file-512k.bin", "file-2m.bin", "file-20m.bin")) {
            String line = lines.get(f);
            assertTrue(line != null, f + " missing from " + list);
            assertTrue(line.startsWith("-r--r--r--"), line);
            assertTrue(line.contains(" " + Files.size(served.tree().resolve("ftp/pub/" + f)) + " "), line);
        }
        assertTrue(lines.get("tool.sh").startsWith("-r-xr-xr-x"), "execute bits kept: " + lines.get("tool.sh"));
        String top = curl(url(""));
        for (String d : List.of("http", "ftp", "local")) {
            assertTrue(top.lines().anyMatch(l -> l.startsWith("dr-xr-xr-x") && l.endsWith(" " + d)), top);
        }
        String data = curl(url("http/data/"));
        assertTrue(data.lines().anyMatch(l -> l.endsWith(" file-1m.bin") && l.contains(" 1048579 ")), data);
    }

    @Test
    void nlstListsExactlyTheNames() throws Exception {
        assertEquals(List.of("file-1.bin", "file-100k.bin", "file-1m.bin", "file-3m.bin", "file-4k.bin", "file-7m.bin"),
                curl("--list-only " + url("http/data/")).lines().sorted().toList());
        assertEquals(List.of("ftp", "http", "local"), curl("--list-only " + url("")).lines().sorted().toList());
    }

    @Test
    void mlsdIsNotImplementedByVsftpdButWorksOnTheMountThroughPyftpdlib() throws Exception {
        // vsftpd 3.0.3 has no MLSD: it answers "500 Unknown command." (and lists no MLST in FEAT).
        Shell.Result r = Shell.bash(served.tree(), "curl -sS -v -X MLSD " + url("http/data/"));
        assertNotEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("< 500 Unknown command."), r.stderr());
        try (PyftpdlibServer py = PyftpdlibServer.start(served.mountPoint(), 0)) {
            String mlsd = Shell.ok(served.tree(), "curl -sS --fail -X MLSD " + py.url() + "http/data/");
            Map<String, String> facts = new TreeMap<>();
            for (String line : mlsd.lines().toList()) {
                int sp = line.indexOf(' ');
                facts.put(line.substring(sp + 1), line.substring(0, sp).toLowerCase());
            }
            for (String f : List.of("file-1.bin", "file-4k.bin", "file-100k.bin", "file-1m.bin", "file-3m.bin", "file-7m.bin")) {
                String fact = facts.get(f);
                assertTrue(fact != null, f + " missing from " + mlsd);
                assertTrue(fact.contains("type=file;"), fact);
                assertTrue(fact.contains("size=" + Files.size(served.tree().resolve("http/data/" + f)) + ";"), fact);
                assertTrue(fact.contains("modify=20210607080"), "minute-exact upstream mtime: " + fact);
            }
        }
    }

    @Test
    void retrMatchesTheUpstreamSha256() throws Exception {
        for (String f : List.of("ftp/pub/file-20m.bin", "http/data/file-7m.bin", "ftp/hello.txt", "local/script.sh")) {
            assertEquals(served.sha256(f), curl(url(f) + " | sha256sum").split(" ")[0], f);
        }
    }

    @Test
    void restResumesInTheMiddleOfAFile() throws Exception {
        for (String f : List.of("ftp/pub/file-20m.bin", "http/data/file-7m.bin")) {
            long size = Files.size(served.tree().resolve(f));
            long offset = size / 2 + 12_345;
            // curl -C OFFSET sends REST OFFSET before RETR.
            Shell.Result r = Shell.bash(served.tree(), "set -o pipefail; curl -sS --fail -v -C " + offset + " " + url(f) + " | sha256sum");
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("> REST " + offset), r.stderr());
            assertTrue(r.stderr().contains("< 350 Restart position accepted (" + offset + ")."), r.stderr());
            String expected = Shell.ok(served.tree(), "tail -c +" + (offset + 1) + " " + f + " | sha256sum").split(" ")[0];
            assertEquals(expected, r.stdout().split(" ")[0], f);
        }
    }

    @Test
    void eightParallelClientsGetCorrectFiles() throws Exception {
        List<String> files = List.of("ftp/pub/file-20m.bin", "ftp/pub/file-2m.bin", "http/data/file-7m.bin", "http/data/file-3m.bin",
                "ftp/pub/file-512k.bin", "http/data/file-1m.bin", "ftp/pub/file-20m.bin", "http/data/file-7m.bin");
        StringBuilder script = new StringBuilder("set -e -o pipefail\n");
        for (int i = 0; i < files.size(); i++) {
            script.append("(curl -sS --fail ").append(url(files.get(i))).append(" | sha256sum | cut -d' ' -f1 > out.").append(i).append(") &\n");
        }
        script.append("for j in $(jobs -p); do wait $j; done\n");
        Path dir = Files.createTempDirectory("vsftpd-parallel-");
        try {
            Shell.ok(dir, script.toString());
            for (int i = 0; i < files.size(); i++) {
                assertEquals(served.sha256(files.get(i)), Files.readString(dir.resolve("out." + i)).strip(), files.get(i));
            }
        } finally {
            Shell.ok(Path.of("/"), "rm -rf " + dir);
        }
    }
}
