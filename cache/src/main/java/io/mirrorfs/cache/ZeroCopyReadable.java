package io.mirrorfs.cache;

import java.io.IOException;

/**
 * A file whose cached bytes can be handed straight to a destination (such as FUSE's native
 * buffer) without an intermediate heap buffer. {@link CachingVfs} handles implement it; the FUSE
 * edge uses it when present and falls back to {@link io.mirrorfs.vfs.VfsFile#read} otherwise.
 */
public interface ZeroCopyReadable {

    /**
     * Delivers up to {@code length} bytes starting at file offset {@code offset} to {@code sink},
     * in one or more slices in file order, and returns the number of bytes delivered; -1 when
     * {@code offset} is at or past the end. Same thread-safety and failures as
     * {@link io.mirrorfs.vfs.VfsFile#read}.
     */
    int read(long offset, int length, ByteSink sink) throws IOException;

    /** Receives one slice: {@code length} bytes of {@code src} from {@code srcOffset}, for destination offset {@code dstOffset}. */
    @FunctionalInterface
    interface ByteSink {
        /** Copies the slice; must not keep a reference to {@code src}, which the cache shares. */
        void put(int dstOffset, byte[] src, int srcOffset, int length);
    }
}
