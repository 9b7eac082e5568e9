package io.mirrorfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.testing.GeneratedTree;
import io.mirrorfs.testing.NginxServer;
import io.mirrorfs.testing.fault.FaultProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * One stalled source must not slow the others: 24 readers and a listing hang on a black-holed
 * and a trickling server (more readers than a source has connections, more than the read-ahead
 * threads, more than the kernel's default 12 background requests) while a healthy server is read
 * cold. The healthy reads all complete and their p50/p99 are printed next to a baseline taken
 * without the stall (timings are reported, not asserted: the machine is shared). The stalled
 * readers get EIO within the configured timeouts plus a generous margin, and the daemon serves
 * the healed servers again.
 */
class IsolationTest {

    private static final int READ_TIMEOUT_S = 2;
    private static final int RETRIES = 1;

    @Test
    void stalledSourcesLeaveHealthyReadsAloneAndTheirReadersGetEio() throws Exception {
        Path dir = ResilienceSupport.servedDir("mirrorfs-isolation-");
        ResilienceSupport.sparse(dir, "big.bin", 1L << 30);
        for (int i = 0; i < 8; i++) {
            ResilienceSupport.write(dir, "f" + i + ".bin", 4 << 20);
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        try (NginxServer nginx = NginxServer.start(dir, NginxServer.Listing.EXACT);
                FaultProxy hole = FaultProxy.tcp(nginx.port());
                FaultProxy trickle = FaultProxy.tcp(nginx.port());
                MountedMirror m = MountedMirror.start("--source", "/ok=" + nginx.url(), "--source", "/hole=" + hole.url("http", "/"),
                        "--source", "/trickle=" + trickle.url("http", "/"), "--read-timeout", READ_TIMEOUT_S + "s",
                        "--retries", String.valueOf(RETRIES), "--cache-size", "64M")) {
            Path healthy = m.root().resolve("ok/big.bin");
            // Warm the listings of all three while every server is fine, then break two.
            for (String s : new String[] {"ok", "hole", "trickle"}) {
                assertTrue(Shell.ok(m.root(), "ls " + s).contains("f7.bin"), s);
            }
            ResilienceSupport.coldReads(healthy, 0, 5); // first connections, JIT
            double[] before = ResilienceSupport.coldReads(healthy, 10, 60);

            hole.blackhole();
            trickle.throttle(1);
            List<Future<?>> stalled = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < 24; i++) {
                Path f = m.root().resolve((i % 2 == 0 ? "hole/f" : "trickle/f") + (i % 8) + ".bin");
                stalled.add(pool.submit(() -> Files.readAllBytes(f)));
            }
            stalled.add(pool.submit(() -> Shell.bash(m.root(), "ls hole/../hole/ && ls -R hole >/dev/null")));
            Thread.sleep(500);
            double[] during = ResilienceSupport.coldReads(healthy, 100, 60);
            List<Object> outcomes = ResilienceSupport.await(stalled, 120);
            double stalledSeconds = (System.nanoTime() - t0) / 1e9;

            System.out.printf("isolation: healthy cold 128 KiB reads p50 %.2f ms p99 %.2f ms without a stall,"
                            + " p50 %.2f ms p99 %.2f ms with 24 stalled readers (ratios %.2f / %.2f); stalled readers done after %.1f s%n",
                    ResilienceSupport.percentile(before, 50), ResilienceSupport.percentile(before, 99),
                    ResilienceSupport.percentile(during, 50), ResilienceSupport.percentile(during, 99),
                    ResilienceSupport.percentile(during, 50) / ResilienceSupport.percentile(before, 50),
                    ResilienceSupport.percentile(during, 99) / ResilienceSupport.percentile(before, 99), stalledSeconds);
            for (int i = 0; i < 24; i++) {
                Object o = outcomes.get(i);
                assertInstanceOf(IOException.class, o, "stalled reader " + i + " must fail with EIO, not hang or succeed: " + o);
                assertTrue(String.valueOf(((IOException) o).getMessage()).contains("Input/output error"), o.toString());
            }
            // Per read: up to (retries + 1) x timeout, for stat/open and for the read; queued readers wait their turn.
            assertTrue(stalledSeconds < 100, "stalled readers took " + stalledSeconds + " s");

            hole.heal();
            trickle.heal();
            assertEquals(Files.size(dir.resolve("f3.bin")), Files.readAllBytes(m.root().resolve("hole/f3.bin")).length);
            assertEquals(Files.size(dir.resolve("f4.bin")), Files.readAllBytes(m.root().resolve("trickle/f4.bin")).length);
            assertTrue(m.process().isAlive(), "the daemon keeps running");
        } finally {
            pool.shutdownNow();
            GeneratedTree.deleteRecursively(dir);
        }
    }
}
