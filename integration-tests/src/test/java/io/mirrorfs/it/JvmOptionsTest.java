package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heap bound every launcher computes (packaging/src/main/sh/jvm-options.sh): --cache-size
 * plus 128 MiB. Archive checkpoints are part of --cache-size, so --archive-index-memory adds
 * nothing.
 */
class JvmOptionsTest {

    @TempDir
    Path tmp;

    private static String xmx(String... args) throws Exception {
        return MountedMirror.jvmOptions(args).get(0);
    }

    @Test
    void theHeapIsTheCacheSizePlus128MiB() throws Exception {
        assertEquals("-Xmx384m", xmx("mount", "/mnt", "--source", "/=file:///srv"), "the default 256M cache");
        assertEquals("-Xmx160m", xmx("mount", "/mnt", "--cache-size", "32M"));
        assertEquals("-Xmx1152m", xmx("mount", "/mnt", "--cache-size=1G"));
        assertEquals("-Xmx1152m", xmx("mount", "/mnt", "--cache-size", "1G", "--archive-index-memory", "256M"),
                "checkpoints are within the cache");
        assertEquals("-Xmx384m", xmx("mount", "/mnt", "--archive-index-memory=100M"));
    }

    @Test
    void aConfigFileCacheSizeCounts() throws Exception {
        Path conf = Files.writeString(tmp.resolve("m.conf"), "# test\ncache-size = 512M\narchive-index-memory = 128M\n");
        assertEquals("-Xmx640m", xmx("mount", "--config", conf.toString()));
        assertEquals("-Xmx192m", xmx("mount", "--config", conf.toString(), "--cache-size", "64M"), "the command line wins");
    }
}
