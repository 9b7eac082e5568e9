package io.mirrorfs.cache;

import io.mirrorfs.vfs.archive.DecodedStore;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where decoded copies go without a disk tier ({@code --no-cache-dir}): a private temporary
 * directory, created on the first copy, bounded like the disk tier would be, and removed by
 * {@link #close} (and at JVM exit). Without it an archive that cannot be read at random (a
 * single-block xz) is decoded from its start for every member read out of order: a 72 MB
 * package took more than 15 minutes to walk that way.
 *
 * <p>Thread-safe.
 */
final class TemporaryDecodedStore implements DecodedStore, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TemporaryDecodedStore.class.getName());

    private final long maxBytes;
    /** Guarded by {@code this}. */
    private DiskStore store;
    private Path dir;
    private boolean closed;

    TemporaryDecodedStore(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public Optional<byte[]> read(String key) {
        DiskStore s = current();
        return s == null ? Optional.empty() : s.read(key);
    }

    @Override
    public boolean contains(String key) {
        DiskStore s = current();
        return s != null && s.contains(key);
    }

    @Override
    public void write(String key, byte[] payload) throws IOException {
        created().write(key, payload);
    }

    @Override
    public long capacity() {
        return maxBytes;
    }

    @Override
    public String description() {
        synchronized (this) {
            return "a private temporary directory " + (dir == null ? "" : dir + " ") + "(--no-cache-dir: removed at exit)";
        }
    }

    /** Removes the directory and everything in it. */
    @Override
    public void close() {
        Path d;
        synchronized (this) {
            closed = true;
            d = dir;
            if (store != null) {
                store.close();
            }
            store = null;
            dir = null;
        }
        if (d != null) {
            deleteTree(d);
        }
    }

    private synchronized DiskStore current() {
        return store;
    }

    private synchronized DiskStore created() throws IOException {
        if (closed) {
            throw new IOException("the mirror is closing");
        }
        if (store == null) {
            Path d = Files.createTempDirectory("mirrorfs-decoded-");
            store = DiskStore.open(d, maxBytes);
            dir = d;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d), "mirrorfs-decoded-cleanup"));
        }
        return store;
    }

    private static void deleteTree(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove the temporary directory " + d + ": " + e);
        }
    }
}
