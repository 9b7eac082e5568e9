package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.PureFtpdServer;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.SourceContractTest;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.junit.jupiter.api.Test;

/**
 * The source contract against pure-ftpd (Debian's package, extracted by {@code ./run-tests}):
 * the source lists with its MLSD; its Unix LIST dialect is checked with the same parsing
 * separately, since the source always prefers MLSD when offered.
 */
class PureFtpdContractTest extends SourceContractTest {

    /** The directories whose LIST output is compared with the disk. */
    private static final List<String> LISTED_DIRS = List.of("", "odd names", "odd names/dir with space #1", "nested/a",
            "nested/a/b/c", "empty-dir", GeneratedTree.MANY_DIR);

    /** Kept for the LIST check, which logs in to it with a plain client. */
    private PureFtpdServer server;

    @Override
    protected Vfs openSource(Path treeRoot) throws Exception {
        server = PureFtpdServer.start(treeRoot);
        return serve(server);
    }

    /** MLSD's {@code modify} fact has whole seconds. */
    @Override
    protected Duration mtimePrecision() {
        return Duration.ofSeconds(1);
    }

    /** pure-ftpd logs only to syslog, so the source's own connection says which listing command it uses. */
    @Test
    void theSourceListsWithMlsd() throws IOException {
        FtpSource source = (FtpSource) vfs;
        String remote = source.remote(VfsPath.ROOT);
        List<FTPFile> raw = source.withConnection(c -> {
            assertTrue(c.hasMlst(), "pure-ftpd offers MLST in FEAT");
            return c.list(remote);
        });
        assertFalse(raw.isEmpty());
        for (FTPFile f : raw) {
            // MLSD lines are facts ("type=file;size=13;modify=...; name"), LIST lines start with the mode.
            assertTrue(f.getRawListing().startsWith("type="), f.getRawListing());
        }
    }

    /**
     * pure-ftpd's Unix LIST (the year instead of the time for files over six months old), parsed
     * the way the source parses LIST from servers without MLSD: commons-net's parser for the
     * server's SYST, then {@link FtpEntries#toEntry}. The source has no switch to turn MLSD off,
     * so a plain client sends the CWD and LIST the source would.
     */
    @Test
    void listParsesLikeTheDisk() throws IOException {
        FTPClient c = new FTPClient();
        c.setControlEncoding("UTF-8");
        c.setDefaultTimeout(30_000);
        c.connect("127.0.0.1", server.port());
        try {
            assertTrue(c.login(PureFtpdServer.USER, PureFtpdServer.PASSWORD), c.getReplyString());
            c.setFileType(FTP.BINARY_FILE_TYPE);
            c.enterLocalPassiveMode();
            for (String dir : LISTED_DIRS) {
                assertTrue(c.changeWorkingDirectory("/" + dir), dir + ": " + c.getReplyString());
                FTPFile[] files = c.listFiles();
                assertTrue(FTPReply.isPositiveCompletion(c.getReplyCode()), dir + ": " + c.getReplyString());
                Map<String, FileAttrs> listed = new TreeMap<>();
                for (FTPFile f : files) {
                    assertFalse(f.getRawListing().startsWith("type="), "a LIST line: " + f.getRawListing());
                    FtpEntries.toEntry(f).ifPresent(e -> listed.put(e.name(), e.entry().attrs().orElseThrow()));
                }
                assertListMatchesDisk(tree.root().resolve(dir), listed);
            }
        } finally {
            c.disconnect();
        }
    }

    /**
     * pure-ftpd stops listings at its limit (10,000 entries by default) and still answers 226,
     * with "Output truncated to N matches": the listing fails rather than show part of the
     * directory as all of it, for the source's root and for a subdirectory.
     */
    @Test
    void aListingTheServerTruncatedFails() throws IOException {
        Path dir = Files.createTempDirectory("mirrorfs-truncated-");
        try {
            Files.createDirectory(dir.resolve("sub"));
            for (int i = 0; i < 6; i++) {
                Files.writeString(dir.resolve("f" + i), "x");
                Files.writeString(dir.resolve("sub/g" + i), "y");
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.forEach(p -> {
                    p.toFile().setReadable(true, false);
                    p.toFile().setExecutable(true, false);
                });
            }
            try (PureFtpdServer small = PureFtpdServer.start(dir, 5);
                 Vfs v = Sources.open(small.url(), SourceOptions.DEFAULTS)) {
                for (VfsPath p : List.of(VfsPath.ROOT, VfsPath.parse("/sub"))) {
                    FileSystemException e = assertThrows(FileSystemException.class, () -> v.list(p));
                    assertFalse(e instanceof NoSuchFileException, e.toString());
                    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
                }
                assertThrows(FileSystemException.class, () -> v.stat(VfsPath.parse("/f1")));
            }
        } finally {
            GeneratedTree.deleteRecursively(dir);
        }
    }

    private static void assertListMatchesDisk(Path dir, Map<String, FileAttrs> listed) throws IOException {
        Map<String, Path> disk = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> disk.put(p.getFileName().toString(), p));
        }
        assertEquals(disk.keySet(), listed.keySet(), "names in LIST of " + dir);
        for (Map.Entry<String, Path> e : disk.entrySet()) {
            FileAttrs a = listed.get(e.getKey());
            Path p = e.getValue();
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                assertEquals(FileType.DIRECTORY, a.type(), p.toString());
                continue;
            }
            assertEquals(FileType.FILE, a.type(), p.toString());
            assertEquals(Files.size(p), a.size(), p.toString());
            assertEquals((int) Files.getAttribute(p, "unix:mode") & 0777, a.permissions(), p.toString());
            // The tree's files are from 2023: LIST shows their day only.
            Instant want = Files.getLastModifiedTime(p).toInstant();
            assertTrue(Duration.between(want, a.mtime()).abs().compareTo(Duration.ofDays(1)) < 0,
                    () -> p + ": LIST mtime " + a.mtime() + " vs disk " + want);
        }
    }
}
