package io.mirrorfs.fuse;

import io.mirrorfs.cache.CacheConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses sizes such as {@code 65536}, {@code 64M} or {@code 1G} (binary units); see {@link CacheConfig#parseSize}. */
final class SizeConverter implements ITypeConverter<Long> {

    @Override
    public Long convert(String value) {
        try {
            return CacheConfig.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
