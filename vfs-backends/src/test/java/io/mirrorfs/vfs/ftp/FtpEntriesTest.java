package io.mirrorfs.vfs.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.commons.net.ftp.FTPClientConfig;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPFileEntryParser;
import org.apache.commons.net.ftp.parser.DefaultFTPFileEntryParserFactory;
import org.apache.commons.net.ftp.parser.MLSxEntryParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Listing lines of several dialects, parsed by commons-net, turned into mirror entries. */
class FtpEntriesTest {

    private static Optional<RemoteEntry> parse(String system, String line) {
        FTPFileEntryParser parser = new DefaultFTPFileEntryParserFactory().createFileEntryParser(new FTPClientConfig(system));
        FTPFile f = parser.parseFTPEntry(line);
        return FtpEntries.toEntry(f);
    }

    @Test
    void unixFileWithSpacesInTheName() {
        RemoteEntry e = parse(FTPClientConfig.SYST_UNIX, "-rw-r--r--    1 0        0           12345 Mar 04  2021 a name with  spaces.txt").orElseThrow();
        assertEquals("a name with  spaces.txt", e.name());
        FileAttrs a = e.entry().attrs().orElseThrow();
        assertEquals(FileType.FILE, a.type());
        assertEquals(12345, a.size());
        assertEquals(0644, a.permissions());
        assertEquals(Instant.parse("2021-03-04T00:00:00Z"), a.mtime());
        assertEquals(FileAttrs.sizeAndMtimeVersion(12345, a.mtime()), a.version());
    }

    @Test
    void unixSymlinkKeepsItsTarget() {
        RemoteEntry e = parse(FTPClientConfig.SYST_UNIX, "lrwxrwxrwx    1 0        0               7 Jan 02  2020 latest -> v1.2.3").orElseThrow();
        assertEquals(FileType.SYMLINK, e.entry().type());
        assertEquals(Optional.of("v1.2.3"), e.linkTarget());
        assertEquals(6, e.entry().attrs().orElseThrow().size());
    }

    @Test
    void unixDirectory() {
        RemoteEntry e = parse(FTPClientConfig.SYST_UNIX, "drwxr-x---    2 0        0            4096 Jan 02  2020 pub").orElseThrow();
        assertEquals(FileType.DIRECTORY, e.entry().type());
        assertEquals(0750, e.entry().attrs().orElseThrow().permissions());
    }

    @Test
    void dosListingGetsDefaultPermissions() {
        RemoteEntry file = parse(FTPClientConfig.SYST_NT, "03-04-21  10:11AM              1234567 setup file.exe").orElseThrow();
        assertEquals("setup file.exe", file.name());
        assertEquals(1234567, file.entry().attrs().orElseThrow().size());
        assertEquals(FileAttrs.DEFAULT_FILE_PERMISSIONS, file.entry().attrs().orElseThrow().permissions());
        RemoteEntry dir = parse(FTPClientConfig.SYST_NT, "03-04-21  10:11AM       <DIR>          Program Files").orElseThrow();
        assertEquals(FileType.DIRECTORY, dir.entry().type());
        assertEquals(FileAttrs.DEFAULT_DIRECTORY_PERMISSIONS, dir.entry().attrs().orElseThrow().permissions());
    }

    @Test
    void mlsdFactsAreExact() {
        FTPFile f = MLSxEntryParser.parseEntry("type=file;size=42;modify=20230517101112.500;UNIX.mode=0640; data file.bin");
        RemoteEntry e = FtpEntries.toEntry(f).orElseThrow();
        assertEquals("data file.bin", e.name());
        assertEquals(42, e.entry().attrs().orElseThrow().size());
        assertEquals(Instant.parse("2023-05-17T10:11:12.500Z"), e.entry().attrs().orElseThrow().mtime());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "type=cdir;modify=20230517101112; .",
        "type=pdir;modify=20230517101112; ..",
        "type=cdir;modify=20230517101112; /pub",
        "type=OS.unix=chr-13/29;modify=20230517101112; device",
    })
    void mlsdSelfParentAndSpecialEntriesAreHidden(String line) {
        assertTrue(FtpEntries.toEntry(MLSxEntryParser.parseEntry(line)).isEmpty(), line);
    }

    @Test
    void unparsableAndUnsafeNamesAreHidden() {
        assertTrue(FtpEntries.toEntry(null).isEmpty());
        FTPFile f = new FTPFile();
        f.setName("evil\r\nDELE x");
        f.setType(FTPFile.FILE_TYPE);
        assertTrue(FtpEntries.toEntry(f).isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        // source root | link dir | target | shown target
        "pub | a        | ../b/file        | ../b/file",
        "pub | a        | ../../etc/passwd | NONE",
        "pub | ''       | ../x             | NONE",
        "pub | a/b      | /pub/c/d         | ../../c/d",
        "pub | ''       | /pub             | .",
        "pub | a        | /etc/passwd      | NONE",
        "''  | a        | /etc/passwd      | ../etc/passwd",
    })
    void symlinkTargetsStayInsideTheSource(String root, String linkDir, String target, String shown) {
        assertEquals(Optional.ofNullable(shown), FtpEntries.visibleTarget(split(root), split(linkDir), target));
    }

    private static List<String> split(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("/"));
    }
}
