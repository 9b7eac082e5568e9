package io.mirrorfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirrorfs.vfs.MemoryVfs;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/** The adapter exercised by calling its callbacks directly, as libfuse would, without a kernel. */
class MirrorFsTest {

    private static final Runtime RT = Runtime.getSystemRuntime();
    private static final int ENOENT = 2;
    private static final int EIO = 5;
    private static final int EBADF = 9;
    private static final int EISDIR = 21;
    private static final int ENOTDIR = 20;
    private static final int EROFS = 30;

    private final byte[] data = bytes(300_000);
    private final MemoryVfs vfs = new MemoryVfs("t")
            .file("/dir/data.bin", data, Instant.parse("2024-03-04T05:06:07.5Z"))
            .file("/ünï ✓.txt", "utf")
            .symlink("/link", "dir/data.bin");
    private final MirrorFs fs = new MirrorFs(vfs, 1234, 5678, "mirrorfs", new MirrorFs.MountListener() {
        @Override
        public void mounted() {
        }

        @Override
        public void unmounted() {
        }
    });

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private static FileStat stat() {
        return FileStat.of(Memory.allocateDirect(RT, 512));
    }

    private static FuseFileInfo fileInfo(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(RT, 256));
        fi.flags.set(flags);
        return fi;
    }

    @Test
    void getattrFillsModeOwnerSizeAndTimes() {
        FileStat st = stat();
        assertEquals(0, fs.getattr("/dir/data.bin", st));
        assertEquals(FileStat.S_IFREG | 0444, st.st_mode.intValue(), "write bits cleared");
        assertEquals(300_000, st.st_size.longValue());
        assertEquals((300_000 + 511) / 512, st.st_blocks.longValue());
        assertEquals(1234, st.st_uid.longValue());
        assertEquals(5678, st.st_gid.longValue());
        assertEquals(Instant.parse("2024-03-04T05:06:07Z").getEpochSecond(), st.st_mtim.tv_sec.longValue());
        assertEquals(500_000_000, st.st_mtim.tv_nsec.longValue());
        FileStat dir = stat();
        assertEquals(0, fs.getattr("/dir", dir));
        assertEquals(FileStat.S_IFDIR | 0555, dir.st_mode.intValue());
        FileStat link = stat();
        assertEquals(0, fs.getattr("/link", link));
        assertEquals(FileStat.S_IFLNK | 0777, link.st_mode.intValue());
    }

    @Test
    void missingPathsAreEnoentAndDeadSourcesEio() {
        assertEquals(-ENOENT, fs.getattr("/nope", stat()));
        vfs.failWith(new ConnectException("Connection refused"));
        assertEquals(-EIO, fs.getattr("/dir", stat()));
        assertEquals(-EIO, fs.readdir("/", Memory.allocateDirect(RT, 8), collector(new ArrayList<>()), 0, fileInfo(0)));
    }

    private static FuseFillDir collector(List<String> names) {
        return (Pointer buf, ByteBuffer name, Pointer stbuf, long off) -> {
            byte[] raw = new byte[name.remaining()];
            name.duplicate().get(raw);
            assertEquals(0, raw[raw.length - 1], "names are NUL-terminated");
            names.add(new String(raw, 0, raw.length - 1, StandardCharsets.UTF_8));
            return 0;
        };
    }

    @Test
    void readdirListsDotsAndUtf8Names() {
        List<String> names = new ArrayList<>();
        assertEquals(0, fs.readdir("/", Memory.allocateDirect(RT, 8), collector(names), 0, fileInfo(0)));
        assertEquals(List.of(".", "..", "dir", "link", "ünï ✓.txt"), names.stream().sorted().toList());
        assertEquals(-ENOTDIR, fs.readdir("/link", Memory.allocateDirect(RT, 8), collector(new ArrayList<>()), 0, fileInfo(0)));
        assertEquals(-ENOTDIR, fs.opendir("/dir/data.bin", fileInfo(0)));
    }

    @Test
    void openReadReleaseServeRanges() {
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, fs.open("/dir/data.bin", fi));
        Pointer buf = Memory.allocateDirect(RT, 131072);
        assertEquals(131072, fs.read("/dir/data.bin", buf, 131072, 1000, fi));
        byte[] got = new byte[131072];
        buf.get(0, got, 0, got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(data[1000 + i], got[i], "byte " + (1000 + i));
        }
        assertEquals(300_000 - 250_000, fs.read("/dir/data.bin", buf, 131072, 250_000, fi), "short read at EOF");
        assertEquals(0, fs.read("/dir/data.bin", buf, 131072, 300_000, fi), "0 past EOF");
        assertEquals(1, fs.openFileCount());
        assertEquals(0, fs.release("/dir/data.bin", fi));
        assertEquals(0, fs.openFileCount());
        assertEquals(-EBADF, fs.read("/dir/data.bin", buf, 10, 0, fi), "released handle");
    }

    @Test
    void aChangedUpstreamFileFailsTheHandleWithEio() {
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, fs.open("/dir/data.bin", fi));
        vfs.file("/dir/data.bin", bytes(10), Instant.now());
        assertEquals(-EIO, fs.read("/dir/data.bin", Memory.allocateDirect(RT, 16), 16, 0, fi));
        fs.release("/dir/data.bin", fi);
    }

    @Test
    void openForWritingAndEveryMutationIsErofs() {
        final int oWronly = 1;
        final int oRdwr = 2;
        final int oTrunc = 01000;
        assertEquals(-EROFS, fs.open("/dir/data.bin", fileInfo(oWronly)));
        assertEquals(-EROFS, fs.open("/dir/data.bin", fileInfo(oRdwr)));
        assertEquals(-EROFS, fs.open("/dir/data.bin", fileInfo(oTrunc)));
        Pointer p = Memory.allocateDirect(RT, 8);
        FuseFileInfo fi = fileInfo(0);
        int[] results = {
            fs.write("/x", p, 1, 0, fi), fs.create("/x", 0644, fi), fs.mknod("/x", 0644, 0), fs.mkdir("/x", 0755),
            fs.unlink("/dir/data.bin"), fs.rmdir("/dir"), fs.symlink("a", "/x"), fs.rename("/dir", "/y"),
            fs.link("/dir/data.bin", "/x"), fs.chmod("/dir", 0777), fs.chown("/dir", 0, 0), fs.truncate("/dir/data.bin", 0),
            fs.ftruncate("/dir/data.bin", 0, fi), fs.utimens("/dir", null), fs.setxattr("/dir", "user.x", p, 1, 0),
            fs.removexattr("/dir", "user.x"), fs.fallocate("/dir/data.bin", 0, 0, 1, fi),
        };
        for (int r : results) {
            assertEquals(-EROFS, r);
        }
        assertEquals(0, vfs.openCount(), "no mutation reached the source");
        assertEquals(-EISDIR, fs.open("/dir", fileInfo(0)));
    }

    @Test
    void readlinkTruncatesAndTerminates() {
        Pointer buf = Memory.allocateDirect(RT, 64);
        assertEquals(0, fs.readlink("/link", buf, 64));
        assertEquals("dir/data.bin", buf.getString(0, 64, StandardCharsets.UTF_8));
        assertEquals(0, fs.readlink("/link", buf, 4));
        assertEquals("dir", buf.getString(0, 64, StandardCharsets.UTF_8));
        assertEquals(-22, fs.readlink("/dir", buf, 64), "EINVAL for a non-link");
    }

    @Test
    void statfsReportsReadOnlyGeometry() {
        Statvfs st = Statvfs.of(Memory.allocateDirect(RT, 512));
        assertEquals(0, fs.statfs("/", st));
        assertEquals(255, st.f_namemax.longValue());
        assertTrue(st.f_bsize.longValue() > 0);
    }

    @Test
    void aBugInTheVfsNeverEscapesIntoNativeCode() {
        io.mirrorfs.vfs.Vfs buggy = new io.mirrorfs.vfs.Vfs() {
            @Override
            public io.mirrorfs.vfs.FileAttrs stat(io.mirrorfs.vfs.VfsPath path) {
                throw new NullPointerException("bug");
            }

            @Override
            public List<io.mirrorfs.vfs.DirEntry> list(io.mirrorfs.vfs.VfsPath dir) {
                throw new IllegalStateException("bug");
            }

            @Override
            public String readlink(io.mirrorfs.vfs.VfsPath path) {
                throw new StackOverflowError();
            }

            @Override
            public io.mirrorfs.vfs.VfsFile open(io.mirrorfs.vfs.VfsPath path) {
                throw new ClassCastException();
            }

            @Override
            public String describe() {
                return "buggy";
            }
        };
        MirrorFs broken = new MirrorFs(buggy, 0, 0, "m", new MirrorFs.MountListener() {
            @Override
            public void mounted() {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void unmounted() {
            }
        });
        broken.init(null); // must not throw
        assertEquals(-EIO, broken.getattr("/x", stat()));
        assertEquals(-EIO, broken.readdir("/", Memory.allocateDirect(RT, 8), collector(new ArrayList<>()), 0, fileInfo(0)));
        assertEquals(-EIO, broken.readlink("/x", Memory.allocateDirect(RT, 8), 8));
        assertEquals(-EIO, broken.open("/x", fileInfo(0)));
        assertEquals(-ENOENT, fs.getattr("/a/../b", stat()), "a path the VFS refuses is ENOENT, not a crash");
    }
}
