package io.mirrorfs.fuse;

import io.mirrorfs.vfs.FileAttrs;
import ru.serce.jnrfuse.struct.FileStat;

/** Pure functions that turn {@link FileAttrs} into {@code struct stat} fields. */
final class StatMapper {

    /** Block size reported in st_blksize: large, so that cp and friends read in big chunks. */
    static final int PREFERRED_IO_SIZE = 128 * 1024;

    private StatMapper() {
    }

    /**
     * Returns the st_mode for {@code attrs}: files 0444 plus the execute bits the source reports,
     * directories 0555, symlinks 0777. Everyone may read, so that Apache (www-data) and vsftpd
     * (ftp) can serve a mount made with {@code allow_other}; nobody may write; set-id and sticky
     * bits are dropped (a mirror must not carry set-uid programs onto the host).
     */
    static int mode(FileAttrs attrs) {
        return switch (attrs.type()) {
            case FILE -> FileStat.S_IFREG | 0444 | (attrs.permissions() & 0111);
            case DIRECTORY -> FileStat.S_IFDIR | 0555;
            case SYMLINK -> FileStat.S_IFLNK | 0777;
        };
    }

    /** Returns the number of 512-byte blocks {@code du} should count. */
    static long blocks(FileAttrs attrs) {
        return (attrs.size() + 511) / 512;
    }

    /**
     * Returns st_nlink. Directories report 1, the convention for "subdirectory count unknown" that
     * stops find(1) from skipping directories on the strength of a link count.
     */
    static int nlink(FileAttrs attrs) {
        return 1;
    }

    /** Fills {@code stat} (which arrives zeroed) from {@code attrs}, owned by {@code uid}/{@code gid}. */
    static void fill(FileAttrs attrs, FileStat stat, long uid, long gid) {
        stat.st_mode.set(mode(attrs));
        stat.st_nlink.set(nlink(attrs));
        stat.st_size.set(attrs.size());
        stat.st_blocks.set(blocks(attrs));
        stat.st_blksize.set(PREFERRED_IO_SIZE);
        stat.st_uid.set(uid);
        stat.st_gid.set(gid);
        long sec = attrs.mtime().getEpochSecond();
        int nsec = attrs.mtime().getNano();
        stat.st_mtim.tv_sec.set(sec);
        stat.st_mtim.tv_nsec.set(nsec);
        stat.st_ctim.tv_sec.set(sec);
        stat.st_ctim.tv_nsec.set(nsec);
        stat.st_atim.tv_sec.set(sec);
        stat.st_atim.tv_nsec.set(nsec);
    }
}
