package io.mirrorfs.vfs.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import io.mirrorfs.vfs.local.LocalSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deflated zip entries through the {@link ArchiveLayer}: a sequential read keeps one decoder and
 * decodes every byte once; once a reader has passed over an entry, a random read decodes about
 * one checkpoint interval before its data (the checkpoints it learned), not the entry from its
 * start; and the checkpoints' memory is given back when the archive closes.
 */
class ZipMemberDecodingTest {

    private static final long INTERVAL = 512 * 1024;
    private static final int READS = 100;

    @TempDir
    static Path tmp;
    static byte[] text;

    @BeforeAll
    static void createZip() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        text = Fixtures.compressible(12 << 20, 3);
        Files.write(src.resolve("text.bin"), text);
        Files.write(src.resolve("zeros.bin"), new byte[24 << 20]);
        Fixtures.sh(src, "zip -q -6 ../m.zip text.bin zeros.bin");
    }

    @Test
    void randomReadsAfterAPassDecodeAboutOneIntervalEach() throws IOException {
        ArchiveOptions options = ArchiveOptions.builder().checkpointInterval(INTERVAL).build();
        try (ArchiveLayer layer = new ArchiveLayer(new LocalSource(tmp, false), options)) {
            VfsPath path = VfsPath.parse("/m.zip#/text.bin");
            try (VfsFile f = layer.open(path)) {
                assertArrayEquals(text, readSequentially(f));
            }
            DecoderStats pass = layer.decoderStats();
            assertEquals(1, pass.decoderStarts(), pass.toString());
            assertEquals(text.length, pass.decodedBytes(), pass.toString());
            assertTrue(layer.checkpointBytes() > 0, "checkpoints were learned");

            Random random = new Random(9);
            try (VfsFile f = layer.open(path)) {
                for (int i = 0; i < READS; i++) {
                    int at = random.nextInt(text.length - 4096);
                    assertArrayEquals(Arrays.copyOfRange(text, at, at + 4096), Fixtures.readRange(f, at, 4096), "at " + at);
                }
            }
            long perRead = (layer.decoderStats().decodedBytes() - pass.decodedBytes()) / READS;
            // From the entry's start it would be 6 MiB on average.
            assertTrue(perRead <= INTERVAL + 2 * DecodeWindow.CHUNK, perRead + " bytes decoded per random read");

            try (VfsFile f = layer.open(VfsPath.parse("/m.zip#/zeros.bin"))) {
                assertEquals(24 << 20, readSequentially(f).length);
                for (int i = 0; i < 20; i++) {
                    int at = random.nextInt((24 << 20) - 4096);
                    assertArrayEquals(new byte[4096], Fixtures.readRange(f, at, 4096), "zeros at " + at);
                }
            }
        }
    }

    @Test
    void learnedCheckpointsAreGivenBackWhenTheArchiveCloses() throws IOException {
        long[] reported = new long[1];
        ArchiveOptions options = ArchiveOptions.builder().checkpointInterval(INTERVAL).maxOpenArchives(1).build();
        try (ArchiveLayer layer = new ArchiveLayer(new LocalSource(tmp, false), options, bytes -> reported[0] = bytes)) {
            try (VfsFile f = layer.open(VfsPath.parse("/m.zip#/text.bin"))) {
                readSequentially(f);
            }
            assertTrue(reported[0] > 0, "the learned checkpoints are counted");
            Fixtures.sh(tmp, "cp m.zip other.zip");
            layer.list(VfsPath.parse("/other.zip#/")); // the registry keeps one archive: m.zip closes
            assertEquals(0, reported[0], "m.zip's checkpoints are given back");
        }
    }

    private static byte[] readSequentially(VfsFile f) throws IOException {
        byte[] all = new byte[(int) f.attrs().size()];
        ByteBuffer b = ByteBuffer.wrap(all);
        while (b.hasRemaining()) {
            int n = f.read(b.position(), b.limit(b.position() + Math.min(128 * 1024, b.capacity() - b.position())));
            assertTrue(n > 0, "read at " + b.position());
            b.limit(b.capacity());
        }
        return all;
    }
}
