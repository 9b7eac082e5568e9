package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import ru.serce.jnrfuse.struct.FileStat;

/** The permission table: readable by all, writable by none, execute bits as the source has them. */
class StatMapperTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "FILE,      0644, 0444",
        "FILE,      0600, 0444",
        "FILE,      0000, 0444",
        "FILE,      0755, 0555",
        "FILE,      0700, 0544",
        "FILE,      0711, 0555",
        "FILE,      4755, 0555",
        "FILE,      2775, 0555",
        "DIRECTORY, 0755, 0555",
        "DIRECTORY, 0700, 0555",
        "DIRECTORY, 1777, 0555",
        "SYMLINK,   0644, 0777",
    })
    void modes(FileType type, String source, String expected) {
        FileAttrs attrs = new FileAttrs(type, 0, Instant.EPOCH, Integer.parseInt(source, 8), "v");
        int typeBits = switch (type) {
            case FILE -> FileStat.S_IFREG;
            case DIRECTORY -> FileStat.S_IFDIR;
            case SYMLINK -> FileStat.S_IFLNK;
        };
        assertEquals(typeBits | Integer.parseInt(expected, 8), StatMapper.mode(attrs),
                () -> "got " + Integer.toOctalString(StatMapper.mode(attrs)));
    }
}
