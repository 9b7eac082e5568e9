package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Indexing passes in progress and their combined progress ratio. */
class ArchiveMetricsTest {

    @Test
    void runningPassesShowTheirCombinedProgress() {
        ArchiveMetrics m = new ArchiveMetrics();
        assertEquals(0.0, m.indexingProgressRatio());
        IndexProgress a = new IndexProgress("a", 1000, Long.MAX_VALUE);
        IndexProgress b = new IndexProgress("b", 3000, Long.MAX_VALUE);
        m.passStarted(a);
        m.passStarted(b);
        a.update(500);
        b.update(1500);
        assertEquals(2, m.indexingInProgress());
        assertEquals(0.5, m.indexingProgressRatio());
        m.passEnded(a, true, 4000);
        assertEquals(1, m.indexingInProgress());
        assertEquals(0.5, m.indexingProgressRatio());
        m.passEnded(b, false, 0);
        assertEquals(0, m.indexingInProgress());
        assertEquals(1, m.indexesBuilt(), "a failed pass built nothing");
        assertEquals(4000, m.bytesDecoded());
    }
}
