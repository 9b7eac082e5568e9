package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirrorfs.cache.LaneController.Fetch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lane rule on a fake clock: grow while it pays on a slow, starving link; never on a fast one. */
class LaneControllerTest {

    private static final int MIB = 1 << 20;
    private static final long MS = 1_000_000;

    private final AtomicLong now = new AtomicLong();

    /**
     * Feeds one judgement's worth of blocks: each takes {@code blockMs} (plus {@code rttMs} when it
     * opens a stripe), the clock moves by {@code blockMs / lanes} per block (lanes fetch in
     * parallel, up to {@code linkLanes} of them: the link's limit), the reader waits {@code waitShare}
     * of the time.
     */
    private void epoch(LaneController c, long blockMs, long rttMs, int linkLanes, double waitShare) {
        epoch(c, blockMs, rttMs, linkLanes, waitShare, 1.0);
    }

    /** As above; past {@code linkLanes} lanes every block costs {@code penalty} times as long (a server slowing extra connections). */
    private void epoch(LaneController c, long blockMs, long rttMs, int linkLanes, double waitShare, double penalty) {
        int lanes = c.lanes();
        int stripe = c.stripeBlocks();
        int blocks = Math.max(LaneController.MIN_EPOCH_BLOCKS, 2 * lanes);
        for (int i = 0; i < blocks; i++) {
            boolean opens = lanes > 1 && i % stripe == 0;
            long took = (blockMs + (opens ? rttMs : 0)) * MS;
            long step = (long) (took / Math.min(lanes, linkLanes) * (lanes > linkLanes ? penalty : 1.0));
            now.addAndGet(step);
            c.readerWaited((long) (step * waitShare));
            c.fetched(MIB, took, lanes == 1 ? Fetch.STREAM : opens ? Fetch.STRIPE_START : Fetch.STRIPE_REST);
        }
    }

    @Test
    void aFastSourceKeepsOneLaneEvenWhenTheReaderWaits() {
        LaneController c = new LaneController(8, 128, now::get);
        for (int i = 0; i < 10; i++) {
            epoch(c, 1, 0, 8, 0.9); // 1 MiB per ms: loopback; the kernel's reader still waits
        }
        assertEquals(1, c.lanes());
    }

    @Test
    void aSlowSourceTheReaderDoesNotWaitForKeepsOneLane() {
        LaneController c = new LaneController(8, 128, now::get);
        for (int i = 0; i < 10; i++) {
            epoch(c, 20, 80, 8, 0.0);
        }
        assertEquals(1, c.lanes());
    }

    @Test
    void aStarvedReaderOnASlowLinkGetsLanesUpToTheConnections() {
        LaneController c = new LaneController(8, 128, now::get);
        epoch(c, 20, 80, 8, 0.9);
        assertEquals(4, c.lanes());
        epoch(c, 20, 80, 8, 0.9);
        assertEquals(8, c.lanes());
        epoch(c, 20, 80, 8, 0.9);
        assertEquals(8, c.lanes(), "never more than the connections");
    }

    @Test
    void aGrowthThatBringsFewerBytesIsTakenBackForGood() {
        LaneController c = new LaneController(8, 128, now::get);
        epoch(c, 20, 80, 2, 0.9, 3.0);
        assertEquals(4, c.lanes());
        for (int i = 0; i < 8; i++) {
            epoch(c, 20, 80, 2, 0.9, 3.0); // two connections' worth; more make the server slower
        }
        assertEquals(1, c.lanes());
    }

    @Test
    void aGrowthThatBringsTheSameBytesIsKept() {
        LaneController c = new LaneController(8, 128, now::get);
        for (int i = 0; i < 8; i++) {
            epoch(c, 20, 80, 2, 0.9); // the link carries two lanes' worth; more cost only memory
        }
        assertEquals(8, c.lanes());
    }

    @Test
    void theStripeCoversFourRoundTripsOfALanesBytesWithinMemory() {
        LaneController c = new LaneController(8, 256, now::get);
        epoch(c, 20, 40, 8, 0.9); // -> 4 lanes, stripe not yet measured
        assertEquals(LaneController.DEFAULT_STRIPE, c.stripeBlocks());
        epoch(c, 20, 40, 8, 0.9); // stripes measured: 40 ms round trip, 20 ms per block
        assertEquals(8, c.lanes());
        assertEquals(8, c.stripeBlocks(), "4 x 40 ms / 20 ms per block");
        LaneController small = new LaneController(8, 24, now::get);
        epoch(small, 20, 80, 8, 0.9);
        epoch(small, 20, 80, 8, 0.9);
        assertEquals(24 / (2 * small.lanes()), small.stripeBlocks(), "bounded by memory: 24 blocks, two stripes per lane");
    }
}
