package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class FuseOptionsTest {

    @Test
    void defaultsAreReadOnlyWithNameAndAutoUnmount() {
        String o = FuseOptions.merge("mirrorfs", List.of());
        for (String key : new String[] {"ro", "default_permissions", "auto_unmount", "fsname", "subtype"}) {
            assertTrue(FuseOptions.has(o, key), key + " in " + o);
        }
        assertTrue(o.contains("fsname=mirrorfs"));
        assertTrue(o.contains("subtype=mirrorfs"));
    }

    @Test
    void userOptionsOverrideKeyByKey() {
        String o = FuseOptions.merge("mirrorfs", List.of("attr_timeout=60,allow_other", "entry_timeout=0"));
        assertTrue(o.contains("attr_timeout=60"));
        assertFalse(o.contains("attr_timeout=5"));
        assertTrue(o.contains("entry_timeout=0"));
        assertTrue(FuseOptions.has(o, "allow_other"));
        assertEquals(1, o.split("attr_timeout", -1).length - 1, "each key once: " + o);
    }

    @Test
    void writableMountIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FuseOptions.merge("m", List.of("rw")));
        assertTrue(e.getMessage().contains("read-only"));
    }

    @Test
    void hasMatchesWholeKeysOnly() {
        assertFalse(FuseOptions.has("nonempty_x,ro", "nonempty"));
        assertTrue(FuseOptions.has("ro,nonempty", "nonempty"));
    }

    @ParameterizedTest(name = "--read-timeout {0}")
    @CsvSource({"500ms, PT0.5S", "5s, PT5S", "7, PT7S", "2m, PT2M", "1h, PT1H", "PT5S, PT5S", "PT1.5S, PT1.5S"})
    void durationOptionsTakeTheSharedSyntax(String value, String expected) {
        CommandLine cli = new CommandLine(new Main());
        CommandLine.ParseResult r = cli.parseArgs("mount", "/m", "--source", "/=file:///tmp", "--read-timeout", value);
        assertEquals(Duration.parse(expected), r.subcommand().matchedOptionValue("--read-timeout", Duration.ZERO));
    }

    @Test
    void aBadDurationOptionNamesTheOptionAndTheValue() {
        CommandLine cli = new CommandLine(new Main());
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> cli.parseArgs("mount", "/m", "--source", "/=file:///tmp", "--dir-cache-ttl", "soon"));
        assertTrue(e.getMessage().contains("--dir-cache-ttl"), e.getMessage());
        assertTrue(e.getMessage().contains("'soon' is not a duration (use 500ms, 5s, 2m, 1h, 7d, PT5S or bare seconds such as 7)"),
                e.getMessage());
    }
}
