package io.mirrorfs.fuse;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;

/**
 * One kernel mount of a {@link MirrorFs} through libfuse 2, its requests read and answered on
 * threads the JVM created, until the mount ends.
 *
 * <p>This is what {@code fuse_main_real} does (libfuse 2.9 {@code helper.c}: {@code fuse_setup},
 * the multithreaded loop of {@code fuse_loop_mt.c}, {@code fuse_teardown}), with one difference
 * that matters: libfuse's loop runs the callbacks on native threads it creates, and jffi (under
 * jnr-ffi) attaches such a thread to the JVM for each callback and detaches it afterwards, until
 * the thread has been attached 1,000 times (jffi {@code ClosureMagazine.c},
 * {@code THREAD_ATTACH_THRESHOLD}); every attach creates and retires a {@code java.lang.Thread}.
 * Measured on a fresh mount over loopback nginx: 2,000 random 4 KiB reads had a median of 348 us
 * with libfuse's threads against 90 us on a daemon whose threads were past the threshold, and a
 * {@code find} of 10,000 files took 1.17 s against 0.47 s. Earlier versions pushed libfuse's
 * threads past the threshold with rounds of {@code statfs} calls on the daemon's own mount before
 * announcing it, but a daemon that calls its own mount can hang it forever when killed (issue
 * 21). On a JVM thread, jffi finds the thread attached and never detaches it, so no request ever
 * pays for it and nothing needs warming through the kernel.
 *
 * <p>{@link #WORKERS} threads each read a request from {@code /dev/fuse} (the kernel hands each
 * request to one reader) and process it; when the mount goes away every read fails with ENODEV,
 * the threads end, and libfuse's teardown calls the file system's {@code destroy}. Not reusable.
 */
final class FuseSession {

    private static final System.Logger LOG = System.getLogger(FuseSession.class.getName());
    /**
     * Threads serving requests. libfuse 2's loop starts up to 10; the kernel keeps up to 12
     * background requests (read-ahead) in flight per mount (max_background), plus the
     * synchronous requests of every process: 16 lets a few slow sources' reads wait without
     * holding up lookups of the others.
     */
    static final int WORKERS = 16;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;

    /** The libfuse 2 functions {@code fuse_main_real} is made of (all exported by libfuse.so.2). */
    public interface LibFuseLoop {
        /** Parses argv, mounts and creates the session; null on failure (libfuse printed why). */
        Pointer fuse_setup(int argc, String[] argv, Pointer operations, @size_t long operationsSize, PointerByReference mountpoint,
                           IntByReference multithreaded, Pointer userData);

        /** Unmounts if still mounted, destroys the session (calling {@code destroy}) and frees the mount point string. */
        void fuse_teardown(Pointer fuse, Pointer mountpoint);

        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer session, Pointer channel);

        @size_t long fuse_chan_bufsize(Pointer channel);

        /** Reads one request; bytes read, 0 when the session ended (unmounted), or -errno. */
        int fuse_chan_recv(Pointer channelRef, Pointer buffer, @size_t long size);

        void fuse_session_process(Pointer session, Pointer buffer, @size_t long length, Pointer channel);

        void fuse_session_exit(Pointer session);
    }

    private final MirrorFs fs;
    private final LibFuseLoop lib;
    private final Runtime runtime = Runtime.getSystemRuntime();
    private volatile boolean failed;

    /**
     * Prepares a session for {@code fs}.
     *
     * @throws LinkageError if libfuse.so.2 cannot be loaded
     */
    FuseSession(MirrorFs fs) {
        this.fs = fs;
        this.lib = load();
    }

    private static LibFuseLoop load() {
        try {
            return LibraryLoader.create(LibFuseLoop.class).failImmediately().load("fuse");
        } catch (LinkageError | RuntimeException e) {
            return LibraryLoader.create(LibFuseLoop.class).failImmediately().load("libfuse.so.2");
        }
    }

    /**
     * Mounts at {@code mountPoint} with {@code options} (a {@code -o} list), serves requests until
     * the mount goes away, tears the session down and returns. Returns false, having served
     * nothing, if mounting failed (libfuse has printed the reason on stderr).
     */
    boolean run(Path mountPoint, String options, boolean debug) throws InterruptedException {
        List<String> argv = new ArrayList<>(List.of(fs.fsName(), "-f"));
        if (debug) {
            argv.add("-d");
        }
        argv.addAll(List.of(mountPoint.toString(), "-o", options));
        PointerByReference mountpointString = new PointerByReference();
        Pointer operations = Struct.getMemory(fs.operations());
        Pointer fuse = lib.fuse_setup(argv.size(), argv.toArray(String[]::new), operations, Struct.size(fs.operations()),
                mountpointString, new IntByReference(), null);
        if (fuse == null) {
            return false;
        }
        Pointer session = lib.fuse_get_session(fuse);
        Pointer channel = lib.fuse_session_next_chan(session, null);
        long bufferSize = lib.fuse_chan_bufsize(channel);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Thread t = new Thread(() -> serve(session, channel, bufferSize), "fuse-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        workers.get(0).join();
        if (failed) {
            // The other workers wait in read(2) until the mount goes away: make it go.
            Mounter.unmount(mountPoint);
        }
        for (Thread t : workers) {
            t.join();
        }
        lib.fuse_teardown(fuse, mountpointString.getValue());
        return true;
    }

    /**
     * One worker: reads and processes requests until the session ends, as libfuse's
     * {@code fuse_do_work}. A worker must never die while the mount lives: every request it has
     * read would wait forever, and with it the process that made it. The callbacks catch
     * everything themselves ({@link MirrorFs}); anything else (an OutOfMemoryError in the
     * marshalling, say) is logged and the worker goes on.
     */
    private void serve(Pointer session, Pointer channel, long bufferSize) {
        Pointer buffer = Memory.allocateDirect(runtime, (int) bufferSize, true);
        Pointer channelRef = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        while (true) {
            try {
                channelRef.putPointer(0, channel);
                int n = lib.fuse_chan_recv(channelRef, buffer, bufferSize);
                if (n == -EINTR || n == -EAGAIN) {
                    continue;
                }
                if (n <= 0) {
                    if (n < 0) {
                        LOG.log(Level.WARNING, "reading /dev/fuse failed (errno " + -n + "); ending the session");
                        failed = true;
                        lib.fuse_session_exit(session);
                    }
                    return;
                }
                lib.fuse_session_process(session, buffer, n, channelRef.getPointer(0));
            } catch (Throwable t) {
                LOG.log(Level.ERROR, "FUSE worker: " + t + "; going on", t);
            }
        }
    }
}
