package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.VfsFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A handle on a member compressed on its own (a deflated, bzip2, xz or zstd zip entry): its
 * decoded bytes through a {@link DecodedView} of the handle's own, closed with the handle. The
 * view's size is the declared size, so decoding stops there (a bomb yields no more than it
 * declared) and data ending before it fails the read that reaches the end. Thread-safe.
 */
final class DecodedMemberFile implements VfsFile {

    private final FileAttrs attrs;
    private final DecodedView view;

    /** Creates a handle on a member of {@code attrs.size()} bytes decoded by {@code cursors}, from {@code pool}. */
    DecodedMemberFile(FileAttrs attrs, DecodedCursor.Factory cursors, ForwardDecoders pool) {
        this.attrs = attrs;
        this.view = new DecodedView(cursors, attrs.size(), pool);
    }

    @Override
    public FileAttrs attrs() {
        return attrs;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return view.read(offset, dst);
    }

    @Override
    public void close() {
        view.close();
    }
}
