package io.mirrorfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.MemoryVfs;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.ProviderMismatchException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link java.nio.file.Path} contract for mirror paths, in the style of jimfs's
 * {@code JimfsPathTest}: structure of parsed paths, equality, ordering, resolve/relativize
 * round-trips, URIs; and every pure operation compared with the JDK's own {@code UnixPath},
 * whose semantics a mirror path follows.
 */
class MirrorPathTest {

    /** Paths whose structure and operations are compared with the default file system's. */
    private static final List<String> SAMPLES = List.of(
            "", "/", "a", "/a", "a/b", "/a/b", "/a/b/c", "a/b/c", ".", "..", "./a", "../a", "a/./b", "a/../b",
            "/a/../..", "/..", "a/b/..", "/a/b/../../c", "../../x", "a/..", "with space", "/odd names/hash#tag.txt",
            "/x.tar.gz#/inner/file", "ünïcödé/日本語", "a//b///c/", "/b", "b", "b/c", "/a/c");

    private static FileSystem fs;
    private static FileSystem other;
    private static final FileSystem UNIX = FileSystems.getDefault();

    @BeforeAll
    static void open() {
        fs = MirrorFileSystems.newFileSystem("paths", new MemoryVfs("paths"));
        other = MirrorFileSystems.newFileSystem("other-paths", new MemoryVfs("other"));
    }

    @AfterAll
    static void close() throws IOException {
        fs.close();
        other.close();
    }

    private static Path p(String s) {
        return fs.getPath(s);
    }

    private static void assertPath(Path path, String root, String... names) {
        assertEquals(root, Objects.toString(path.getRoot(), null), "root of " + path);
        assertEquals(root != null, path.isAbsolute(), "isAbsolute of " + path);
        assertEquals(names.length, path.getNameCount(), "name count of " + path);
        List<String> iterated = new ArrayList<>();
        path.forEach(n -> iterated.add(n.toString()));
        assertEquals(List.of(names), iterated, "names of " + path);
        for (int i = 0; i < names.length; i++) {
            assertEquals(names[i], path.getName(i).toString());
            assertFalse(path.getName(i).isAbsolute());
        }
        if (names.length > 0) {
            assertEquals(names[names.length - 1], path.getFileName().toString());
        } else {
            assertNull(path.getFileName());
        }
    }

    @Test
    void parsedPathsHaveTheirRootAndNames() {
        assertPath(p("/"), "/");
        assertPath(p(""), null, "");
        assertPath(p("a"), null, "a");
        assertPath(p("/a/b/c"), "/", "a", "b", "c");
        assertPath(p("a//b/"), null, "a", "b");
        assertPath(p("///"), "/");
        assertPath(fs.getPath("/a", "b", "", "c/d"), "/", "a", "b", "c", "d");
        assertPath(fs.getPath("", "a", "b"), null, "a", "b");
        assertPath(fs.getPath(""), null, "");
        assertPath(p("./.."), null, ".", "..");
        assertPath(p("x.tar.gz#/y"), null, "x.tar.gz#", "y");
    }

    @Test
    void nulIsAnInvalidPath() {
        InvalidPathException e = assertThrows(InvalidPathException.class, () -> p("a\0b"));
        assertEquals(1, e.getIndex());
    }

    @Test
    void rootHasNoParentOrFileNameAndRelativeSingleNameHasNoParent() {
        assertNull(p("/").getParent());
        assertNull(p("/").getFileName());
        assertNull(p("a").getParent());
        assertEquals(p("/"), p("/a").getParent());
        assertEquals(p("a"), p("a/b").getParent());
        assertSame(p("").getClass(), p("").getFileName().getClass());
        assertEquals(p(""), p("").getFileName());
    }

    @Test
    void equalsHashCodeAndCompareToAgree() {
        List<Path> all = new ArrayList<>();
        for (String s : SAMPLES) {
            all.add(p(s));
        }
        for (Path a : all) {
            Path same = p(a.toString());
            assertEquals(a, same);
            assertEquals(a.hashCode(), same.hashCode());
            assertEquals(0, a.compareTo(same));
            for (Path b : all) {
                assertEquals(a.equals(b), a.compareTo(b) == 0, a + " vs " + b);
                assertEquals(Integer.signum(a.compareTo(b)), -Integer.signum(b.compareTo(a)), a + " vs " + b);
                if (a.equals(b)) {
                    assertEquals(a.hashCode(), b.hashCode());
                }
            }
        }
        assertEquals(p("a//b"), p("a/b/"));
        assertNotEquals(p("/a"), p("a"));
        assertNotEquals(p("a"), other.getPath("a"), "paths of different file systems differ");
        assertNotEquals(p("a"), Path.of("a"));
        TreeSet<Path> sorted = new TreeSet<>(all);
        assertEquals(new TreeSet<>(SAMPLES.stream().map(s -> p(s).toString()).toList()).size(), sorted.size());
    }

    @Test
    void compareToOrdersLikeTheStrings() {
        assertTrue(p("/a").compareTo(p("/b")) < 0);
        assertTrue(p("/a").compareTo(p("/a/b")) < 0);
        assertTrue(p("a").compareTo(p("b")) < 0);
    }

    @Test
    void structureMatchesUnixPath() {
        for (String s : SAMPLES) {
            Path m = p(s);
            Path u = UNIX.getPath(s);
            assertEquals(u.toString(), m.toString(), "toString of '" + s + "'");
            assertEquals(u.isAbsolute(), m.isAbsolute(), s);
            assertEquals(u.getNameCount(), m.getNameCount(), "name count of '" + s + "'");
            assertEquals(str(u.getParent()), str(m.getParent()), "parent of '" + s + "'");
            assertEquals(str(u.getFileName()), str(m.getFileName()), "file name of '" + s + "'");
            assertEquals(str(u.getRoot()), str(m.getRoot()), "root of '" + s + "'");
            assertEquals(u.normalize().toString(), m.normalize().toString(), "normalize of '" + s + "'");
            for (int b = 0; b < u.getNameCount(); b++) {
                for (int e = b + 1; e <= u.getNameCount(); e++) {
                    assertEquals(u.subpath(b, e).toString(), m.subpath(b, e).toString(), "subpath of " + s);
                }
            }
        }
    }

    @Test
    void binaryOperationsMatchUnixPath() {
        compareBinary("resolve", Path::resolve);
        compareBinary("resolveSibling", Path::resolveSibling);
        compareBinary("startsWith", (a, b) -> a.startsWith(b));
        compareBinary("endsWith", (a, b) -> a.endsWith(b));
        compareStrings("resolve(String)", Path::resolve);
        compareStrings("startsWith(String)", (a, b) -> a.startsWith(b));
        compareStrings("endsWith(String)", (a, b) -> a.endsWith(b));
    }

    @Test
    void relativizeMatchesUnixPathForNormalisedPaths() {
        for (String x : SAMPLES) {
            for (String y : SAMPLES) {
                Path ux = UNIX.getPath(x).normalize();
                Path uy = UNIX.getPath(y).normalize();
                if (ux.isAbsolute() != uy.isAbsolute() || hasDotDot(ux) || hasDotDot(uy)) {
                    continue;
                }
                Path mx = p(x).normalize();
                Path my = p(y).normalize();
                assertEquals(ux.relativize(uy).toString(), mx.relativize(my).toString(), x + " relativize " + y);
            }
        }
    }

    private static boolean hasDotDot(Path p) {
        for (Path n : p) {
            if (n.toString().equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static void compareBinary(String op, BiFunction<Path, Path, Object> f) {
        for (String x : SAMPLES) {
            for (String y : SAMPLES) {
                Object expected = f.apply(UNIX.getPath(x), UNIX.getPath(y));
                Object actual = f.apply(p(x), p(y));
                assertEquals(String.valueOf(expected), String.valueOf(actual), "'" + x + "' " + op + " '" + y + "'");
            }
        }
    }

    private static void compareStrings(String op, BiFunction<Path, String, Object> f) {
        for (String x : SAMPLES) {
            for (String y : SAMPLES) {
                Object expected = f.apply(UNIX.getPath(x), y);
                Object actual = f.apply(p(x), y);
                assertEquals(String.valueOf(expected), String.valueOf(actual), "'" + x + "' " + op + " '" + y + "'");
            }
        }
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }

    @Test
    void resolveThenRelativizeRoundTrips() {
        for (String base : List.of("/", "/a", "/a/b", "a", "a/b", "")) {
            for (String rel : List.of("x", "x/y", "x/y/z", "")) {
                Path b = p(base);
                Path r = p(rel);
                if (b.toString().isEmpty() && rel.isEmpty()) {
                    continue;
                }
                assertEquals(r, b.relativize(b.resolve(r)), base + " + " + rel);
                assertEquals(b.resolve(r), b.resolve(b.relativize(b.resolve(r))), base + " + " + rel);
            }
        }
        assertEquals(p("../../c/d"), p("/a/b").relativize(p("/c/d")));
        assertEquals(p("/c/d"), p("/a/b").resolve(p("../../c/d")).normalize());
        assertEquals(p(""), p("/a").relativize(p("/a")));
    }

    @Test
    void relativizeRefusesMixingAbsoluteAndRelative() {
        assertThrows(IllegalArgumentException.class, () -> p("/a").relativize(p("b")));
        assertThrows(IllegalArgumentException.class, () -> p("a").relativize(p("/b")));
    }

    @Test
    void pathsOfOtherProvidersOrFileSystemsAreRefused() {
        assertThrows(ProviderMismatchException.class, () -> p("/a").resolve(Path.of("b")));
        assertThrows(ProviderMismatchException.class, () -> p("/a").relativize(other.getPath("/b")));
        assertFalse(p("/a").startsWith(other.getPath("/a")));
        assertFalse(p("/a").endsWith(Path.of("a")));
    }

    @Test
    void invalidIndicesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> p("/a/b").getName(2));
        assertThrows(IllegalArgumentException.class, () -> p("/a/b").getName(-1));
        assertThrows(IllegalArgumentException.class, () -> p("/a/b").subpath(1, 1));
        assertThrows(IllegalArgumentException.class, () -> p("/a/b").subpath(0, 3));
        assertThrows(IllegalArgumentException.class, () -> p("/").getName(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "/a/b/c", "/with space/and%percent", "/hash#tag.txt", "/x.tar.gz#/inner",
        "/ünïcödé-日本語.txt", "/what?.txt", "/a+b;c=d,e&f'g", "/brackets[1](2)", "/dollar$@!", "/.."})
    void urisRoundTrip(String s) {
        Path path = p(s);
        URI uri = path.toUri();
        assertEquals("mirror", uri.getScheme());
        assertEquals("paths", uri.getAuthority());
        assertNull(uri.getFragment(), "'#' must be encoded: " + uri);
        assertNull(uri.getQuery(), "'?' must be encoded: " + uri);
        assertEquals(path, Paths.get(uri));
        assertEquals(path, Path.of(URI.create(uri.toString())));
        assertEquals(path, fs.provider().getPath(uri));
    }

    @Test
    void relativePathsBecomeAbsoluteInTheirUri() {
        assertEquals(URI.create("mirror://paths/a/b"), p("a/b").toUri());
        assertEquals(p("/a/b"), p("a/b").toAbsolutePath());
        assertSame(p("/a").toAbsolutePath().getClass(), p("/a").getClass());
        assertEquals(p("/"), p("").toAbsolutePath());
    }

    @Test
    void normalizeKeepsLeadingDotDotOfRelativePathsAndDropsItAtTheRoot() {
        Function<String, String> n = s -> p(s).normalize().toString();
        assertEquals("../a", n.apply("../a"));
        assertEquals("/a", n.apply("/../a"));
        assertEquals("", n.apply("a/.."));
        assertEquals("", n.apply("."));
        assertEquals("/", n.apply("/a/.."));
        assertEquals("../..", n.apply("../.."));
    }
}
