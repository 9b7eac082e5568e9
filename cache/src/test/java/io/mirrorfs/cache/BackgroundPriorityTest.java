package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The write-behind thread's priority, read back from the kernel. */
class BackgroundPriorityTest {

    /** The nice value of {@code tid}, field 19 of its stat line (after the command in parentheses). */
    private static int niceOf(int tid) throws Exception {
        String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]); // field 19 of the line; fields[0] is field 3
    }

    @Test
    void lowersOnlyTheCallingThreadToNice19() throws Exception {
        int before = niceOf(BackgroundPriority.currentThreadId().orElseThrow());
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                boolean lowered = BackgroundPriority.lowerCurrentThread();
                result.set(lowered + " " + niceOf(BackgroundPriority.currentThreadId().orElseThrow()));
            } catch (Exception e) {
                result.set(e);
            }
        });
        t.start();
        t.join();
        assertEquals("true 19", String.valueOf(result.get()));
        assertEquals(before, niceOf(BackgroundPriority.currentThreadId().orElseThrow()), "the caller's thread keeps its priority");
        assertTrue(before < 19);
    }
}
