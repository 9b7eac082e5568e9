package io.mirrorfs.nio;

import io.mirrorfs.vfs.FileAttrs;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The basic and POSIX attributes of one mirror entry, read from its {@link FileAttrs}.
 *
 * <p>Write permission bits are cleared, as the FUSE mount's {@code StatMapper} does, because
 * nothing in a mirror is writable. Access and creation times equal the modification time (the
 * only time sources report). {@link #fileKey()} is null: a mirror has no inode numbers, and
 * {@link java.nio.file.Files#walk} then detects cycles through {@code isSameFile}. Immutable.
 *
 * @param attrs the entry's attributes as the VFS reported them
 */
record MirrorFileAttributes(FileAttrs attrs) implements PosixFileAttributes {

    /** The write bits cleared from every permission set. */
    private static final int WRITE_BITS = 0222;

    /** Validates the attributes. */
    MirrorFileAttributes {
        Objects.requireNonNull(attrs, "attrs");
    }

    /** Returns the permission bits shown: the source's bits without write bits (links: 0777). */
    int mode() {
        return attrs.isSymlink() ? 0777 : attrs.permissions() & 0777 & ~WRITE_BITS;
    }

    @Override
    public FileTime lastModifiedTime() {
        return FileTime.from(attrs.mtime());
    }

    @Override
    public FileTime lastAccessTime() {
        return lastModifiedTime();
    }

    @Override
    public FileTime creationTime() {
        return lastModifiedTime();
    }

    @Override
    public boolean isRegularFile() {
        return attrs.isFile();
    }

    @Override
    public boolean isDirectory() {
        return attrs.isDirectory();
    }

    @Override
    public boolean isSymbolicLink() {
        return attrs.isSymlink();
    }

    @Override
    public boolean isOther() {
        return false;
    }

    @Override
    public long size() {
        return attrs.size();
    }

    @Override
    public Object fileKey() {
        return null;
    }

    @Override
    public UserPrincipal owner() {
        return MirrorPrincipal.OWNER;
    }

    @Override
    public GroupPrincipal group() {
        return MirrorPrincipal.OWNER;
    }

    @Override
    public Set<PosixFilePermission> permissions() {
        return permissionsOf(mode());
    }

    /** Returns the permission set for the low nine bits of {@code mode}. */
    static Set<PosixFilePermission> permissionsOf(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        // PosixFilePermission is declared OWNER_READ .. OTHERS_EXECUTE, from bit 8 down to bit 0.
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                perms.add(p);
            }
        }
        return perms;
    }
}
