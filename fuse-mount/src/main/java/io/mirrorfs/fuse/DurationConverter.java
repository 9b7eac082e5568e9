package io.mirrorfs.fuse;

import io.mirrorfs.vfs.DurationSyntax;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads {@code DURATION} options (and, through them, the config file's values) with the one
 * duration syntax of mirrorfs, {@link DurationSyntax}: {@code 500ms}, {@code 5s}, {@code 2m},
 * {@code 1h}, {@code PT5S} or bare seconds.
 */
final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses {@code value}; a mistake is a picocli conversion error naming the value. */
    static Duration parse(String value) {
        try {
            return DurationSyntax.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
