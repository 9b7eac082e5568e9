package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.VfsFile;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An indexed archive with the resources it reads through (the archive file's handle, decoders),
 * reference-counted: the registry holds one reference while the archive is cached and every open
 * member handle holds one, so evicting an archive never breaks a read in progress. Thread-safe.
 */
final class OpenArchive {

    private static final System.Logger LOG = System.getLogger(ArchiveLayer.class.getName());

    private final ArchiveFormat format;
    private final ArchiveTree tree;
    private final long weight;
    private final List<Closeable> resources;
    private int references = 1;

    /** Creates an archive with one reference (the creator's), closing {@code resources} at the last release. */
    OpenArchive(ArchiveFormat format, ArchiveTree tree, long weight, List<Closeable> resources) {
        this.format = format;
        this.tree = tree;
        this.weight = weight;
        this.resources = List.copyOf(resources);
    }

    /** Returns the entries as a tree. */
    ArchiveTree tree() {
        return tree;
    }

    /** Returns the format. */
    ArchiveFormat format() {
        return format;
    }

    /** Returns the heap bytes counted against the checkpoint budget. */
    long weight() {
        return weight;
    }

    /** Adds a reference; returns false if the archive was already closed. */
    synchronized boolean retain() {
        if (references == 0) {
            return false;
        }
        references++;
        return true;
    }

    /** Drops a reference, closing the resources when it was the last. */
    void release() {
        synchronized (this) {
            if (references == 0 || --references > 0) {
                return;
            }
        }
        for (Closeable c : resources) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing " + tree.describe() + ": " + e);
            }
        }
    }

    /** Wraps {@code file} (already counted by a {@link #retain}) so that closing it releases this archive once. */
    VfsFile releasingOnClose(VfsFile file) {
        return new VfsFile() {
            private boolean closed;

            @Override
            public FileAttrs attrs() {
                return file.attrs();
            }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                return file.read(offset, dst);
            }

            @Override
            public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
                return file.readWithin(offset, dst, readerEnd);
            }

            @Override
            public void close() throws IOException {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                }
                try {
                    file.close();
                } finally {
                    release();
                }
            }
        };
    }
}
