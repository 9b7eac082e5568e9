package io.mirrorfs.fuse;

import io.mirrorfs.cache.ZeroCopyReadable;
import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import jnr.ffi.Pointer;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE callbacks: each one resolves the path, delegates to the {@link Vfs} and maps failures
 * through {@link Errno}. Nothing escapes into native code. Every mutating call answers EROFS.
 *
 * <p>libfuse 2 calls these from several native threads at once; all state is in the thread-safe
 * {@link OpenFileTable} and the (thread-safe) Vfs.
 */
class MirrorFs extends FuseStubFS {

    private static final System.Logger LOG = System.getLogger(MirrorFs.class.getName());
    /**
     * The longest name, in bytes, a directory entry may have: Linux's NAME_MAX. Such a name could
     * not be looked up anyway (ENAMETOOLONG), and the kernel rejects a FUSE listing holding a
     * longer one as a whole (fs/fuse/readdir.c: namelen over FUSE_NAME_MAX is EIO).
     */
    static final int NAME_MAX = 255;

    /** Linux open(2) flag bits (asm-generic/fcntl.h). */
    private static final int O_ACCMODE = 03;
    private static final int O_RDONLY = 0;
    private static final int O_TRUNC = 01000;

    private final Vfs vfs;
    private final long uid;
    private final long gid;
    private final String fsName;
    private final MountListener listener;
    private final OpenFileTable files = new OpenFileTable();
    private final FuseMetrics metrics;

    /** Callbacks for the mount's lifecycle, invoked on FUSE threads. */
    interface MountListener {
        /** FUSE_INIT arrived: the kernel mount is live. */
        void mounted();

        /** The session ended (unmount). */
        void unmounted();
    }

    MirrorFs(Vfs vfs, long uid, long gid, String fsName, MountListener listener) {
        this(vfs, uid, gid, fsName, listener, FuseMetrics.disabled());
    }

    /** As the other constructor, counting every callback in {@code metrics}. */
    MirrorFs(Vfs vfs, long uid, long gid, String fsName, MountListener listener, FuseMetrics metrics) {
        this.metrics = metrics;
        metrics.countOpenHandles(files::size);
        this.vfs = vfs;
        this.uid = uid;
        this.gid = gid;
        this.fsName = fsName;
        this.listener = listener;
    }

    @Override
    protected String getFSName() {
        return fsName;
    }

    /** Returns the name the mount shows (fsname, subtype). */
    String fsName() {
        return fsName;
    }

    /** Returns the libfuse operations table, filled with this file system's callbacks, for {@link FuseSession}. */
    FuseOperations operations() {
        return fuseOperations;
    }

    @Override
    public Pointer init(Pointer conn) {
        metrics.mounted(true);
        try {
            listener.mounted();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "mount listener failed", t);
        }
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        metrics.mounted(false);
        try {
            listener.unmounted();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "unmount listener failed", t);
        }
    }

    @Override
    public int getattr(String path, FileStat stat) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.GETATTR, start, getattrUnmeasured(path, stat));
    }

    private int getattrUnmeasured(String path, FileStat stat) {
        try {
            FileAttrs attrs = vfs.stat(VfsPath.parse(path));
            StatMapper.fill(attrs, stat, uid, gid);
            return 0;
        } catch (Throwable t) {
            return Errno.of(t, "stat", path);
        }
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.FGETATTR, start, fgetattrUnmeasured(path, stat, fi));
    }

    private int fgetattrUnmeasured(String path, FileStat stat, FuseFileInfo fi) {
        try {
            Optional<VfsFile> file = files.get(fi.fh.get());
            if (file.isEmpty()) {
                return getattrUnmeasured(path, stat);
            }
            StatMapper.fill(file.get().attrs(), stat, uid, gid);
            return 0;
        } catch (Throwable t) {
            return Errno.of(t, "fstat", path);
        }
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.READLINK, start, readlinkUnmeasured(path, buf, size));
    }

    private int readlinkUnmeasured(String path, Pointer buf, @size_t long size) {
        try {
            byte[] target = vfs.readlink(VfsPath.parse(path)).getBytes(StandardCharsets.UTF_8);
            // readlink(2) truncates silently; libfuse wants a NUL-terminated string in size bytes.
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        } catch (Throwable t) {
            return Errno.of(t, "readlink", path);
        }
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.OPENDIR, start, opendirUnmeasured(path, fi));
    }

    private int opendirUnmeasured(String path, FuseFileInfo fi) {
        try {
            FileAttrs attrs = vfs.stat(VfsPath.parse(path));
            return attrs.isDirectory() ? 0 : -ErrorCodes.ENOTDIR();
        } catch (Throwable t) {
            return Errno.of(t, "opendir", path);
        }
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.READDIR, start, readdirUnmeasured(path, buf, filler, offset, fi));
    }

    private int readdirUnmeasured(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        try {
            List<DirEntry> entries = vfs.list(VfsPath.parse(path));
            // Offset 0 for every entry: libfuse collects the whole listing in this one call.
            fill(filler, buf, ".");
            fill(filler, buf, "..");
            int tooLong = 0;
            for (DirEntry e : entries) {
                byte[] utf8 = e.name().getBytes(StandardCharsets.UTF_8);
                if (utf8.length > NAME_MAX) {
                    tooLong++; // the kernel fails the whole listing (EIO) for a name over its limit
                    continue;
                }
                if (fill(filler, buf, utf8) != 0) {
                    break;
                }
            }
            if (tooLong > 0) {
                LOG.log(System.Logger.Level.WARNING, "readdir " + path + ": skipped " + tooLong
                        + " entries whose names are longer than " + NAME_MAX + " bytes");
            }
            return 0;
        } catch (Throwable t) {
            return Errno.of(t, "readdir", path);
        }
    }

    private static int fill(FuseFillDir filler, Pointer buf, String name) {
        return fill(filler, buf, name.getBytes(StandardCharsets.UTF_8));
    }

    private static int fill(FuseFillDir filler, Pointer buf, byte[] utf8) {
        ByteBuffer cString = ByteBuffer.allocate(utf8.length + 1).put(utf8).put((byte) 0).flip();
        return filler.apply(buf, cString, null, 0);
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.OPEN, start, openUnmeasured(path, fi));
    }

    private int openUnmeasured(String path, FuseFileInfo fi) {
        try {
            int flags = fi.flags.get();
            if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0) {
                return -ErrorCodes.EROFS();
            }
            VfsFile file = vfs.open(VfsPath.parse(path));
            fi.fh.set(files.add(file));
            return 0;
        } catch (Throwable t) {
            return Errno.of(t, "open", path);
        }
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.READ, start, readUnmeasured(path, buf, size, offset, fi));
    }

    private int readUnmeasured(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        try {
            Optional<VfsFile> file = files.get(fi.fh.get());
            if (file.isEmpty()) {
                return -ErrorCodes.EBADF();
            }
            if (file.get() instanceof ZeroCopyReadable direct) {
                // Straight from the cached block to the kernel's buffer: no heap buffer per read.
                int n = direct.read(offset, (int) Math.min(size, Integer.MAX_VALUE), buf::put);
                return Math.max(n, 0);
            }
            ByteBuffer data = ByteBuffer.allocate((int) Math.min(size, Integer.MAX_VALUE));
            while (data.hasRemaining()) {
                int n = file.get().read(offset + data.position(), data);
                if (n <= 0) {
                    break;
                }
            }
            buf.put(0, data.array(), 0, data.position());
            return data.position();
        } catch (Throwable t) {
            return Errno.of(t, "read", path);
        }
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.RELEASE, start, releaseUnmeasured(path, fi));
    }

    private int releaseUnmeasured(String path, FuseFileInfo fi) {
        try {
            Optional<VfsFile> file = files.remove(fi.fh.get());
            if (file.isPresent()) {
                file.get().close();
            }
            return 0;
        } catch (Throwable t) {
            return Errno.of(t, "release", path);
        }
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int statfs(String path, Statvfs stbuf) {
        long start = metrics.start();
        return metrics.done(FuseMetrics.Op.STATFS, start, statfsUnmeasured(path, stbuf));
    }

    private int statfsUnmeasured(String path, Statvfs stbuf) {
        try {
            stbuf.f_bsize.set(StatMapper.PREFERRED_IO_SIZE);
            stbuf.f_frsize.set(4096);
            stbuf.f_namemax.set(255);
            // A read-only mirror has no free space; sizes are not known without walking it.
            stbuf.f_blocks.set(0);
            stbuf.f_bfree.set(0);
            stbuf.f_bavail.set(0);
            return 0;
        } catch (Throwable t) {
            return Errno.of(t, "statfs", path);
        }
    }

    /** Returns the number of files open through this mount. */
    int openFileCount() {
        return files.size();
    }

    // ---- Every mutating operation: the mirror is read-only. ----

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int mknod(String path, @mode_t long mode, long rdev) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int unlink(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rmdir(String path) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int link(String oldpath, String newpath) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int removexattr(String path, String name) {
        return -ErrorCodes.EROFS();
    }

    @Override
    public int fallocate(String path, int mode, @off_t long off, @off_t long length, FuseFileInfo fi) {
        return -ErrorCodes.EROFS();
    }
}
