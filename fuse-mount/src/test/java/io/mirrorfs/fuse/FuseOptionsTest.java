package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

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

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), DurationConverter.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), DurationConverter.parse("5s"));
        assertEquals(Duration.ofSeconds(7), DurationConverter.parse("7"));
        assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationConverter.parse("1h"));
        assertThrows(picocli.CommandLine.TypeConversionException.class, () -> DurationConverter.parse("soon"));
    }
}
