package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.SourceMetrics;
import io.mirrorfs.vfs.SourceMetrics.ErrorClass;
import io.mirrorfs.vfs.SourceMetrics.RequestKind;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.net.ftp.FTPFile;

/**
 * A read-only view of a directory on an FTP server.
 *
 * <p>Listings use MLSD when the server offers it, else LIST through commons-net's parsers; they
 * carry sizes, mtimes and types, and are remembered for a few seconds so a walk stats every
 * entry without a round trip (see {@link ListingMemo}). Opening a file pins its exact size and
 * mtime ({@code MLST}, or {@code SIZE} and {@code MDTM}); every (re)started transfer checks them
 * again. Reads use {@code REST} + {@code RETR} and keep the data stream open while a handle reads
 * sequentially ({@link FtpFile}). Connections come from a bounded {@link FtpConnectionPool}; a
 * pooled connection the server has closed is replaced transparently. Symlinks whose target leaves
 * the source are hidden unless configured otherwise. The constructor does no network I/O.
 * Thread-safe.
 */
final class FtpSource implements Vfs {

    private static final System.Logger LOG = System.getLogger(FtpSource.class.getName());
    /** How long a listing answers stats of its entries: long enough for one walk, short enough to see changes. */
    static final Duration LISTING_TTL = Duration.ofSeconds(5);
    /** Idle connections get a NOOP this often: below the 300 s idle timeout of vsftpd and proftpd. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(60);

    private final FtpEndpoint endpoint;
    private final SourceOptions options;
    private final FtpConnectionPool pool;
    private final ListingMemo memo;
    private volatile List<String> root;

    /** Creates a source for {@code endpoint}; connects only when first used. */
    FtpSource(FtpEndpoint endpoint, SourceOptions options) {
        this(endpoint, options, LISTING_TTL, KEEP_ALIVE);
    }

    /** Creates a source with the given listing memo lifetime and keep-alive interval (for tests). */
    FtpSource(FtpEndpoint endpoint, SourceOptions options, Duration listingTtl, Duration keepAlive) {
        this.endpoint = endpoint;
        this.options = options;
        Duration wait = options.connectTimeout().plus(options.readTimeout());
        this.pool = new FtpConnectionPool(() -> FtpConnection.open(endpoint, options), endpoint.displayUrl(),
                endpoint.maxConnections(), wait, keepAlive);
        options.metrics().pool(new SourceMetrics.PoolView(pool::liveConnections, pool::waits));
        this.memo = new ListingMemo(listingTtl, 256, System::nanoTime);
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        if (path.isRoot()) {
            return FileAttrs.directory(Instant.EPOCH);
        }
        return entry(path).entry().attrs().orElseThrow();
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        List<DirEntry> out = new ArrayList<>();
        for (RemoteEntry e : listing(dir).values()) {
            out.add(e.entry());
        }
        return out;
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        RemoteEntry e = entry(path);
        if (e.entry().type() != FileType.SYMLINK) {
            throw new NotLinkException(path.toString());
        }
        return e.linkTarget().orElseThrow(() -> new FileSystemException(path.toString(), null,
                "the server's listing gives no target for this symlink"));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The handle reports the listing's attributes, so its version is the one {@link #stat} and
     * {@link #list} give (a cache in front compares them); LIST mtimes are coarse, so the exact
     * size and mtime probed now are kept separately as the baseline every later transfer is
     * checked against. A listing that no longer fits the probe is fetched again first.
     */
    @Override
    public VfsFile open(VfsPath path) throws IOException {
        String remote = remote(path);
        FileAttrs listed = regularFile(path, entry(path));
        FtpConnection.Probe probe = withConnection(RequestKind.FTP_SIZE_MDTM, c -> c.probe(remote));
        if (!fits(listed, probe)) {
            memo.invalidate(path.parent().orElseThrow());
            listed = regularFile(path, entry(path));
        }
        return new FtpFile(this, remote, endpoint.displayUrl() + path.toString().substring(1), listed, probe);
    }

    private static FileAttrs regularFile(VfsPath path, RemoteEntry e) throws IOException {
        FileAttrs attrs = e.entry().attrs().orElseThrow();
        if (attrs.isDirectory()) {
            throw new IsDirectoryException(path.toString());
        }
        if (!attrs.isFile()) {
            throw new FileSystemException(path.toString(), null, "not a regular file");
        }
        return attrs;
    }

    /**
     * Returns whether listed attributes describe the file probed: same size, and an mtime within
     * a day (LIST shows minutes or days, in the server's time zone).
     */
    static boolean fits(FileAttrs listed, FtpConnection.Probe probe) {
        if (probe.size().isPresent() && probe.size().get() != listed.size()) {
            return false;
        }
        return probe.mtime().isEmpty()
                || Duration.between(listed.mtime(), probe.mtime().get()).abs().compareTo(Duration.ofDays(1)) <= 0;
    }

    @Override
    public String describe() {
        return endpoint.displayUrl();
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Returns the pool, for {@link FtpFile} and tests. */
    FtpConnectionPool pool() {
        return pool;
    }

    /** Returns how long a transfer may stay silent. */
    java.time.Duration readTimeout() {
        return options.readTimeout();
    }

    /** Returns how long one command exchange (a listing included) may take in all: six read timeouts. */
    Duration exchangeDeadline() {
        return options.readTimeout().multipliedBy(6);
    }

    /** Returns the retries allowed per read. */
    int retries() {
        return options.retries();
    }

    /** Returns the server path of {@code path}; names with CR or LF cannot be sent and do not exist. */
    String remote(VfsPath path) throws IOException {
        List<String> base = root;
        if (base == null) {
            withConnection(c -> null);
            base = root;
        }
        StringBuilder sb = new StringBuilder();
        for (String s : base) {
            sb.append('/').append(s);
        }
        for (String s : path.segments()) {
            if (s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0) {
                throw new NoSuchFileException(path.toString());
            }
            sb.append('/').append(s);
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    /** One FTP exchange on a borrowed connection. */
    interface Exchange<T> {
        /** Runs the exchange. */
        T run(FtpConnection c) throws IOException;
    }

    /**
     * Runs {@code exchange} on a pooled connection. A file-level failure (such as {@code 550})
     * is thrown as is; a broken connection (closed by the server's idle timeout, reset, timed
     * out) is discarded and the exchange retried on a fresh one.
     */
    <T> T withConnection(Exchange<T> exchange) throws IOException {
        return withConnection(Optional.empty(), exchange);
    }

    /** As {@link #withConnection(Exchange)}, reporting each attempt to the source's metrics as a request of {@code kind}. */
    <T> T withConnection(RequestKind kind, Exchange<T> exchange) throws IOException {
        return withConnection(Optional.of(kind), exchange);
    }

    /** Returns where this source reports its requests. */
    SourceMetrics metrics() {
        return options.metrics();
    }

    private <T> T withConnection(Optional<RequestKind> kind, Exchange<T> exchange) throws IOException {
        IOException last = null;
        int attempts = Math.max(1, options.retries()) + 1;
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                kind.ifPresent(options.metrics()::retried);
            }
            long start = System.nanoTime();
            FtpConnection c;
            try {
                c = pool.borrow();
            } catch (IOException e) {
                // No connection (refused, timed out, login failed): an error, but no request the server logged.
                kind.ifPresent(k -> options.metrics().failed(k, ErrorClass.of(e)));
                throw e;
            }
            // Socket timeouts bound silence, not a server trickling its replies or a listing.
            Watchdog.Armed watchdog = Watchdog.arm(c::abandon, exchangeDeadline());
            try {
                if (root == null) {
                    List<String> r = new ArrayList<>(FtpEntries.segments(c.home()));
                    r.addAll(endpoint.dirSegments());
                    root = List.copyOf(r);
                }
                T result = exchange.run(c);
                pool.release(c);
                answered(kind, start);
                return result;
            } catch (FileSystemException e) {
                pool.release(c);
                answered(kind, start); // a definite answer, such as 550
                throw e;
            } catch (IOException | RuntimeException e) {
                pool.discard(c);
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                last = watchdog.fired() ? new IOException("no complete answer within " + exchangeDeadline().toMillis()
                        + " ms (the server answers too slowly)", e) : (IOException) e;
                IOException failure = last;
                kind.ifPresent(k -> options.metrics().failed(k, ErrorClass.of(failure)));
                IOException logged = last;
                LOG.log(Level.DEBUG, () -> describe() + ": connection failed (" + logged + "); retrying on a new one");
            } finally {
                watchdog.close();
            }
        }
        throw new IOException(describe() + ": " + last.getMessage(), last);
    }

    private void answered(Optional<RequestKind> kind, long start) {
        kind.ifPresent(k -> options.metrics().answered(k, System.nanoTime() - start));
    }

    private RemoteEntry entry(VfsPath path) throws IOException {
        VfsPath parent = path.parent().orElseThrow(() -> new IllegalArgumentException("the root has no entry"));
        Map<String, RemoteEntry> siblings;
        try {
            siblings = listing(parent);
        } catch (NotDirectoryException e) {
            throw new NoSuchFileException(path.toString(), null, "a parent is not a directory");
        }
        RemoteEntry e = siblings.get(path.name());
        if (e == null) {
            throw new NoSuchFileException(path.toString());
        }
        return e;
    }

    private Map<String, RemoteEntry> listing(VfsPath dir) throws IOException {
        Optional<Map<String, RemoteEntry>> cached = memo.get(dir);
        if (cached.isPresent()) {
            return cached.get();
        }
        String remote = remote(dir);
        List<FTPFile> files;
        try {
            files = withConnection(RequestKind.FTP_LIST, c -> c.list(remote));
        } catch (TruncatedListingException e) {
            throw e;
        } catch (FileSystemException e) {
            // Servers answer a missing or non-directory path with 550, 501 or 450: the parent's
            // listing says which it was.
            if (!dir.isRoot()) {
                FileType type = entry(dir).entry().type();
                if (type == FileType.FILE) {
                    throw new NotDirectoryException(dir.toString());
                }
                if (type == FileType.DIRECTORY) {
                    throw e;
                }
            }
            throw new NoSuchFileException(dir.toString(), null, e.getReason());
        }
        Map<String, RemoteEntry> entries = new LinkedHashMap<>();
        for (FTPFile f : files) {
            Optional<RemoteEntry> e = FtpEntries.toEntry(f).flatMap(r -> visible(dir, r));
            if (e.isPresent()) {
                entries.put(e.get().name(), e.get());
            } else if (f != null && f.getName() != null && !f.getName().equals(".") && !f.getName().equals("..")) {
                LOG.log(Level.DEBUG, () -> describe() + ": not shown in " + dir + ": " + f.getRawListing());
            }
        }
        Map<String, RemoteEntry> frozen = Collections.unmodifiableMap(entries);
        memo.put(dir, frozen);
        return frozen;
    }

    /** Hides symlinks that leave the source and rewrites absolute targets inside it. */
    private Optional<RemoteEntry> visible(VfsPath dir, RemoteEntry e) {
        if (e.entry().type() != FileType.SYMLINK || e.linkTarget().isEmpty()) {
            return Optional.of(e);
        }
        String raw = e.linkTarget().get();
        Optional<String> target = FtpEntries.visibleTarget(root, dir.segments(), raw);
        if (target.isEmpty()) {
            if (!options.showOutsideSymlinks()) {
                return Optional.empty();
            }
            return Optional.of(e);
        }
        if (target.get().equals(raw)) {
            return Optional.of(e);
        }
        FileAttrs a = e.entry().attrs().orElseThrow();
        FileAttrs rewritten = new FileAttrs(FileType.SYMLINK, target.get().length(), a.mtime(), a.permissions(), "");
        return Optional.of(new RemoteEntry(DirEntry.of(e.name(), rewritten), target));
    }
}
