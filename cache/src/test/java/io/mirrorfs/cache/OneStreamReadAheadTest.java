package io.mirrorfs.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.mirrorfs.testing.ForwardingVfs;
import io.mirrorfs.testing.ForwardingVfsFile;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Read-ahead over a source whose transfers cannot end where asked (FTP's RETR runs to the end of
 * the file unless stopped): a reader that needs a block queued behind the one the read-ahead is
 * fetching waits for that one stream to reach it, instead of fetching it itself, which would read
 * the file at a second offset at once (on FTP, a second RETR). Real threads, and a gate that holds
 * the read-ahead inside its first fetch while the reader asks for the next block.
 */
class OneStreamReadAheadTest {

    private static final int BLOCK = 64 << 10;
    private static final VfsPath FILE = VfsPath.parse("/d/big.bin");
    private static final byte[] DATA = CountingSource.pattern(16 * BLOCK, 5);

    private final CountingSource source = new CountingSource().put("/d/big.bin", DATA);
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final CountDownLatch inGate = new CountDownLatch(1);
    private final CountDownLatch openGate = new CountDownLatch(1);
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger concurrentReads = new AtomicInteger();
    private BlockCache cache;

    @AfterEach
    void close() throws IOException {
        openGate.countDown();
        executor.shutdownNow();
        if (cache != null) {
            cache.close();
        }
    }

    /** A handle like FTP's: no range ends; it counts reads that overlap another read of it, and holds the read of block 2. */
    private final class EndlessFile extends ForwardingVfsFile {
        EndlessFile(VfsFile delegate) {
            super(delegate);
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            if (active.incrementAndGet() > 1) {
                concurrentReads.incrementAndGet();
            }
            try {
                if (offset == 2L * BLOCK) {
                    inGate.countDown();
                    if (!openGate.await(10, TimeUnit.SECONDS)) {
                        throw new IOException("gate never opened");
                    }
                }
                return super.read(offset, dst);
            } catch (InterruptedException e) {
                throw new InterruptedIOException();
            } finally {
                active.decrementAndGet();
            }
        }

        @Override
        public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
            return read(offset, dst);
        }

        @Override
        public boolean rangesHaveEnds() {
            return false;
        }
    }

    @Test
    void aReaderWaitsForTheOneStreamInsteadOfReadingAtASecondOffset() throws Exception {
        CacheConfig config = CacheConfig.builder().blockSize(BLOCK).randomFetchSize(16 << 10).maxBytes(8L << 20).readAheadBlocks(4).build();
        cache = BlockCache.create(config, executor, Ticker.systemTicker());
        CachingVfs vfs = new CachingVfs(ForwardingVfs.wrappingFiles(source, EndlessFile::new), "/=mem:", cache, 8);
        try (VfsFile f = vfs.open(FILE)) {
            byte[] first = new byte[2 * BLOCK];
            f.read(0, ByteBuffer.wrap(first, 0, BLOCK)); // blocks 0 and 1 on demand, then 2.. queued as read-ahead
            f.read(BLOCK, ByteBuffer.wrap(first, BLOCK, BLOCK));
            assertTrue(inGate.await(10, TimeUnit.SECONDS), "the read-ahead reached block 2");
            CompletableFuture<byte[]> next = CompletableFuture.supplyAsync(() -> {
                ByteBuffer b = ByteBuffer.allocate(BLOCK);
                try {
                    f.read(3L * BLOCK, b); // queued behind block 2
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return b.array();
            });
            Thread.sleep(300); // time for the reader to take block 2 itself, if it would
            openGate.countDown();
            assertArrayEquals(Arrays.copyOfRange(DATA, 3 * BLOCK, 4 * BLOCK), next.get(10, TimeUnit.SECONDS));
            assertArrayEquals(Arrays.copyOfRange(DATA, 0, 2 * BLOCK), first);
        }
        assertEquals(0, concurrentReads.get(), "no read of the file started while another was running");
    }
}
