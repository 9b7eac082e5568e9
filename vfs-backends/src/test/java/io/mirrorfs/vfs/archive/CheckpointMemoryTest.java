package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoints of all archives together stay within {@link ArchiveOptions#checkpointMemory}:
 * archives indexed at the same time, archives let go of while a member is still open, and
 * indexes read back from the index directory. Every change is reported to the listener.
 */
class CheckpointMemoryTest {

    private static final int MEMBERS = 24;
    private static final int MEMBER_SIZE = 256 * 1024;
    private static final long INTERVAL = 64 * 1024;
    private static final int ARCHIVES = 4;

    @TempDir
    static Path tmp;
    /** The checkpoint weight of one archive indexed with all the memory it wants. */
    static long full;

    @BeforeAll
    static void createArchives() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < MEMBERS; i++) {
            Files.write(src.resolve(String.format("m%02d.bin", i)), Fixtures.compressible(MEMBER_SIZE, i));
        }
        Files.createDirectories(tmp.resolve("pub"));
        Fixtures.sh(tmp, "tar -czf pub/g0.tar.gz -C src . && for i in $(seq 1 " + (ARCHIVES - 1) + "); do cp pub/g0.tar.gz pub/g$i.tar.gz; done");
        try (VfsFile f = new LocalSource(tmp, false).open(VfsPath.parse("/pub/g0.tar.gz"))) {
            full = StreamIndexer.index(RandomAccessBytes.of(f), ArchiveFormat.EXPLICIT.get("tgz"), "x",
                    ArchiveOptions.builder().checkpointInterval(INTERVAL).build(),
                    new IndexProgress("test", f.attrs().size(), Long.MAX_VALUE)).checkpointWeight();
        }
        assertTrue(full > 512 * 1024, "one archive's checkpoints weigh " + full);
    }

    /** Records the totals reported: the last and the largest. */
    private static final class Totals implements java.util.function.LongConsumer {
        final AtomicLong last = new AtomicLong();
        final AtomicLong max = new AtomicLong();

        @Override
        public void accept(long bytes) {
            last.set(bytes);
            max.accumulateAndGet(bytes, Math::max);
        }
    }

    private static ArchiveLayer layer(long cap, Totals totals, ArchiveOptions.Builder b) throws IOException {
        return new ArchiveLayer(new LocalSource(tmp, false), b.checkpointInterval(INTERVAL).checkpointMemory(cap).build(), totals);
    }

    private static String member(int archive, int member) {
        return String.format("/pub/g%d.tar.gz#/m%02d.bin", archive, member);
    }

    @Test
    void archivesIndexedAtOnceAndHeldOpenShareTheCap() throws Exception {
        long cap = full * 3 / 2;
        Totals totals = new Totals();
        ExecutorService pool = Executors.newFixedThreadPool(ARCHIVES);
        try (ArchiveLayer layer = layer(cap, totals, ArchiveOptions.builder())) {
            CountDownLatch allOpen = new CountDownLatch(ARCHIVES);
            List<Callable<Void>> readers = new ArrayList<>();
            for (int a = 0; a < ARCHIVES; a++) {
                int archive = a;
                readers.add(() -> {
                    // Each reader keeps a member of its archive open while the others index theirs.
                    try (VfsFile held = layer.open(VfsPath.parse(member(archive, MEMBERS - 1)))) {
                        allOpen.countDown();
                        assertTrue(allOpen.await(60, TimeUnit.SECONDS));
                        for (int m = MEMBERS - 1; m >= 0; m -= 5) {
                            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, m), Fixtures.readAll(layer, VfsPath.parse(member(archive, m))),
                                    member(archive, m));
                        }
                        assertEquals(Fixtures.sha256(Fixtures.compressible(MEMBER_SIZE, MEMBERS - 1)),
                                Fixtures.sha256(Fixtures.readRange(held, 0, MEMBER_SIZE)));
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(readers)) {
                f.get();
            }
            assertTrue(totals.max.get() <= cap, "checkpoints held " + totals.max.get() + " bytes at most, cap " + cap);
            assertTrue(totals.max.get() > 0, "checkpoints were taken");
            assertEquals(layer.checkpointBytes(), totals.last.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, totals.last.get(), "closing the layer gives every byte back");
    }

    @Test
    void anArchiveLetGoWhileAMemberIsOpenStaysCountedUntilClosed() throws IOException {
        long cap = full * 3 / 2;
        Totals totals = new Totals();
        try (ArchiveLayer layer = layer(cap, totals, ArchiveOptions.builder())) {
            VfsFile held = layer.open(VfsPath.parse(member(0, 3)));
            assertEquals(full, layer.checkpointBytes());

            // g1 does not fit beside g0: the registry lets go of g0, but its open member keeps it alive.
            assertEquals(MEMBERS, layer.list(VfsPath.parse("/pub/g1.tar.gz#")).size());
            long both = layer.checkpointBytes();
            assertTrue(both <= cap && both > full, "g0 still counted, g1 thinned to the rest: " + both);
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 3), Fixtures.readRange(held, 0, MEMBER_SIZE));
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 20), Fixtures.readAll(layer, VfsPath.parse(member(1, 20))));

            held.close();
            // The next access through the registry finds g0 closed and gives its bytes back.
            layer.list(VfsPath.parse("/pub/g1.tar.gz#"));
            assertTrue(layer.checkpointBytes() == both - full, "only g1 is counted now: " + layer.checkpointBytes());
            // g2 is indexed in full beside what g1 has.
            layer.list(VfsPath.parse("/pub/g2.tar.gz#"));
            long after = layer.checkpointBytes();
            assertTrue(after >= full && after <= cap, "g2 in full (plus what is left of g1): " + after);
            assertTrue(totals.max.get() <= cap, "at most " + totals.max.get());
        }
        assertEquals(0, totals.last.get());
    }

    @Test
    void aSavedIndexIsThinnedToTheMemoryThereIs() throws IOException {
        Path dir = tmp.resolve("indexes");
        try (ArchiveLayer first = layer(64L << 20, new Totals(), ArchiveOptions.builder().indexDirectory(dir))) {
            first.list(VfsPath.parse("/pub/g3.tar.gz#"));
            assertEquals(full, first.checkpointBytes());
        }
        long cap = full / 3;
        Totals totals = new Totals();
        try (ArchiveLayer second = layer(cap, totals, ArchiveOptions.builder().indexDirectory(dir))) {
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 17), Fixtures.readAll(second, VfsPath.parse(member(3, 17))));
            long held = second.checkpointBytes();
            assertTrue(held > 0 && held <= cap, "the saved index was thinned to " + held + " of " + cap);
            assertTrue(totals.max.get() <= cap);
        }
    }

    @Test
    void noCheckpointMemoryMeansDecodingFromTheStart() throws IOException {
        Totals totals = new Totals();
        try (ArchiveLayer layer = layer(0, totals, ArchiveOptions.builder())) {
            assertArrayEquals(Fixtures.compressible(MEMBER_SIZE, 22), Fixtures.readAll(layer, VfsPath.parse(member(2, 22))));
            assertEquals(0, layer.checkpointBytes());
            assertEquals(0, totals.max.get());
        }
    }
}
