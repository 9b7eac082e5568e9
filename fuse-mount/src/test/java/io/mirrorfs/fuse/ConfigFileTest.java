package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

class ConfigFileTest {

    @TempDir
    Path tmp;

    private static CommandLine root() {
        return new CommandLine(new Main());
    }

    private static CommandSpec mountSpec() {
        return root().getSubcommands().get("mount").getCommandSpec();
    }

    private Path write(String... lines) throws IOException {
        Path f = Files.createTempFile(tmp, "mirror", ".conf");
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    /** Parses the expanded arguments the way Main does and returns the mount command's fields. */
    private static MountCommand parse(String... args) {
        CommandLine cli = root();
        String[] expanded = ConfigArguments.expand(cli, args);
        CommandLine.ParseResult result = cli.parseArgs(expanded);
        return (MountCommand) result.subcommand().commandSpec().userObject();
    }

    private static ConfigException error(Path config) {
        return assertThrows(ConfigException.class, () -> ConfigArguments.expand(root(), new String[] {"mount", "/mnt", "--config", config.toString()}));
    }

    @Test
    void proxyKeysAndOptionsOverrideTheEnvironment() throws IOException {
        java.util.Map<String, String> env = java.util.Map.of("http_proxy", "http://env-proxy:8080", "https_proxy", "http://env-proxy:8443",
                "no_proxy", "env.example");
        io.mirrorfs.vfs.ProxySettings fromEnv = parse("mount", "/m", "--source", "/=file:///x").common.sourceOptions(env).proxies();
        assertEquals(Optional.of(java.net.URI.create("http://env-proxy:8443")), fromEnv.proxyFor(java.net.URI.create("https://a.org/")));
        assertEquals(Optional.empty(), fromEnv.proxyFor(java.net.URI.create("http://env.example/")));
        Path conf = write("proxy = http://squid:3128", "no-proxy = a.org, .b.org");
        MountCommand fromFile = parse("mount", "/m", "--source", "/=file:///x", "--config", conf.toString());
        MountCommand fromFlags = parse("mount", "/m", "--source", "/=file:///x", "--proxy", "http://squid:3128", "--no-proxy", "a.org,.b.org");
        io.mirrorfs.vfs.ProxySettings p = fromFile.common.sourceOptions(env).proxies();
        assertEquals(fromFlags.common.sourceOptions(env), fromFile.common.sourceOptions(env));
        assertEquals(Optional.of(java.net.URI.create("http://squid:3128")), p.proxyFor(java.net.URI.create("https://env.example/")));
        assertEquals(Optional.empty(), p.proxyFor(java.net.URI.create("http://x.b.org/")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("mount", "/m", "--source", "/=file:///x", "--proxy", "socks5://u:pw@h:1").common.sourceOptions(env));
        assertTrue(e.getMessage().startsWith("--proxy") && !e.getMessage().contains("pw"), e.getMessage());
    }

    @Test
    void fileIsEquivalentToTheFlags() throws IOException {
        String src = tmp.toUri().toString();
        Path conf = write(
                "# a mirror",
                "mountpoint = /srv/mirror",
                "source / = " + src,
                "source /deeper/dir = " + src,
                "   o = allow_other",
                "o = attr_timeout=60",
                "uid = 33",
                "gid = 44",
                "connect-timeout = 2s",
                "read-timeout = 1m",
                "retries = 5",
                "max-connections = 3",
                "verbose",
                "debug-fuse = false",
                "cache-size = 64M",
                "dir-cache-ttl = 2m",
                "cache-dir = /var/cache/mirrorfs",
                "metrics = 0.0.0.0:9101",
                "");
        MountCommand fromFile = parse("mount", "--config", conf.toString());
        MountCommand fromFlags = parse("mount", "/srv/mirror", "--source", "/=" + src, "--source", "/deeper/dir=" + src,
                "-o", "allow_other", "-o", "attr_timeout=60", "--uid", "33", "--gid", "44", "--connect-timeout", "2s",
                "--read-timeout", "1m", "--retries", "5", "--max-connections", "3", "--verbose",
                "--cache-size", "64M", "--dir-cache-ttl", "2m", "--cache-dir", "/var/cache/mirrorfs", "--metrics", "0.0.0.0:9101");
        assertEquals(fromFlags.mountPoint, fromFile.mountPoint);
        assertEquals(fromFlags.sources, fromFile.sources);
        assertEquals(fromFlags.common.fuseOptions, fromFile.common.fuseOptions);
        assertEquals(33L, fromFile.common.uid);
        assertEquals(fromFlags.common.gid, fromFile.common.gid);
        assertEquals(Duration.ofSeconds(2), fromFile.common.connectTimeout);
        assertEquals(fromFlags.common.readTimeout, fromFile.common.readTimeout);
        assertEquals(5, fromFile.common.retries);
        assertEquals(3, fromFile.common.maxConnections);
        assertTrue(fromFile.common.verbose);
        assertEquals(fromFlags.common.debugFuse, fromFile.common.debugFuse);
        assertEquals(fromFlags.common.sourceOptions(), fromFile.common.sourceOptions());
        assertEquals(64L << 20, fromFile.common.cacheSize);
        assertEquals(fromFlags.common.cacheSize, fromFile.common.cacheSize);
        assertEquals(Duration.ofMinutes(2), fromFile.common.dirCacheTtl);
        assertEquals(Path.of("/var/cache/mirrorfs"), fromFile.common.cacheDir);
        assertEquals(new MetricsAddress("0.0.0.0", 9101), fromFile.metrics);
        assertEquals(fromFlags.metrics, fromFile.metrics);
    }

    @Test
    void commandLineWinsForSingleValuesAndAddsToRepeatableOnes() throws IOException {
        String src = tmp.toUri().toString();
        Path conf = write("mountpoint = /from/file", "source / = " + src, "uid = 33", "o = allow_other");
        MountCommand m = parse("mount", "/from/cli", "--uid=7", "--config", conf.toString(), "-o", "attr_timeout=1",
                "--source", "/x=" + src);
        assertEquals(Path.of("/from/cli"), m.mountPoint);
        assertEquals(7L, m.common.uid);
        assertEquals(List.of("allow_other", "attr_timeout=1"), m.common.fuseOptions);
        assertEquals(List.of("/=" + src, "/x=" + src), m.sources);
    }

    @Test
    void mountPointFromTheFileWorksAfterDoubleDash() throws IOException {
        Path conf = write("mountpoint = /from/file", "source / = " + tmp.toUri());
        assertEquals(Path.of("/from/file"), parse("mount", "--config", conf.toString(), "--").mountPoint);
        assertEquals(Path.of("/from/file"), parse("mount", "--config=" + conf).mountPoint);
    }

    @Test
    void valuesMayBeQuotedAndHashesInsideValuesAreData() throws IOException {
        Path conf = write("mountpoint = \"/srv/with space \"", "source /a#b = " + tmp.toUri(), "credentials-file = \"/etc/x \\\"y\\\"\"");
        MountCommand m = parse("mount", "--config", conf.toString());
        assertEquals(Path.of("/srv/with space "), m.mountPoint);
        assertEquals(List.of("/a#b=" + tmp.toUri()), m.sources);
        assertEquals(Path.of("/etc/x \"y\""), m.common.credentialsFile);
    }

    @Test
    void underscoresAndCaseInKeysAreForgiven() throws IOException {
        Path conf = write("source / = " + tmp.toUri(), "Read_Timeout = 3s");
        assertEquals(Duration.ofSeconds(3), parse("mount", "/m", "--source", "/=file:///x", "--config", conf.toString()).common.readTimeout);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"read-timeout, PT5S, PT5S", "read-timeout, 7, PT7S", "connect-timeout, 500ms, PT0.5S", "dir-cache-ttl, 1h, PT1H",
        "dir-cache-ttl, PT1M30S, PT1M30S"})
    void durationValuesTakeTheSharedSyntax(String key, String value, String expected) throws IOException {
        MountCommand m = parse("mount", "/m", "--config", write("source / = " + tmp.toUri(), key + " = " + value).toString());
        Duration got = switch (key) {
            case "read-timeout" -> m.common.readTimeout;
            case "connect-timeout" -> m.common.connectTimeout;
            default -> m.common.dirCacheTtl;
        };
        assertEquals(Duration.parse(expected), got);
    }

    @Test
    void aBadDurationNamesTheLineTheKeyAndTheValue() throws IOException {
        Path conf = write("source / = " + tmp.toUri(), "dir-cache-ttl = 5 minutes");
        String message = error(conf).getMessage();
        assertTrue(message.startsWith(conf + ":2: bad value for 'dir-cache-ttl': "), message);
        assertTrue(message.contains("'5 minutes' is not a duration (use 500ms, 5s, 2m, 1h, 7d, PT5S or bare seconds such as 7)"), message);
    }

    @Test
    void argumentsWithoutConfigAreUntouched() {
        String[] args = {"mount", "/m", "--source", "/=file:///x", "-o", "--config"};
        assertArrayEquals(args, ConfigArguments.expand(root(), new String[] {"mount", "/m", "--source", "/=file:///x", "-o", "--config"}));
        String[] demo = {"demo", "/m"};
        assertArrayEquals(demo, ConfigArguments.expand(root(), demo.clone()));
        String[] help = {"--help"};
        assertArrayEquals(help, ConfigArguments.expand(root(), help.clone()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "read-timout = 5s              | :2: unknown key 'read-timout'; did you mean 'read-timeout'?",
        "uid = abc                     | :2: bad value for 'uid'",
        "cache-size = lots             | :2: bad value for 'cache-size'",
        "read-timeout = soon           | :2: bad value for 'read-timeout'",
        "metrics = nine                | :2: bad value for 'metrics': Invalid value for option '--metrics': 'nine' is not a port",
        "retries =                     | :2: 'retries' has no value after '='",
        "retries                       | :2: 'retries' needs a value",
        "verbose = maybe               | :2: 'verbose' is a switch: expected true or false, got 'maybe'",
        "source /x = gopher://host/    | :2: source /x=gopher://host/: unknown URL scheme 'gopher'",
        "source = no-slash             | :2: source no-slash: expected /PATH=URL",
        "source /a/../b = file:///tmp  | :2: source /a/../b=file:///tmp: bad mirror path",
        "this is not a setting         | :2: expected 'key = value'",
        "config = /etc/other.conf      | :2: a config file cannot name another one",
        "help                          | :2: unknown key 'help'",
        "mountpoint = \"/unterminated  | :2: the quoted value has no closing",
    })
    void mistakesNameTheirLine(String line, String expected) throws IOException {
        Path conf = write("# first line is a comment", line);
        ConfigException e = error(conf);
        assertTrue(e.getMessage().startsWith(conf + expected), e.getMessage());
    }

    @Test
    void aRepeatedSingleValueNamesBothLines() throws IOException {
        Path conf = write("uid = 1", "", "uid = 2");
        assertEquals(conf + ":3: 'uid' is already set on line 1", error(conf).getMessage());
    }

    @Test
    void unreadableFileIsReported() {
        Path missing = tmp.resolve("missing.conf");
        assertEquals("cannot read config file " + missing + ": no such file", error(missing).getMessage());
    }

    @Test
    void everyMountOptionIsAKey() {
        CommandSpec spec = mountSpec();
        Set<String> keys = ConfigFile.keys(spec);
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.longestName().equals("--config")) {
                continue;
            }
            assertTrue(keys.contains(o.longestName().replaceFirst("^--?", "")), o.longestName());
        }
        assertTrue(keys.containsAll(List.of("source", "mountpoint", "o", "uid", "read-timeout")));
    }

    @Test
    void parsesEntriesWithLineNumbers() {
        ConfigFile f = ConfigFile.parse(Path.of("x.conf"), List.of("\uFEFF# c", "", "source /p = http://h/a b", "verbose", "k=v"));
        assertEquals(List.of(new ConfigEntry(3, "source", "/p=http://h/a b"), new ConfigEntry(4, "verbose", ""),
                new ConfigEntry(5, "k", "v")), f.entries());
        assertEquals(Optional.empty(), f.mountPoint());
    }

    @Test
    void scanFindsOptionsValuesAndPositionals() {
        CommandSpec spec = mountSpec();
        var scan = ConfigArguments.CommandLineScan.of(spec, List.of("-oallow_other", "--uid", "3", "--config", "/c"));
        assertEquals(Optional.of("/c"), scan.configFile());
        assertTrue(!scan.hasPositional());
        assertTrue(scan.options().contains(spec.findOption("--uid")));
        assertTrue(scan.options().contains(spec.findOption("-o")));
        assertTrue(ConfigArguments.CommandLineScan.of(spec, List.of("--uid", "3", "/mnt")).hasPositional());
    }

    @Test
    void editDistance() {
        assertEquals(0, ConfigFile.editDistance("uid", "uid"));
        assertEquals(1, ConfigFile.editDistance("read-timeout", "read-timout"));
        assertEquals(3, ConfigFile.editDistance("", "abc"));
    }
}
