package io.mirrorfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mirrorfs.vfs.MemoryVfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Glob and regex path matchers: a table of expectations, and every glob compared with the JDK's. */
class PathMatcherTest {

    private static FileSystem fs;

    @BeforeAll
    static void open() {
        fs = MirrorFileSystems.newFileSystem(new MemoryVfs("matchers"));
    }

    @AfterAll
    static void close() throws IOException {
        fs.close();
    }

    private static boolean matches(String syntaxAndPattern, String path) {
        return fs.getPathMatcher(syntaxAndPattern).matches(fs.getPath(path));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            *.txt             | a.txt            | true
            *.txt             | dir/a.txt        | false
            *.txt             | .txt             | true
            **.txt            | dir/sub/a.txt    | true
            **/*.txt          | dir/a.txt        | true
            **/*.txt          | a.txt            | false
            /pub/**           | /pub/a/b/c       | true
            /pub/*            | /pub/a/b         | false
            ?.bin             | a.bin            | true
            ?.bin             | ab.bin           | false
            a?c               | a/c              | false
            [abc].txt         | b.txt            | true
            [abc].txt         | d.txt            | false
            [a-c]x            | bx               | true
            [!a-c]x           | dx               | true
            [!a-c]x           | ax               | false
            [!a]              | /                | false
            [-a]              | -                | true
            [a-]              | -                | true
            [^a]              | ^                | true
            [^a]              | b                | false
            *.{tar.gz,zip}    | x.tar.gz         | true
            *.{tar.gz,zip}    | x.zip            | true
            *.{tar.gz,zip}    | x.tgz            | false
            {a,b/c}           | b/c              | true
            {}                | ''               | true
            x.tar.gz#/*       | x.tar.gz#/m      | true
            \\*.txt           | *.txt            | true
            \\*.txt           | a.txt            | false
            a\\?              | a?               | true
            a\\?              | ab               | false
            \\[x]             | [x]              | true
            \\{a,b}           | '{a,b}'          | true
            100%.txt          | 100%.txt         | true
            (a)+.$^           | (a)+.$^          | true
            a.b               | axb              | false
            [[]               | [                | true
            [\\]              | \\               | true
            [a&&b]            | &                | true
            ünï*              | ünïcödé          | true
            """)
    void globTable(String glob, String path, boolean expected) {
        assertEquals(expected, matches("glob:" + glob, path));
    }

    /** Every glob here means the same on a mirror as on the default (Unix) file system. */
    @Test
    void globsMatchLikeTheDefaultFileSystem() {
        List<String> globs = List.of("*", "**", "*.txt", "**/*.txt", "/**", "/*/*", "?", "??.?", "[a-c]*", "[!a-c]*",
                "{a,b,c}", "{*.txt,**/x}", "a{b,c}d", "\\*", "[*?]", "[a-]", "[-a]", "*.{gz,zip}#/**", "[!/]", ".*",
                "\\\\", "a\\{b", "[]a]", "x[]]", "[^]", "*[0-9][0-9]");
        List<String> paths = List.of("", "a", "b", "d", "a.txt", "dir/a.txt", "/a/b", "/abs", "ab.c", "abd", "acd", "x",
                "*", "?", "-", "\\", "a{b", "]", "x]", "^", ".hidden", "f42", "a/b/x", "k.gz#/m/n", "[]a]");
        FileSystem unix = FileSystems.getDefault();
        for (String glob : globs) {
            PathMatcher expected;
            try {
                expected = unix.getPathMatcher("glob:" + glob);
            } catch (PatternSyntaxException e) {
                assertThrows(PatternSyntaxException.class, () -> fs.getPathMatcher("glob:" + glob), glob);
                continue;
            }
            PathMatcher actual = fs.getPathMatcher("glob:" + glob);
            for (String path : paths) {
                assertEquals(expected.matches(unix.getPath(path)), actual.matches(fs.getPath(path)), glob + " ~ " + path);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\", "[abc", "{a,b", "{a,{b}}", "[a/b]", "[z-a]", "[a-c-e]", "a[b"})
    void malformedGlobsFailLikeTheJdk(String glob) {
        assertThrows(PatternSyntaxException.class, () -> FileSystems.getDefault().getPathMatcher("glob:" + glob));
        assertThrows(PatternSyntaxException.class, () -> fs.getPathMatcher("glob:" + glob));
    }

    @Test
    void regexMatchesTheWholePathString() {
        assertEquals(true, matches("regex:.*\\.txt", "/dir/a.txt"));
        assertEquals(false, matches("regex:a", "/a"));
        assertEquals(true, matches("regex:/a/[0-9]+", "/a/123"));
        assertEquals(true, matches("REGEX:a|b", "b"));
        assertEquals(true, matches("GLOB:*.TXT", "A.TXT"));
        assertThrows(PatternSyntaxException.class, () -> fs.getPathMatcher("regex:("));
    }

    @Test
    void syntaxIsRequiredAndKnown() {
        assertThrows(IllegalArgumentException.class, () -> fs.getPathMatcher("*.txt"));
        assertThrows(IllegalArgumentException.class, () -> fs.getPathMatcher(":*.txt"));
        assertThrows(IllegalArgumentException.class, () -> fs.getPathMatcher("glob:"));
        assertThrows(UnsupportedOperationException.class, () -> fs.getPathMatcher("wild:*.txt"));
    }
}
