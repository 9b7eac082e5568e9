package io.mirrorfs.nio;

import io.mirrorfs.vfs.DirEntry;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The entries of one directory listing, as {@code dir.resolve(name)} paths passing a filter.
 *
 * <p>The listing is fetched when the stream is opened (so a missing or non-directory path fails
 * there, as {@link java.nio.file.Files#newDirectoryStream} promises), then iterated once. After
 * {@link #close} the iterator behaves as if the end was reached. Not thread-safe for iteration,
 * like the JDK's own directory streams; {@link #close} may be called from any thread.
 */
final class MirrorDirectoryStream implements DirectoryStream<Path> {

    private final MirrorPath dir;
    private final List<DirEntry> entries;
    private final Filter<? super Path> filter;
    private final Runnable onClose;
    private volatile boolean closed;
    private boolean iteratorReturned;

    /** Creates a stream over {@code entries} of {@code dir}; {@code onClose} runs once on close. */
    MirrorDirectoryStream(MirrorPath dir, List<DirEntry> entries, Filter<? super Path> filter, Runnable onClose) {
        this.dir = dir;
        this.entries = List.copyOf(entries);
        this.filter = filter;
        this.onClose = onClose;
    }

    @Override
    public Iterator<Path> iterator() {
        if (closed) {
            throw new IllegalStateException("directory stream of " + dir + " is closed");
        }
        if (iteratorReturned) {
            throw new IllegalStateException("the iterator of the directory stream of " + dir + " was already returned");
        }
        iteratorReturned = true;
        return new Iterator<>() {
            private int index;
            private Path next;

            @Override
            public boolean hasNext() {
                while (next == null && !closed && index < entries.size()) {
                    Path candidate = dir.resolve(entries.get(index++).name());
                    if (accepts(candidate)) {
                        next = candidate;
                    }
                }
                return next != null && !closed;
            }

            @Override
            public Path next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Path p = next;
                next = null;
                return p;
            }
        };
    }

    private boolean accepts(Path candidate) {
        try {
            return filter.accept(candidate);
        } catch (IOException e) {
            throw new DirectoryIteratorException(e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }
}
