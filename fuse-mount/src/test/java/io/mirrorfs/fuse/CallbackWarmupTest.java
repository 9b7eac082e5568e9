package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.vfs.MemoryVfs;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The start-up warm-up drives the real callbacks with native memory, no kernel mount involved. */
class CallbackWarmupTest {

    private static final MirrorFs.MountListener NONE = new MirrorFs.MountListener() {
        @Override
        public void mounted() {
        }

        @Override
        public void unmounted() {
        }
    };

    private static MemoryVfs tree() {
        MemoryVfs vfs = new MemoryVfs("warm");
        for (int d = 0; d < 3; d++) {
            for (int f = 0; f < 20; f++) {
                vfs.file("/w/d" + d + "/f" + f, new byte[300_000 + f], Instant.EPOCH);
            }
        }
        return vfs;
    }

    @Test
    void walksListsLooksUpAndReadsThroughTheCallbacks() {
        MemoryVfs vfs = tree();
        MirrorFs fs = new MirrorFs(vfs, 0, 0, "mirrorfs", NONE);
        CallbackWarmup.Done done = CallbackWarmup.run(fs, "/w", Long.MAX_VALUE, () -> false);
        assertEquals(4, done.directories(), "/w and its three directories");
        assertEquals(3 + 60, done.lookups(), "every entry's attributes");
        assertEquals(6, done.filesRead(), "every tenth file of each directory");
        assertEquals(0, fs.openFileCount(), "every handle released");
        assertEquals(6, vfs.openCount(), "files are opened through the file system");
        // Three 128 KiB requests as the kernel sends them (the last one short); MirrorFs asks the
        // file once more to find the end inside the short one.
        assertEquals(6 * 4, vfs.readCount(), "each file read to its end in kernel-sized requests");
    }

    @Test
    void stopsWhenAskedBetweenDirectories() {
        MirrorFs fs = new MirrorFs(tree(), 0, 0, "mirrorfs", NONE);
        AtomicInteger asked = new AtomicInteger();
        CallbackWarmup.Done done = CallbackWarmup.run(fs, "/w", Long.MAX_VALUE, () -> asked.incrementAndGet() > 1);
        assertEquals(2, done.directories(), "/w and the first directory, then the stop");
    }

    @Test
    void aMissingTreeCostsNothingAndDoesNotThrow() {
        MirrorFs fs = new MirrorFs(tree(), 0, 0, "mirrorfs", NONE);
        CallbackWarmup.Done done = CallbackWarmup.run(fs, "/absent", Long.MAX_VALUE, () -> false);
        assertEquals(0, done.lookups());
    }
}
