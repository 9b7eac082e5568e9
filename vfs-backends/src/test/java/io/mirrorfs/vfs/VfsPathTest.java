package io.mirrorfs.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VfsPathTest {

    @Test
    void parseFoldsSlashes() {
        assertEquals(List.of("a", "b"), VfsPath.parse("//a///b/").segments());
        assertEquals(VfsPath.ROOT, VfsPath.parse("/"));
        assertEquals("/a/b", VfsPath.parse("/a/b").toString());
        assertEquals("/", VfsPath.ROOT.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a/../b", "/.", "/a/./b", "/..", "/a\0b", "relative", ""})
    void parseRejectsDotsNulAndRelativePaths(String bad) {
        assertThrows(IllegalArgumentException.class, () -> VfsPath.parse(bad));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "nul\0"})
    void resolveRejectsInvalidNames(String bad) {
        assertThrows(IllegalArgumentException.class, () -> VfsPath.ROOT.resolve(bad));
    }

    @Test
    void oddButValidNamesAreKept() {
        for (String name : new String[] {"...", ".hidden", "a b", "#", "x#", "100%", "ünï ✓", "?", "\\"}) {
            assertEquals(name, VfsPath.ROOT.resolve(name).name());
        }
    }

    @Test
    void parentNameDepth() {
        VfsPath p = VfsPath.parse("/a/b/c");
        assertEquals(Optional.of(VfsPath.parse("/a/b")), p.parent());
        assertEquals(Optional.empty(), VfsPath.ROOT.parent());
        assertEquals("c", p.name());
        assertEquals("", VfsPath.ROOT.name());
        assertEquals(3, p.depth());
        assertTrue(VfsPath.ROOT.isRoot());
    }

    @Test
    void startsWithIsSegmentWise() {
        VfsPath p = VfsPath.parse("/ab/c");
        assertTrue(p.startsWith(VfsPath.ROOT));
        assertTrue(p.startsWith(VfsPath.parse("/ab")));
        assertTrue(p.startsWith(p));
        assertFalse(p.startsWith(VfsPath.parse("/a")));
        assertFalse(VfsPath.parse("/ab").startsWith(p));
    }

    @Test
    void relativeToAndResolveRoundTrip() {
        VfsPath base = VfsPath.parse("/x/y");
        VfsPath full = VfsPath.parse("/x/y/z/w");
        VfsPath rel = full.relativeTo(base);
        assertEquals(VfsPath.parse("/z/w"), rel);
        assertEquals(full, base.resolve(rel));
        assertEquals(VfsPath.ROOT, base.relativeTo(base));
        assertThrows(IllegalArgumentException.class, () -> base.relativeTo(full));
    }

    @Test
    void equalsHashCodeAndOrderKeepDescendantsTogether() {
        assertEquals(VfsPath.parse("/a/b"), VfsPath.ROOT.resolve("a").resolve("b"));
        assertEquals(VfsPath.parse("/a/b").hashCode(), VfsPath.ROOT.resolve("a").resolve("b").hashCode());
        assertNotEquals(VfsPath.parse("/a/b"), VfsPath.parse("/a"));
        List<VfsPath> paths = new ArrayList<>(List.of(VfsPath.parse("/ab"), VfsPath.parse("/a/z"), VfsPath.parse("/a"),
                VfsPath.ROOT, VfsPath.parse("/a/b"), VfsPath.parse("/a-")));
        Collections.sort(paths);
        // Segment-wise order: everything below /a sorts right after /a, before /a- and /ab.
        assertEquals(List.of(VfsPath.ROOT, VfsPath.parse("/a"), VfsPath.parse("/a/b"), VfsPath.parse("/a/z"),
                VfsPath.parse("/a-"), VfsPath.parse("/ab")), paths);
    }

    @Test
    void segmentsAreImmutable() {
        List<String> source = new ArrayList<>(List.of("a"));
        VfsPath p = new VfsPath(source);
        source.add("b");
        assertEquals(1, p.depth());
        assertThrows(UnsupportedOperationException.class, () -> p.segments().add("c"));
    }
}
