package io.mirrorfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.cache.CacheConfig;
import io.mirrorfs.cache.SourceSpec;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.archive.ArchiveVisibility;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The env map of {@code FileSystems.newFileSystem(URI, env)}: forms, typed and string values, failures. */
class EnvConfigTest {

    @Test
    void sourcesComeAsMapListOrString() {
        EnvConfig fromMap = EnvConfig.parse(Map.of("sources", Map.of("/a", "file:///x")));
        EnvConfig fromList = EnvConfig.parse(Map.of("sources", List.of("/a=file:///x", "/b/c=http://h/p/?q=1")));
        EnvConfig fromString = EnvConfig.parse(Map.of("sources", " /a=file:///x\n/b/c=http://h/p/?q=1 "));
        assertEquals(List.of(new SourceSpec(VfsPath.parse("/a"), "file:///x")), fromMap.sources());
        assertEquals(fromList.sources(), fromString.sources());
        assertEquals("http://h/p/?q=1", fromList.sources().get(1).url());
        assertEquals(SourceOptions.DEFAULTS, fromMap.options());
    }

    @Test
    void optionsAcceptTypedAndStringValues() {
        EnvConfig typed = EnvConfig.parse(Map.of("sources", "/=file:///x", "connectTimeout", Duration.ofMillis(1500),
                "readTimeout", Duration.ofSeconds(30), "retries", 0, "maxConnections", 2, "showOutsideSymlinks", true,
                "ftpActiveMode", true, "credentialsFile", Path.of("/etc/creds")));
        EnvConfig strings = EnvConfig.parse(Map.of("sources", "/=file:///x", "connectTimeout", "1500ms",
                "readTimeout", "PT30S", "retries", "0", "maxConnections", "2", "showOutsideSymlinks", "TRUE",
                "ftpActiveMode", "true", "credentialsFile", "/etc/creds"));
        assertEquals(typed, strings);
        assertEquals(Duration.ofMinutes(2), EnvConfig.parse(Map.of("sources", "/=file:///x", "readTimeout", "2m")).options().readTimeout());
        // The shared syntax: bare seconds, as a string or a number, and ISO-8601.
        assertEquals(Duration.ofSeconds(7), EnvConfig.parse(Map.of("sources", "/=file:///x", "readTimeout", "7")).options().readTimeout());
        assertEquals(Duration.ofSeconds(7), EnvConfig.parse(Map.of("sources", "/=file:///x", "readTimeout", 7)).options().readTimeout());
        assertEquals(Duration.ofHours(1), EnvConfig.parse(Map.of("sources", "/=file:///x", "connectTimeout", "1h")).options().connectTimeout());
    }

    @Test
    void mistakesFailNamingTheKey() {
        assertMessage("'sources' is required", Map.of());
        assertMessage("unknown env key 'cacheSise'", Map.of("sources", "/=file:///x", "cacheSise", "1G"));
        assertMessage("'cacheSize': expected a size", Map.of("sources", "/=file:///x", "cacheSize", "lots"));
        assertMessage("env 'archives'", Map.of("sources", "/=file:///x", "archives", "sometimes"));
        assertMessage("expected /PATH=URL", Map.of("sources", "file:///x"));
        assertMessage("bad mirror path /a/..", Map.of("sources", Map.of("/a/..", "file:///x")));
        assertMessage("two sources are mounted at /a", Map.of("sources", List.of("/a=file:///x", "/a/=file:///y")));
        assertMessage("names no source", Map.of("sources", List.of()));
        assertMessage("'retries': expected an integer", Map.of("sources", "/=file:///x", "retries", "two"));
        assertMessage("env 'readTimeout': 'soon' is not a duration (use 500ms, 5s, 2m, 1h, 7d, PT5S or bare seconds such as 7)",
                Map.of("sources", "/=file:///x", "readTimeout", "soon"));
        assertMessage("'ftpActiveMode': expected true or false", Map.of("sources", "/=file:///x", "ftpActiveMode", "yes"));
        assertMessage("must be >= 1", Map.of("sources", "/=file:///x", "maxConnections", 0));
        assertMessage("must be a Map, a Collection or a String", Map.of("sources", 42));
    }

    @Test
    void cacheAndArchiveSettingsMatchTheMountOptions(@TempDir Path dir) {
        EnvConfig c = EnvConfig.parse(Map.of("sources", "/=file:///x", "cacheSize", "64M", "blockSize", 1 << 16,
                "readAhead", "2", "dirReadAhead", "7", "dirCacheTtl", "30s", "cacheDir", dir.toString(), "diskCacheSize", "2G", "archives", "visible"));
        CacheConfig cache = c.cache();
        assertEquals(64L << 20, cache.maxBytes());
        assertEquals(1 << 16, cache.blockSize());
        assertEquals(2, cache.readAheadBlocks());
        assertEquals(7, cache.dirReadAhead());
        assertEquals(Duration.ofSeconds(30), cache.metadataTtl());
        assertEquals(2L << 30, cache.diskMaxBytes());
        assertEquals(ArchiveVisibility.VISIBLE, c.archives().visibility());
        assertEquals(dir.resolve("archive-indexes"), c.archives().indexDirectory().orElseThrow());
        assertEquals(16L << 20, c.archives().checkpointMemory(), "checkpoints take a quarter of cacheSize, counted within it");
        assertEquals(CacheConfig.DEFAULTS, EnvConfig.parse(Map.of("sources", "/=file:///x")).cache());
        assertEquals(64L << 20, EnvConfig.parse(Map.of("sources", "/=file:///x")).archives().checkpointMemory());
    }

    private static void assertMessage(String part, Map<String, ?> env) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EnvConfig.parse(env));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void newFileSystemOpensEveryMountAndRefusesADuplicate(@TempDir Path a, @TempDir Path b) throws IOException {
        Files.writeString(a.resolve("a.txt"), "A");
        Files.writeString(b.resolve("b.txt"), "B");
        URI uri = URI.create("mirror://env-test/");
        Map<String, ?> env = Map.of("sources", Map.of("/", a.toUri().toString(), "/deep/b", b.toUri().toString()));
        try (FileSystem fs = FileSystems.newFileSystem(uri, env)) {
            assertEquals("A", Files.readString(fs.getPath("/a.txt")));
            assertEquals("B", Files.readString(fs.getPath("/deep/b/b.txt")));
            assertTrue(Files.isDirectory(fs.getPath("/deep")));
            assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(uri, env));
            assertEquals(fs, FileSystems.getFileSystem(uri));
        }
        FileSystems.newFileSystem(uri, env).close();
    }

    @Test
    void theUnnamedFileSystemHasTripleSlashUris(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("a b#.txt"), "A");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("mirror:///"), Map.of("sources", "/=" + dir.toUri()))) {
            Path p = fs.getPath("/a b#.txt");
            assertEquals(URI.create("mirror:///a%20b%23.txt"), p.toUri());
            assertEquals(p, Path.of(URI.create("mirror:///a%20b%23.txt")));
            assertEquals("A", Files.readString(Path.of(p.toUri())));
        }
    }

    @Test
    void badUrisAndUnopenableSourcesFail(@TempDir Path dir) {
        Map<String, ?> env = Map.of("sources", Map.of("/", dir.toUri().toString()));
        assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("mirror:///some/path"), env));
        assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("mirror:///?x=1"), env));
        assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(URI.create("mirror://bad-scheme/"), Map.of("sources", "/=gopher://h/")));
        IOException missing = assertThrows(IOException.class, () -> FileSystems.newFileSystem(URI.create("mirror://missing-dir/"),
                Map.of("sources", Map.of("/", dir.resolve("missing").toUri().toString()))));
        assertTrue(missing.getMessage().contains("source /="), missing.getMessage());
        assertThrows(java.nio.file.FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(URI.create("mirror://missing-dir/")));
    }

    @Test
    void proxyKeysOverrideTheProcessEnvironment() {
        Map<String, String> process = Map.of("http_proxy", "http://env:1", "no_proxy", "local.example");
        EnvConfig inherited = EnvConfig.parse(Map.of("sources", "/=file:///x"), process);
        assertEquals(java.util.Optional.of(java.net.URI.create("http://env:1")),
                inherited.options().proxies().proxyFor(java.net.URI.create("http://h/")));
        EnvConfig own = EnvConfig.parse(Map.of("sources", "/=file:///x", "proxy", "http://squid:3128", "noProxy", "h"), process);
        assertEquals(java.util.Optional.empty(), own.options().proxies().proxyFor(java.net.URI.create("http://h/")));
        assertEquals(java.util.Optional.of(java.net.URI.create("http://squid:3128")),
                own.options().proxies().proxyFor(java.net.URI.create("https://local.example/")));
    }
}
