package io.mirrorfs.vfs;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of mirrorfs, shared by the command line, the config file and the
 * java.nio env: a whole number with a unit ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}),
 * bare seconds ({@code 7}), or ISO-8601 as {@link Duration#parse} reads it ({@code PT5S},
 * {@code PT1.5S}). Units and ISO letters are case-insensitive; surrounding spaces are ignored.
 * Negative durations are refused: every duration here is a timeout or a lifetime. Pure
 * functions; thread-safe.
 */
public final class DurationSyntax {

    /** The accepted forms, for messages and help texts. */
    public static final String FORMS = "500ms, 5s, 2m, 1h, 7d, PT5S or bare seconds such as 7";

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private DurationSyntax() {
    }

    /**
     * Returns the duration {@code text} stands for.
     *
     * @throws IllegalArgumentException naming {@code text} and the accepted forms, if it is none of them
     */
    public static Duration parse(String text) {
        String v = text.strip().toLowerCase(Locale.ROOT);
        try {
            Duration d = v.startsWith("p") ? Duration.parse(v) : withUnit(v);
            if (d != null && !d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            // Reported below, with the value as given.
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (use " + FORMS + ")");
    }

    /** Returns a number with an optional unit (none: seconds), or null if {@code v} is not one. */
    private static Duration withUnit(String v) {
        Matcher m = WITH_UNIT.matcher(v);
        if (!m.matches()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null; // more digits than a long holds
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
