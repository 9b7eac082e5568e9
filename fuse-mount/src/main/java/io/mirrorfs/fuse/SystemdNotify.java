package io.mirrorfs.fuse;

import java.lang.System.Logger.Level;
import java.util.Optional;
import jnr.ffi.LibraryLoader;

/**
 * Tells systemd about the daemon's state when it runs as a {@code Type=notify} service
 * ({@code sd_notify(3)}: {@code READY=1} once the mount is live, {@code STOPPING=1} when it is being
 * taken down), so units ordered after mirrorfs start exactly when its files are there.
 *
 * <p>Why through libsystemd: the notification is a datagram on the {@code AF_UNIX} socket named by
 * {@code $NOTIFY_SOCKET}, and Java 17 has no Unix-domain datagram sockets (only stream channels).
 * {@code systemd-notify --ready} sends from its own process, which systemd accepts only with
 * {@code NotifyAccess=all} and may not attribute to the service once that process has exited
 * (sd_notify(3), "NOTES"). libsystemd's {@code sd_notify}, bound through jnr-ffi as the other native
 * libraries here are, sends from the daemon's own PID. Without {@code $NOTIFY_SOCKET} (not under
 * systemd) nothing is loaded or sent. Thread-safe.
 */
final class SystemdNotify {

    private static final System.Logger LOG = System.getLogger(SystemdNotify.class.getName());

    /** The one function used, from libsystemd.so.0. */
    public interface LibSystemd {
        /** Returns a positive value when sent, 0 without $NOTIFY_SOCKET, a negative errno on failure. */
        int sd_notify(int unsetEnvironment, String state);
    }

    private final Optional<LibSystemd> lib;

    private SystemdNotify(Optional<LibSystemd> lib) {
        this.lib = lib;
    }

    /** Returns a notifier for this process: active when started by systemd with a notify socket. */
    static SystemdNotify fromEnvironment() {
        String socket = System.getenv("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return new SystemdNotify(Optional.empty());
        }
        try {
            return new SystemdNotify(Optional.of(LibraryLoader.create(LibSystemd.class).failImmediately().load("systemd")));
        } catch (LinkageError | RuntimeException e) {
            LOG.log(Level.WARNING, "NOTIFY_SOCKET is set but libsystemd.so.0 cannot be loaded (" + e.getMessage()
                    + "); systemd will not hear that the mount is ready (install libsystemd0, or use Type=exec)");
            return new SystemdNotify(Optional.empty());
        }
    }

    /** Sends {@code READY=1} with a status line. */
    void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    /** Sends {@code STOPPING=1}. */
    void stopping() {
        send("STOPPING=1");
    }

    private void send(String state) {
        lib.ifPresent(l -> {
            int rc = l.sd_notify(0, state);
            if (rc < 0) {
                LOG.log(Level.WARNING, "sd_notify failed (errno " + -rc + ")");
            }
        });
    }
}
