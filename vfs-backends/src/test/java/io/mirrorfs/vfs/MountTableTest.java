package io.mirrorfs.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MountTableTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final MemoryVfs root = new MemoryVfs("root").file("/top.txt", "top").file("/a/in-root.txt", "r")
            .file("/a/b/shadowed.txt", "hidden by the deeper mount").file("/a/b", "x".getBytes(), T0);
    private final MemoryVfs deep = new MemoryVfs("deep").file("/leaf.txt", "leaf").dir("/sub");
    private final MemoryVfs other = new MemoryVfs("other").file("/o.txt", "o");

    private MountTable table() {
        Map<VfsPath, Vfs> m = new LinkedHashMap<>();
        m.put(VfsPath.ROOT, root);
        m.put(VfsPath.parse("/a/b/c"), deep);
        m.put(VfsPath.parse("/x/y"), other);
        return new MountTable(m, T0);
    }

    private static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).sorted().toList();
    }

    @Test
    void longestPrefixWins() throws IOException {
        MountTable t = table();
        assertEquals(deep, t.locate(VfsPath.parse("/a/b/c/leaf.txt")).source());
        assertEquals(VfsPath.parse("/leaf.txt"), t.locate(VfsPath.parse("/a/b/c/leaf.txt")).inner());
        assertEquals(root, t.locate(VfsPath.parse("/a/in-root.txt")).source());
        assertEquals(4, t.stat(VfsPath.parse("/a/b/c/leaf.txt")).size());
    }

    @Test
    void parentsOfMountPointsAreSynthesisedDirectories() throws IOException {
        MountTable t = table();
        // /x is in no source; /a/b is a *file* in the root source but leads to a mount point.
        for (String p : new String[] {"/x", "/x/y", "/a/b", "/a/b/c"}) {
            FileAttrs a = t.stat(VfsPath.parse(p));
            assertTrue(a.isDirectory(), p);
            assertEquals(T0, a.mtime());
        }
        assertEquals(List.of("y"), names(t.list(VfsPath.parse("/x"))));
        assertEquals(List.of("c"), names(t.list(VfsPath.parse("/a/b"))));
    }

    @Test
    void listingMergesSourceEntriesWithMountPoints() throws IOException {
        MountTable t = table();
        assertEquals(List.of("a", "top.txt", "x"), names(t.list(VfsPath.ROOT)));
        assertEquals(List.of("b", "in-root.txt"), names(t.list(VfsPath.parse("/a"))));
        DirEntry b = t.list(VfsPath.parse("/a")).stream().filter(e -> e.name().equals("b")).findFirst().orElseThrow();
        assertEquals(FileType.DIRECTORY, b.type(), "a mount point below hides the source's file");
        assertEquals(List.of("leaf.txt", "sub"), names(t.list(VfsPath.parse("/a/b/c"))));
    }

    @Test
    void pathsOutsideEverySourceDoNotExist() {
        Map<VfsPath, Vfs> m = Map.of(VfsPath.parse("/only/here"), other);
        MountTable t = new MountTable(m, T0);
        assertThrows(NoSuchFileException.class, () -> t.stat(VfsPath.parse("/elsewhere")));
        assertThrows(NoSuchFileException.class, () -> t.stat(VfsPath.parse("/only/there")));
        assertThrows(NoSuchFileException.class, () -> t.open(VfsPath.parse("/only/x")));
    }

    @Test
    void readsGoToTheRightSource() throws IOException {
        try (VfsFile f = table().open(VfsPath.parse("/x/y/o.txt"))) {
            ByteBuffer b = ByteBuffer.allocate(10);
            assertEquals(1, f.read(0, b));
            assertEquals("o", new String(b.array(), 0, 1, StandardCharsets.UTF_8));
        }
    }

    @Test
    void synthesisedDirectoriesAreNotFilesOrLinks() {
        MountTable t = table();
        assertThrows(IsDirectoryException.class, () -> t.open(VfsPath.parse("/x")));
        assertThrows(NotLinkException.class, () -> t.readlink(VfsPath.parse("/a/b")));
    }

    @Test
    void aDeadSourceStillShowsAsAMountPointAndFailsOnlyItsOwnListing() throws IOException {
        MountTable t = table();
        other.failWith(new ConnectException("Connection refused"));
        assertTrue(t.stat(VfsPath.parse("/x/y")).isDirectory());
        assertThrows(ConnectException.class, () -> t.list(VfsPath.parse("/x/y")), "a leaf mount point reports its failure");
        assertEquals(List.of("leaf.txt", "sub"), names(t.list(VfsPath.parse("/a/b/c"))));
        root.failWith(new ConnectException("Connection refused"));
        // The root listing degrades to the mount points instead of failing.
        assertEquals(List.of("a", "x"), names(t.list(VfsPath.ROOT)));
    }

    @Test
    void needsAtLeastOneSource() {
        assertThrows(IllegalArgumentException.class, () -> new MountTable(Map.of(), T0));
    }
}
