package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.LowSpeedLimit;
import io.mirrorfs.vfs.SourceOptions;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.apache.commons.net.ftp.FTPSClient;

/**
 * One logged-in FTP control connection and the commands mirrorfs sends on it.
 *
 * <p>Replies that say something about the file ({@code 550} and other permanent failures) become
 * {@link FileSystemException}s and leave the connection usable. Everything else (timeouts, a
 * closed connection, a {@code 421}, transient {@code 4xx} replies) is a plain {@link IOException}
 * after which the caller discards the connection. Not thread-safe: the pool hands a connection to
 * one thread at a time.
 */
final class FtpConnection implements Closeable {

    private static final System.Logger LOG = System.getLogger(FtpConnection.class.getName());

    private final FTPClient client;
    private final String display;
    private final boolean mlst;
    private final boolean size;
    private final boolean mdtm;
    private final String home;
    private final Duration readTimeout;
    private final ListingSocketFactory sockets;
    private volatile long lastUsedNanos = System.nanoTime();

    private FtpConnection(FTPClient client, ListingSocketFactory sockets, String display, boolean mlst, boolean size, boolean mdtm,
                          String home, Duration readTimeout) {
        this.sockets = sockets;
        this.readTimeout = readTimeout;
        this.client = client;
        this.display = display;
        this.mlst = mlst;
        this.size = size;
        this.mdtm = mdtm;
        this.home = home;
    }

    /**
     * Connects, logs in and configures binary, UTF-8 and the data connection mode.
     *
     * @throws TooManyConnectionsException if the server answers {@code 421} (too many connections)
     * @throws AccessDeniedException       if the login is refused
     * @throws IOException                 on any other failure
     */
    static FtpConnection open(FtpEndpoint ep, SourceOptions options) throws IOException {
        FTPClient c = ep.tls() ? tlsClient() : new FTPClient();
        ListingSocketFactory sockets = new ListingSocketFactory();
        c.setSocketFactory(sockets);
        // Names are UTF-8 on nearly every server today (RFC 2640); OPTS UTF8 ON below asks
        // servers that need to be told.
        c.setControlEncoding("UTF-8");
        c.setConnectTimeout(millis(options.connectTimeout().toMillis()));
        c.setDefaultTimeout(millis(options.readTimeout().toMillis()));
        c.setDataTimeout(options.readTimeout());
        Duration loginDeadline = options.connectTimeout().plus(options.readTimeout().multipliedBy(3));
        Watchdog.Armed watchdog = Watchdog.arm(() -> disconnectQuietly(c), loginDeadline);
        try {
            c.connect(ep.host(), ep.port());
            if (!FTPReply.isPositiveCompletion(c.getReplyCode())) {
                throw reply(c, "connect to " + ep.displayUrl());
            }
            if (c instanceof FTPSClient s) {
                s.execPBSZ(0);
                s.execPROT("P");
            }
            if (!c.login(ep.user(), ep.password())) {
                if (c.getReplyCode() == FTPReply.SERVICE_NOT_AVAILABLE) {
                    throw new TooManyConnectionsException(ep.displayUrl() + ": " + c.getReplyString().strip());
                }
                throw new AccessDeniedException(ep.displayUrl(), null, "login as " + ep.user() + " refused: "
                        + c.getReplyString().strip());
            }
            boolean hasFeatures = c.features();
            if (hasFeatures && c.hasFeature("UTF8")) {
                c.sendCommand("OPTS UTF8 ON");
            }
            if (!c.setFileType(FTP.BINARY_FILE_TYPE)) {
                throw reply(c, "TYPE I");
            }
            if (ep.activeMode()) {
                c.enterLocalActiveMode();
            } else {
                c.enterLocalPassiveMode();
                c.setUseEPSVwithIPv4(true);
            }
            String pwd = c.printWorkingDirectory();
            boolean mlst = hasFeatures && c.hasFeature("MLST");
            boolean size = !hasFeatures || c.hasFeature("SIZE");
            boolean mdtm = !hasFeatures || c.hasFeature("MDTM");
            return new FtpConnection(c, sockets, ep.displayUrl(), mlst, size, mdtm, pwd == null ? "/" : pwd, options.readTimeout());
        } catch (IOException | RuntimeException e) {
            disconnectQuietly(c);
            if (watchdog.fired()) {
                throw new IOException(ep.displayUrl() + ": login did not complete within " + loginDeadline.toMillis()
                        + " ms (the server answers too slowly)", e);
            }
            if (e instanceof FTPConnectionClosedException && (c.getReplyCode() == FTPReply.SERVICE_NOT_AVAILABLE
                    || String.valueOf(e.getMessage()).contains("421"))) {
                throw new TooManyConnectionsException(ep.displayUrl() + ": " + String.valueOf(c.getReplyString()).strip());
            }
            throw e;
        } finally {
            watchdog.close();
        }
    }

    private static FTPClient tlsClient() {
        FTPSClient c = new FTPSClient(false);
        // The JVM's trust store and host name checks, not commons-net's default that accepts any
        // certificate within its validity dates.
        c.setTrustManager(null);
        c.setEndpointCheckingEnabled(true);
        return c;
    }

    /** Returns the login directory reported by {@code PWD}. */
    String home() {
        return home;
    }

    /** Returns whether the server offers {@code MLST}/{@code MLSD} (RFC 3659). */
    boolean hasMlst() {
        return mlst;
    }

    /** Returns the {@link System#nanoTime()} of the last command sent. */
    long lastUsedNanos() {
        return lastUsedNanos;
    }

    /**
     * Returns the raw entries of directory {@code dir} (absolute): MLSD when offered, else
     * {@code CWD} and {@code LIST} parsed by commons-net's parser for the server's {@code SYST}.
     *
     * @throws TruncatedListingException if the server's final reply says it left entries out
     */
    List<FTPFile> list(String dir) throws IOException {
        touch();
        FTPFile[] files;
        if (mlst) {
            files = boundedListing(() -> client.mlistDir(dir));
        } else {
            // CWD first: LIST arguments starting with '-' are taken as options by many servers.
            if (!client.changeWorkingDirectory(dir)) {
                throw reply(client, dir);
            }
            files = boundedListing(client::listFiles);
        }
        if (!FTPReply.isPositiveCompletion(client.getReplyCode())) {
            throw reply(client, dir);
        }
        // A server limiting its listings (pure-ftpd: 10,000 entries) still answers 226, saying so.
        String done = String.valueOf(client.getReplyString()).strip();
        if (done.toLowerCase(Locale.ROOT).contains("truncated")) {
            throw new TruncatedListingException(dir, done);
        }
        return Arrays.asList(files);
    }

    /** A listing call of commons-net. */
    private interface ListingCall {
        FTPFile[] call() throws IOException;
    }

    /** Runs {@code call} with its data connection limited to {@link ListingSocketFactory#MAX_LISTING_BYTES}. */
    private FTPFile[] boundedListing(ListingCall call) throws IOException {
        sockets.listing(true);
        try {
            return call.call();
        } finally {
            sockets.listing(false);
        }
    }

    /**
     * Returns the exact size and mtime of file {@code path}: one {@code MLST}, or {@code SIZE} and
     * {@code MDTM}; a fact the server cannot give is empty.
     */
    Probe probe(String path) throws IOException {
        touch();
        if (mlst) {
            FTPFile f = client.mlistFile(path);
            if (f == null) {
                throw reply(client, path);
            }
            Optional<Long> s = f.getSize() >= 0 ? Optional.of(f.getSize()) : Optional.empty();
            return new Probe(s, Optional.ofNullable(f.getTimestampInstant()));
        }
        Optional<Long> s = Optional.empty();
        if (size) {
            String v = client.getSize(path);
            if (v == null) {
                throw reply(client, path);
            }
            try {
                s = Optional.of(Long.parseLong(v.strip()));
            } catch (NumberFormatException e) {
                throw new IOException(display + ": bad SIZE reply for " + path + ": " + v);
            }
        }
        Optional<Instant> m = Optional.empty();
        if (mdtm) {
            Instant t = client.mdtmInstant(path);
            if (t == null) {
                throw reply(client, path);
            }
            m = Optional.of(t);
        }
        return new Probe(s, m);
    }

    /** Starts {@code REST offset} (when not 0) and {@code RETR path}; returns the data stream. */
    InputStream retrieve(String path, long offset) throws IOException {
        touch();
        client.setRestartOffset(offset);
        InputStream in = client.retrieveFileStream(path);
        if (in == null) {
            throw reply(client, path);
        }
        // The data timeout bounds silence; the speed limit bounds a server trickling bytes.
        return new LowSpeedLimit(in, readTimeout, display + path);
    }

    /**
     * Reads the final reply of a transfer whose data stream the caller has closed.
     *
     * @return whether the server reported success ({@code 226}); after an early close the server
     *         answers {@code 426} and the connection stays usable
     */
    boolean completeTransfer() throws IOException {
        touch();
        return client.completePendingCommand();
    }

    /** Sends {@code NOOP}. */
    void noop() throws IOException {
        touch();
        if (!client.sendNoOp()) {
            throw reply(client, "NOOP");
        }
    }

    /** Sends {@code QUIT} and closes the connection, ignoring failures. */
    @Override
    public void close() {
        if (client.isConnected()) {
            try {
                client.setSoTimeout(1000);
                client.logout();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.TRACE, () -> display + ": QUIT failed: " + e);
            }
        }
        disconnectQuietly(client);
    }

    /** Closes the sockets without a goodbye, for a connection in an unknown state. */
    void abandon() {
        disconnectQuietly(client);
    }

    private void touch() {
        lastUsedNanos = System.nanoTime();
    }

    /** Turns the last reply into the matching exception: {@code 550} is "no such file". */
    private static IOException reply(FTPClient c, String what) {
        int code = c.getReplyCode();
        String text = String.valueOf(c.getReplyString()).strip();
        // 550 is RFC 959's "file unavailable"; servers also say "No such ..." with 450 or 501.
        if (code == 550 || code >= 400 && code < 600 && text.toLowerCase(Locale.ROOT).contains("no such")) {
            return new NoSuchFileException(what, null, text);
        }
        if (code == 530 || code == 532) {
            return new AccessDeniedException(what, null, text);
        }
        if (code == FTPReply.SERVICE_NOT_AVAILABLE) {
            return new FTPConnectionClosedException(what + ": " + text);
        }
        if (code >= 500 && code < 600) {
            return new FileSystemException(what, null, text);
        }
        return new IOException(what + ": " + text);
    }

    private static void disconnectQuietly(FTPClient c) {
        try {
            c.disconnect();
        } catch (IOException | RuntimeException e) {
            // Nothing left to release.
        }
    }

    private static int millis(long ms) {
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** Size and mtime of a file as the server reports them now; empty where it cannot say. */
    record Probe(Optional<Long> size, Optional<Instant> mtime) {
    }
}
