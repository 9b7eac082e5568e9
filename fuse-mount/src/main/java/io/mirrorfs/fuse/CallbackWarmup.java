package io.mirrorfs.fuse;

import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/**
 * Runs the daemon's FUSE callbacks on a synthetic tree before the kernel mount exists, by calling
 * them directly (no kernel, no system call on any mount point), so that a fresh JVM has compiled
 * its lookup, listing and read paths before the first user request.
 *
 * <p>Why directly: a thread of the daemon that makes a file system call on the daemon's own
 * mount waits in the kernel, uninterruptibly, for the daemon to answer; if the daemon is killed
 * meanwhile it can never finish exiting, {@code /dev/fuse} stays open and the mount point hangs
 * every process that touches it (issue 21; see jnr-fuse-notes.md, "Never call your own mount").
 * Earlier versions walked the tree through the kernel mount; calling the same callbacks with
 * native memory of the same layout reaches the same Java code with no such window.
 *
 * <p>Not thread-safe; one run at a time, before {@code mount}.
 */
final class CallbackWarmup {

    private static final System.Logger LOG = System.getLogger(CallbackWarmup.class.getName());
    /** libfuse 2's largest read request (the kernel asks for at most 128 KiB). */
    private static final int READ_SIZE = 128 << 10;

    private final MirrorFs fs;
    private final BooleanSupplier stop;
    private final Runtime runtime = Runtime.getSystemRuntime();
    private final Pointer statBuf;
    private final Pointer infoBuf;
    private final Pointer readBuf;
    private final FileStat stat;
    private final FuseFileInfo info;

    private CallbackWarmup(MirrorFs fs, BooleanSupplier stop) {
        this.fs = fs;
        this.stop = stop;
        this.statBuf = Memory.allocateDirect(runtime, 256, true); // struct stat is 144 bytes on x86-64
        this.infoBuf = Memory.allocateDirect(runtime, 128, true); // struct fuse_file_info: 40
        this.readBuf = Memory.allocateDirect(runtime, READ_SIZE, true);
        this.stat = FileStat.of(statBuf);
        this.info = FuseFileInfo.of(infoBuf);
    }

    /**
     * What a warm-up did.
     *
     * @param directories directories listed
     * @param lookups     entries whose attributes were asked for (as the kernel's lookups)
     * @param filesRead   files opened and read to their end
     * @param callbacks   callbacks made in all
     */
    record Done(int directories, int lookups, int filesRead, long callbacks) {
    }

    /**
     * Walks the tree at {@code root} (a path inside {@code fs}) as {@code find -printf '%s %T@'}
     * would (a listing per directory, the attributes of every entry), and opens and reads every
     * tenth file, until done, {@code deadlineNanos} ({@link System#nanoTime}) or {@code stop}.
     * Never throws: a failed warm-up only costs speed.
     */
    static Done run(MirrorFs fs, String root, long deadlineNanos, BooleanSupplier stop) {
        CallbackWarmup w = new CallbackWarmup(fs, stop);
        try {
            w.walk(root, deadlineNanos);
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.DEBUG, "warm-up ended early: " + e);
        }
        return new Done(w.directories, w.lookups, w.filesRead, w.callbacks);
    }

    private int directories;
    private int lookups;
    private int filesRead;
    private long callbacks;

    private void walk(String root, long deadline) {
        List<String> dirs = new ArrayList<>();
        list(root, dirs);
        for (String dir : dirs) {
            if (System.nanoTime() >= deadline || stop.getAsBoolean()) {
                return;
            }
            List<String> files = new ArrayList<>();
            list(dir, files);
            for (int i = 0; i < files.size(); i++) {
                if (i % 10 == 0) {
                    read(files.get(i));
                }
            }
        }
    }

    /** Lists {@code dir} through opendir/readdir/releasedir and getattr of each entry; collects the entries' paths. */
    private void list(String dir, List<String> into) {
        callbacks += 4;
        fs.getattr(dir, stat);
        fs.opendir(dir, info);
        List<String> names = new ArrayList<>();
        FuseFillDir filler = new FuseFillDir() {
            @Override
            public int apply(Pointer buf, ByteBuffer name, Pointer stbuf, long off) {
                byte[] bytes = new byte[name.remaining() - 1]; // NUL-terminated
                name.get(bytes);
                names.add(new String(bytes, StandardCharsets.UTF_8));
                return 0;
            }
        };
        fs.readdir(dir, readBuf, filler, 0, info);
        fs.releasedir(dir, info);
        directories++;
        for (String name : names) {
            if (!name.equals(".") && !name.equals("..")) {
                String path = dir + "/" + name;
                fs.getattr(path, stat);
                callbacks++;
                lookups++;
                into.add(path);
            }
        }
    }

    /** Opens {@code file}, reads it in kernel-sized requests and releases it. */
    private void read(String file) {
        info.flags.set(0);
        callbacks++;
        if (fs.open(file, info) != 0) {
            return;
        }
        for (long offset = 0; ; offset += READ_SIZE) {
            callbacks++;
            if (fs.read(file, readBuf, READ_SIZE, offset, info) < READ_SIZE) {
                break;
            }
        }
        callbacks++;
        fs.release(file, info);
        filesRead++;
    }
}
