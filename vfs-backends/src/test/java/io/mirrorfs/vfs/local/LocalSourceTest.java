package io.mirrorfs.vfs.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.StaleFileException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSourceTest {

    @TempDir
    Path tmp;
    Path root;
    Vfs vfs;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret");
        Files.writeString(root.resolve("f.txt"), "hello");
        Files.createDirectories(root.resolve("d/e"));
        Files.createSymbolicLink(root.resolve("rel-link"), Path.of("f.txt"));
        Files.createSymbolicLink(root.resolve("d/up-link"), Path.of("../f.txt"));
        Files.createSymbolicLink(root.resolve("abs-inside"), root.resolve("d/e"));
        Files.createSymbolicLink(root.resolve("abs-outside"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("rel-outside"), Path.of("../outside/secret"));
        Files.createSymbolicLink(root.resolve("dir-outside"), outside);
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("nothing-here"));
        vfs = Sources.open(root.toUri().toString(), SourceOptions.DEFAULTS);
    }

    @Test
    void listsFilesDirsAndInsideLinksOnly() throws IOException {
        List<String> names = vfs.list(VfsPath.ROOT).stream().map(DirEntry::name).sorted().toList();
        assertEquals(List.of("abs-inside", "d", "dangling", "f.txt", "rel-link"), names);
        DirEntry f = vfs.list(VfsPath.ROOT).stream().filter(e -> e.name().equals("f.txt")).findFirst().orElseThrow();
        assertEquals(5, f.attrs().orElseThrow().size(), "listings carry attributes");
    }

    @Test
    void outsideLinksAreInvisibleEverywhere() {
        for (String p : new String[] {"/abs-outside", "/rel-outside", "/dir-outside", "/dir-outside/secret"}) {
            assertThrows(NoSuchFileException.class, () -> vfs.stat(VfsPath.parse(p)), p);
            assertThrows(NoSuchFileException.class, () -> vfs.open(VfsPath.parse(p)), p);
        }
        assertThrows(NoSuchFileException.class, () -> vfs.readlink(VfsPath.parse("/abs-outside")));
    }

    @Test
    void outsideLinksCanBeShownOnRequest() throws IOException {
        Vfs shown = Sources.open(root.toUri().toString(), SourceOptions.builder().showOutsideSymlinks(true).build());
        assertEquals(FileType.SYMLINK, shown.stat(VfsPath.parse("/abs-outside")).type());
    }

    @Test
    void readlinkMakesAbsoluteInsideTargetsRelative() throws IOException {
        assertEquals("f.txt", vfs.readlink(VfsPath.parse("/rel-link")));
        assertEquals("../f.txt", vfs.readlink(VfsPath.parse("/d/up-link")));
        assertEquals("d/e", vfs.readlink(VfsPath.parse("/abs-inside")));
        assertThrows(NotLinkException.class, () -> vfs.readlink(VfsPath.parse("/f.txt")));
    }

    @Test
    void attributesMapFaithfully() throws IOException {
        Path f = root.resolve("f.txt");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2020-05-06T07:08:09.123456Z")));
        var a = vfs.stat(VfsPath.parse("/f.txt"));
        assertEquals(FileType.FILE, a.type());
        assertEquals(0750, a.permissions());
        assertEquals(Instant.parse("2020-05-06T07:08:09.123456Z"), a.mtime());
        assertEquals(FileType.DIRECTORY, vfs.stat(VfsPath.parse("/d")).type());
        assertEquals(FileType.SYMLINK, vfs.stat(VfsPath.parse("/rel-link")).type());
    }

    @Test
    void errorsAreNioExceptions() {
        assertThrows(NoSuchFileException.class, () -> vfs.stat(VfsPath.parse("/missing")));
        assertThrows(NotDirectoryException.class, () -> vfs.list(VfsPath.parse("/f.txt")));
        assertThrows(IsDirectoryException.class, () -> vfs.open(VfsPath.parse("/d")));
        assertThrows(NoSuchFileException.class, () -> vfs.list(VfsPath.parse("/f.txt/below")));
    }

    @Test
    void readsAreRangedAndEndWithMinusOne() throws IOException {
        try (VfsFile file = vfs.open(VfsPath.parse("/f.txt"))) {
            ByteBuffer b = ByteBuffer.allocate(3);
            assertEquals(3, file.read(1, b));
            assertEquals("ell", new String(b.array()));
            ByteBuffer rest = ByteBuffer.allocate(10);
            assertEquals(1, file.read(4, rest));
            assertEquals(-1, file.read(5, ByteBuffer.allocate(1)));
        }
    }

    @Test
    void aFileChangedWhileOpenIsRefusedNotMixed() throws IOException {
        try (VfsFile file = vfs.open(VfsPath.parse("/f.txt"))) {
            Files.writeString(root.resolve("f.txt"), "changed content");
            assertThrows(StaleFileException.class, () -> file.read(0, ByteBuffer.allocate(5)));
        }
    }

    @Test
    void badUrlsAreRejectedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sources.open("file://host/x", SourceOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("must not name a host"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Sources.open("file:///no/such/dir", SourceOptions.DEFAULTS));
        assertThrows(NotDirectoryException.class, () -> Sources.open(root.resolve("f.txt").toUri().toString(), SourceOptions.DEFAULTS));
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class, () -> Sources.open("gopher://x/", SourceOptions.DEFAULTS));
        assertTrue(scheme.getMessage().contains("gopher"));
        assertFalse(Sources.redact("ftp://u:pw@h/").contains("pw"));
    }
}
