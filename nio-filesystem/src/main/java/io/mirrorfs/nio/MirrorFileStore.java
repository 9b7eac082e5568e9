package io.mirrorfs.nio;

import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * The one store of a mirror: read-only, type {@code mirrorfs}, named after the VFS it serves.
 *
 * <p>Space figures are 0: remote sources have no meaningful capacity, and a mirror accepts no
 * writes anyway (the FUSE mount reports the same through {@code statfs}). Immutable.
 */
final class MirrorFileStore extends FileStore {

    private final String name;

    /** Creates the store called {@code name}, such as the VFS's description. */
    MirrorFileStore(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "mirrorfs";
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public long getTotalSpace() {
        return 0;
    }

    @Override
    public long getUsableSpace() {
        return 0;
    }

    @Override
    public long getUnallocatedSpace() {
        return 0;
    }

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
        return type == BasicFileAttributeView.class || type == FileOwnerAttributeView.class
                || type == PosixFileAttributeView.class;
    }

    @Override
    public boolean supportsFileAttributeView(String viewName) {
        return AttributeMaps.VIEWS.contains(viewName);
    }

    /** Returns null: a mirror's store has no attribute views of its own. */
    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
        return null;
    }

    /**
     * Returns {@code totalSpace}, {@code usableSpace} or {@code unallocatedSpace} (all 0).
     *
     * @throws UnsupportedOperationException for any other attribute
     */
    @Override
    public Object getAttribute(String attribute) {
        return switch (attribute) {
            case "totalSpace", "usableSpace", "unallocatedSpace" -> 0L;
            default -> throw new UnsupportedOperationException("file store attribute '" + attribute + "' is not available");
        };
    }

    @Override
    public String toString() {
        return name + " (mirrorfs, read-only)";
    }
}
