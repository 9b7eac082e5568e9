package io.mirrorfs.vfs.archive;

/**
 * What the archive layer's member decoders did since start-up, as shown in
 * {@code /.mirrorfs/stats}. Immutable.
 *
 * @param decoderStarts decoders started (from a member's or file's start, or from a checkpoint):
 *                      a reader going forward through a member starts one, whatever the order
 *                      in which FUSE delivers its requests
 * @param decodedBytes  decompressed bytes produced by those decoders (read-ahead included), so
 *                      that a sequential read of a member shows about its size once
 * @param aheadBytes    of those, the bytes decoded ahead of a reader on the read-ahead threads
 */
public record DecoderStats(long decoderStarts, long decodedBytes, long aheadBytes) {

    /** No decoder ever ran. */
    public static final DecoderStats NONE = new DecoderStats(0, 0, 0);
}
