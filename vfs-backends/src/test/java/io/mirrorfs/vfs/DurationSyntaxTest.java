package io.mirrorfs.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one duration syntax of the command line, the config file and the java.nio env. */
class DurationSyntaxTest {

    @ParameterizedTest(name = "''{0}'' is {1}")
    @CsvSource(delimiter = '|', value = {
        "500ms     | PT0.5S",
        "5s        | PT5S",
        "2m        | PT2M",
        "1h        | PT1H",
        "7d        | PT168H",
        "7         | PT7S",
        "0         | PT0S",
        "0ms       | PT0S",
        "PT5S      | PT5S",
        "pt5s      | PT5S",
        "PT1.5S    | PT1.5S",
        "PT2M30S   | PT2M30S",
        "P1DT2H    | PT26H",
        "5S        | PT5S",
        "250MS     | PT0.25S",
        "'  10s '  | PT10S",
        "3600      | PT1H",
    })
    void acceptedForms(String text, String expected) {
        assertEquals(Duration.parse(expected), DurationSyntax.parse(text));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", " ", "soon", "5 s", "5sec", "1.5s", "-5s", "-7", "PT-5S", "P", "PT", "5w", "d", "s", "ms",
        "99999999999999999999", "9223372036854775807h", "0x10", "5s5", "+5s"})
    void mistakesNameTheValueAndTheForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse(text));
        assertEquals("'" + text + "' is not a duration (use 500ms, 5s, 2m, 1h, 7d, PT5S or bare seconds such as 7)", e.getMessage());
    }
}
