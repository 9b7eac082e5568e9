package io.mirrorfs.cache;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per disk-tier directory: an exclusive {@code fcntl} lock on {@code DIR/lock}, which
 * the kernel releases when the process exits in any way (even {@code kill -9}), so a stale lock
 * never blocks a restart. The file holds the owner's pid, for the error message only.
 */
final class DirectoryLock implements Closeable {

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code dir} (created if needed).
     *
     * @throws IOException with a one-line message when another process (or this one) holds it
     */
    static DirectoryLock take(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        }
        if (lock == null) {
            String owner = Files.readString(file, StandardCharsets.US_ASCII).trim();
            ch.close();
            throw new IOException("cache directory " + dir + " is in use by another mirrorfs" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                    + ": give this mirror its own --cache-dir, or use --no-cache-dir");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        return new DirectoryLock(ch, lock);
    }

    /** Releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
