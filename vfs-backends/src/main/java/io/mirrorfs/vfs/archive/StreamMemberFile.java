package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.VfsFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A 7z member, which can only be decoded from its start by the archive's one decoder: the handle
 * keeps one stream and its position, so sequential reads decode once; a backward jump reopens.
 * Memory per handle is the decoder's state, whatever the member's declared size. Reads are
 * serialised on {@code lock} (for 7z, the archive, whose decoder is shared).
 */
final class StreamMemberFile implements VfsFile {

    /** Opens the member's decoded content from its start. */
    @FunctionalInterface
    interface Opener {
        /** Returns a new stream of the member's content. */
        InputStream open() throws IOException;
    }

    private final FileAttrs attrs;
    private final Opener opener;
    private final Object lock;
    private final Owner owner;
    private InputStream stream;
    private long position;

    /**
     * Creates a handle; {@code owner} tracks which handle last used a shared decoder (7z), or is
     * null when each stream is independent (zip).
     */
    StreamMemberFile(FileAttrs attrs, Opener opener, Object lock, Owner owner) {
        this.attrs = attrs;
        this.opener = opener;
        this.lock = lock;
        this.owner = owner;
    }

    /** Remembers which handle's stream a shared decoder currently serves. */
    static final class Owner {
        Object current;
    }

    @Override
    public FileAttrs attrs() {
        return attrs;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset >= attrs.size()) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), attrs.size() - offset);
        synchronized (lock) {
            boolean stolen = owner != null && owner.current != this;
            if (stream == null || offset < position || stolen) {
                reopen();
            }
            skip(offset - position);
            byte[] buf = new byte[want];
            int done = 0;
            while (done < want) {
                int n = stream.read(buf, done, want - done);
                if (n < 0) {
                    throw new EOFException("member data ends at " + (position + done) + " of " + attrs.size());
                }
                done += n;
            }
            position += done;
            dst.put(buf, 0, done);
            return done;
        }
    }

    private void reopen() throws IOException {
        if (stream != null) {
            stream.close();
        }
        stream = opener.open();
        position = 0;
        if (owner != null) {
            owner.current = this;
        }
    }

    private void skip(long n) throws IOException {
        byte[] scratch = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int got = stream.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (got < 0) {
                throw new EOFException("member data ends at " + position);
            }
            left -= got;
            position += got;
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (stream != null) {
                stream.close();
                stream = null;
            }
            if (owner != null && owner.current == this) {
                owner.current = null;
            }
        }
    }
}
