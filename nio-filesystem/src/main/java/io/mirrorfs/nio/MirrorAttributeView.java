package io.mirrorfs.nio;

import java.io.IOException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The basic, owner and POSIX attribute views of one path: reads look the path up each time they
 * are called (a view may outlive the file, as the {@link java.nio.file.attribute} contract
 * allows); every setter throws {@link ReadOnlyFileSystemException}. Immutable and thread-safe.
 */
final class MirrorAttributeView implements PosixFileAttributeView {

    private final String name;
    private final MirrorPath path;
    private final boolean followLinks;

    private MirrorAttributeView(String name, MirrorPath path, boolean followLinks) {
        this.name = name;
        this.path = path;
        this.followLinks = followLinks;
    }

    /** Returns a view of {@code type} for {@code path}, or null when a mirror has no such view. */
    static <V> V of(Class<V> type, MirrorPath path, boolean followLinks) {
        String viewName;
        if (type == BasicFileAttributeView.class) {
            viewName = "basic";
        } else if (type == FileOwnerAttributeView.class) {
            viewName = "owner";
        } else if (type == PosixFileAttributeView.class) {
            viewName = "posix";
        } else {
            return null;
        }
        return type.cast(new MirrorAttributeView(viewName, path, followLinks));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PosixFileAttributes readAttributes() throws IOException {
        return path.getFileSystem().lookUpAttributes(path, followLinks);
    }

    @Override
    public UserPrincipal getOwner() throws IOException {
        return readAttributes().owner();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime) {
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void setPermissions(Set<PosixFilePermission> perms) {
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void setOwner(UserPrincipal owner) {
        throw new ReadOnlyFileSystemException();
    }

    /** Always throws {@link ReadOnlyFileSystemException}. */
    @Override
    public void setGroup(GroupPrincipal group) {
        throw new ReadOnlyFileSystemException();
    }
}
