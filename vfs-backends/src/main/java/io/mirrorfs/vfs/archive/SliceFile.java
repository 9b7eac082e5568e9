package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.VfsFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A member stored contiguously (or as sparse chunks) in the archive's (decompressed) data: reads
 * map to reads of that range, so nothing before or after the member is touched. Sparse holes read
 * as zeros. Every read tells the data where the member's stored bytes end
 * ({@link RandomAccessBytes#readWithin}), so a cache or HTTP source below fetches ahead no further
 * than the member (a reader of this handle that passes its own end, a nested archive's member,
 * is bounded by the nearer of the two). Thread-safe (the data is).
 */
final class SliceFile implements VfsFile {

    private final RandomAccessBytes data;
    private final Member member;
    private final FileAttrs attrs;
    private final long[] storedStarts;

    /** Creates a handle on {@code member} within {@code data}. */
    SliceFile(RandomAccessBytes data, Member member, FileAttrs attrs) {
        this.data = data;
        this.member = member;
        this.attrs = attrs;
        long[] sparse = member.sparse();
        storedStarts = new long[sparse.length / 2];
        long at = member.offset();
        for (int i = 0; i < storedStarts.length; i++) {
            storedStarts[i] = at;
            at += sparse[2 * i + 1];
        }
    }

    @Override
    public FileAttrs attrs() {
        return attrs;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return readWithin(offset, dst, Long.MAX_VALUE);
    }

    @Override
    public int readWithin(long offset, ByteBuffer dst, long readerEnd) throws IOException {
        if (offset >= member.size()) {
            return -1;
        }
        int want = (int) Math.min(dst.remaining(), member.size() - offset);
        if (want == 0) {
            return 0;
        }
        long storedEnd = storedEnd(Math.min(readerEnd, member.size()));
        if (storedStarts.length == 0) {
            int before = dst.limit();
            dst.limit(dst.position() + want);
            try {
                data.readFullyWithin(member.offset() + offset, dst, storedEnd);
            } finally {
                dst.limit(before);
            }
            return want;
        }
        readSparse(offset, dst, want, storedEnd);
        return want;
    }

    /** Returns where, in the data, the stored bytes of the member's first {@code end} bytes end. */
    private long storedEnd(long end) {
        if (end <= 0) {
            return member.offset();
        }
        if (storedStarts.length == 0) {
            return member.offset() + end;
        }
        long[] map = member.sparse();
        int chunk = chunkAtOrAfter(end - 1);
        if (chunk == storedStarts.length) {
            return storedStarts[chunk - 1] + map[2 * chunk - 1];
        }
        return storedStarts[chunk] + Math.max(0, end - map[2 * chunk]);
    }

    private void readSparse(long offset, ByteBuffer dst, int want, long storedEnd) throws IOException {
        long[] map = member.sparse();
        long pos = offset;
        long end = offset + want;
        int before = dst.limit();
        try {
            while (pos < end) {
                int chunk = chunkAtOrAfter(pos);
                long chunkStart = chunk < storedStarts.length ? map[2 * chunk] : end;
                if (pos < chunkStart) {
                    long zeros = Math.min(chunkStart, end) - pos;
                    for (long i = 0; i < zeros; i++) {
                        dst.put((byte) 0);
                    }
                    pos += zeros;
                    continue;
                }
                long chunkEnd = Math.min(end, chunkStart + map[2 * chunk + 1]);
                dst.limit(dst.position() + (int) (chunkEnd - pos));
                data.readFullyWithin(storedStarts[chunk] + (pos - chunkStart), dst, storedEnd);
                dst.limit(before);
                pos = chunkEnd;
            }
        } finally {
            dst.limit(before);
        }
    }

    /** Returns the first chunk that ends after {@code pos} (the one holding it, or the next). */
    private int chunkAtOrAfter(long pos) {
        long[] map = member.sparse();
        int lo = 0;
        int hi = storedStarts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (map[2 * mid] + map[2 * mid + 1] <= pos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public void close() {
        // the archive owns the data
    }
}
