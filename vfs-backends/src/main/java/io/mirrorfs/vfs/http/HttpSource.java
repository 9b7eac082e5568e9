package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import org.apache.hc.core5.http.HttpHost;

/**
 * A read-only tree served by a web server's directory pages ({@code http://HOST/DIR/}).
 *
 * <p>{@code list} costs one GET per directory; entries carry size and mtime when the page has
 * exact ones, otherwise the first {@code stat} of a file sends one HEAD and keeps the answer for
 * the listing's lifetime. {@code stat} of a path looks it up in its parent's listing, so a
 * {@code find} costs about one request per directory. {@code open} sends one HEAD to pin the
 * file's version (ETag, or Last-Modified plus size); reads are ranged GETs with {@code If-Range}
 * (see {@link HttpFile}). Listings are single-flight and reused for {@link HttpSettings#listingTtl}.
 * The constructor does no network I/O. Thread-safe.
 */
final class HttpSource implements Vfs {

    private static final System.Logger LOG = System.getLogger(HttpSource.class.getName());
    private static final List<String[]> LISTING_HEADERS = List.<String[]>of(new String[] {"Accept", "text/html,application/json;q=0.9,*/*;q=0.5"});

    private final URI base;
    private final SourceOptions options;
    private final HttpSettings settings;
    private final ConnectionPool pool;
    private final Requester requester;
    private final Map<VfsPath, DirListing> listings = new ConcurrentHashMap<>();
    private final Map<VfsPath, CompletableFuture<DirListing>> inflight = new ConcurrentHashMap<>();

    HttpSource(URI base, Optional<BasicCredentials> credentials, SourceOptions options, HttpSettings settings, SSLContext tls,
            Map<HttpHost, BasicCredentials> proxyCredentials) {
        this.base = base;
        this.options = options;
        this.settings = settings;
        this.pool = new ConnectionPool(options, tls, proxyCredentials);
        this.requester = new Requester(pool, credentials, Origin.of(base), settings.maxRedirects(), options.readTimeout(),
                options.proxies());
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        if (path.isRoot()) {
            return FileAttrs.directory(Instant.EPOCH);
        }
        DirListing parent;
        try {
            parent = listing(path.parent().orElseThrow());
        } catch (AccessDeniedException e) {
            // A directory without an index page (autoindex off) can still hold readable files.
            return head(path, fileUrl(path), Optional.empty());
        }
        DirListing.Node node = parent.get(path.name());
        if (node == null) {
            throw new NoSuchFileException(path.toString());
        }
        return attrsOf(path, parent, node);
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        DirListing l = listing(dir);
        List<DirEntry> out = new ArrayList<>();
        for (DirListing.Node n : l.nodes()) {
            if (n.kind == IndexEntry.Kind.UNKNOWN) {
                resolveKind(dir.resolve(n.entry.name()), l, n);
            }
            FileAttrs known = n.learnt != null ? n.learnt : listedAttrs(n);
            out.add(known != null ? DirEntry.of(n.entry.name(), known)
                    : DirEntry.typeOnly(n.entry.name(), n.kind == IndexEntry.Kind.DIRECTORY ? FileType.DIRECTORY : FileType.FILE));
        }
        return out;
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        stat(path);
        throw new NotLinkException(path.toString());
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        FileAttrs listed = stat(path);
        if (listed.isDirectory()) {
            throw new IsDirectoryException(path.toString());
        }
        URI url = fileUrl(path);
        Probe probe = retrying("HEAD", url, () -> probe(path, url, Optional.of(listed), Optional.of(listed.mtime())));
        FileAttrs attrs = probe.attrs;
        if (sameVersion(listed, probe.attrs)) {
            // Keep the version stat reported, so a cache above sees one version for one content;
            // the handle still pins the server's own validator (If-Range) for its reads.
            attrs = listed;
        } else {
            remember(path, probe.attrs);
        }
        return new HttpFile(this, path.toString(), probe.url, attrs, probe.validator);
    }

    /**
     * Returns whether a HEAD's attributes describe the same content as those from a listing:
     * equal versions, or the same size and a Last-Modified inside the listing's minute (HTML
     * listings of nginx and Apache) or second (nginx's JSON, lighttpd).
     */
    static boolean sameVersion(FileAttrs listed, FileAttrs head) {
        if (listed.version().equals(head.version())) {
            return true;
        }
        if (listed.size() != head.size() || listed.version().startsWith("etag:")) {
            return false;
        }
        Instant from = listed.mtime();
        return !head.mtime().isBefore(from) && head.mtime().isBefore(from.plus(listingPrecision(from)));
    }

    /** Returns the span a listing's date stands for: a whole minute may be any second of it, a whole second any instant. */
    private static Duration listingPrecision(Instant listed) {
        if (listed.getNano() != 0) {
            return Duration.ofNanos(1);
        }
        return listed.getEpochSecond() % 60 == 0 ? Duration.ofMinutes(1) : Duration.ofSeconds(1);
    }

    @Override
    public String describe() {
        return base.toString();
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---------------------------------------------------------------- for HttpFile

    /** Returns the request machinery. */
    Requester requester() {
        return requester;
    }

    /** Returns the pool, for parking bodies between reads. */
    ConnectionPool pool() {
        return pool;
    }

    /** Returns the shared options. */
    SourceOptions options() {
        return options;
    }

    /** Returns {@code url} as it may appear in logs. */
    String redacted(URI url) {
        return url.toString();
    }

    // ---------------------------------------------------------------- listings

    private DirListing listing(VfsPath dir) throws IOException {
        DirListing cached = listings.get(dir);
        long now = settings.clock().millis();
        if (cached != null && !cached.expired(now)) {
            return cached;
        }
        checkParentSaysDirectory(dir);
        CompletableFuture<DirListing> mine = new CompletableFuture<>();
        CompletableFuture<DirListing> running = inflight.putIfAbsent(dir, mine);
        if (running != null) {
            return await(running);
        }
        try {
            DirListing fresh = fetchListing(dir, cached);
            listings.put(dir, fresh);
            mine.complete(fresh);
            return fresh;
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inflight.remove(dir, mine);
        }
    }

    private static DirListing await(CompletableFuture<DirListing> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for a listing");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof NoSuchFileException n) {
                throw new NoSuchFileException(n.getFile(), null, n.getReason());
            }
            if (c instanceof FileSystemException fs) {
                throw fs;
            }
            throw c instanceof IOException io ? new IOException(io.getMessage(), io) : new IOException(c);
        }
    }

    /** Fails without a request when the cached parent listing already says {@code dir} is missing or a file. */
    private void checkParentSaysDirectory(VfsPath dir) throws IOException {
        if (dir.isRoot()) {
            return;
        }
        DirListing parent = listings.get(dir.parent().orElseThrow());
        if (parent == null || parent.expired(settings.clock().millis())) {
            return;
        }
        DirListing.Node n = parent.get(dir.name());
        if (n == null) {
            throw new NoSuchFileException(dir.toString());
        }
        if (n.kind == IndexEntry.Kind.FILE) {
            throw new NotDirectoryException(dir.toString());
        }
    }

    /** Fetches the listing of {@code dir}; conditionally when {@code previous} (expired, may be null) has validators. */
    private DirListing fetchListing(VfsPath dir, DirListing previous) throws IOException {
        URI url = dirUrl(dir);
        List<String[]> headers = listingHeaders(previous);
        return retrying("listing", url, () -> {
            try (Requester.Exchange ex = requester.follow("GET", url, headers)) {
                int s = ex.response.status();
                if (s == 404 || s == 410) {
                    throw new NoSuchFileException(dir.toString(), null, "HTTP " + s + " for " + url);
                }
                long expires = settings.clock().millis() + settings.listingTtl().toMillis();
                if (s == 304 && previous != null) {
                    return previous.renewed(expires);
                }
                requireOk(dir, url, s);
                byte[] body = readBounded(ex.response.body(), url);
                URI page = ex.url.getRawPath().endsWith("/") ? ex.url : url;
                List<IndexEntry> entries = IndexParser.parse(body, ex.response.header("content-type").orElse(""), page, settings.maxEntries());
                return new DirListing(page, entries, Validator.of(ex.response), expires);
            }
        });
    }

    /**
     * Returns the headers of a listing request: with {@code If-None-Match} / {@code If-Modified-Since}
     * from the expired page when it had validators (RFC 9110 section 13.1), so an unchanged page
     * costs a 304 from the server or from a caching tier in front of it.
     */
    static List<String[]> listingHeaders(DirListing previous) {
        if (previous == null) {
            return LISTING_HEADERS;
        }
        List<String[]> h = new ArrayList<>(LISTING_HEADERS);
        previous.validator().etag().ifPresent(e -> h.add(new String[] {"If-None-Match", e}));
        previous.validator().lastModified().ifPresent(d -> h.add(new String[] {"If-Modified-Since", d}));
        return h;
    }

    private byte[] readBounded(InputStream body, URI url) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = body.read(buf)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > settings.maxListingBytes()) {
                throw new IOException("listing " + url + " is larger than " + settings.maxListingBytes() + " bytes; refusing it");
            }
        }
        return out.toByteArray();
    }

    private static void requireOk(VfsPath path, URI url, int status) throws IOException {
        if (status == 401 || status == 403) {
            throw new AccessDeniedException(path.toString(), null, "HTTP " + status + " for " + url);
        }
        if (status != 200 && status != 206) {
            throw new HttpStatusException(url.toString(), status);
        }
    }

    // ---------------------------------------------------------------- attributes

    private FileAttrs attrsOf(VfsPath path, DirListing parent, DirListing.Node node) throws IOException {
        if (node.kind == IndexEntry.Kind.UNKNOWN) {
            resolveKind(path, parent, node);
        }
        if (node.kind == IndexEntry.Kind.DIRECTORY) {
            return FileAttrs.directory(node.entry.mtime().orElse(Instant.EPOCH));
        }
        FileAttrs known = node.learnt != null ? node.learnt : listedAttrs(node);
        if (known != null) {
            return known;
        }
        URI url = childUrl(parent, node, false);
        FileAttrs a = head(path, url, node.entry.mtime());
        node.learnt = a;
        return a;
    }

    /** Returns the attributes a page gave, when it had an exact size (or the entry is a directory). */
    private static FileAttrs listedAttrs(DirListing.Node n) {
        Instant mtime = n.entry.mtime().orElse(Instant.EPOCH);
        if (n.kind == IndexEntry.Kind.DIRECTORY) {
            return FileAttrs.directory(mtime);
        }
        if (n.kind == IndexEntry.Kind.FILE && n.entry.size().isPresent()) {
            return FileAttrs.file(n.entry.size().getAsLong(), mtime, FileAttrs.DEFAULT_FILE_PERMISSIONS);
        }
        return null;
    }

    private FileAttrs head(VfsPath path, URI url, Optional<Instant> listedMtime) throws IOException {
        return retrying("HEAD", url, () -> probe(path, url, Optional.empty(), listedMtime)).attrs;
    }

    /** A HEAD's answer: the final URL, the attributes and the validator to pin. */
    private record Probe(URI url, FileAttrs attrs, Validator validator) {
    }

    private Probe probe(VfsPath path, URI url, Optional<FileAttrs> listed, Optional<Instant> listedMtime) throws IOException {
        try (Requester.Exchange ex = requester.follow("HEAD", url, List.of())) {
            int s = ex.response.status();
            if (s == 404 || s == 410) {
                throw new NoSuchFileException(path.toString(), null, "HTTP " + s + " for " + url);
            }
            if ((s == 405 || s == 501) && listed.isPresent()) {
                return new Probe(ex.url, listed.get(), Validator.NONE); // HEAD not allowed: trust the listing
            }
            requireOk(path, url, s);
            Validator v = Validator.of(ex.response);
            Optional<Long> size = ex.response.header("content-length").map(String::trim).map(Long::parseLong);
            long bytes = size.orElseGet(() -> listed.map(FileAttrs::size).orElse(0L));
            Instant mtime = mtime(v, listedMtime);
            String version = v.etag().map(e -> "etag:" + e).orElse(FileAttrs.sizeAndMtimeVersion(bytes, mtime));
            return new Probe(ex.url, new FileAttrs(FileType.FILE, bytes, mtime, FileAttrs.DEFAULT_FILE_PERMISSIONS, version), v);
        } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length for " + url);
        }
    }

    /**
     * Returns the mtime of a HEAD or GET answer: its Last-Modified, else the date the listing gave,
     * else the epoch. An answer without Last-Modified (lighttpd sends none) never overrides the
     * listing's date with a made-up one.
     */
    static Instant mtime(Validator answer, Optional<Instant> listed) {
        return answer.lastModifiedInstant().or(() -> listed).orElse(Instant.EPOCH);
    }

    private void remember(VfsPath path, FileAttrs attrs) {
        DirListing parent = listings.get(path.parent().orElseThrow());
        DirListing.Node n = parent == null ? null : parent.get(path.name());
        if (n != null) {
            n.learnt = attrs;
        }
    }

    /** Decides whether a link without a slash (generic pages) is a directory: servers redirect {@code dir} to {@code dir/}. */
    private void resolveKind(VfsPath path, DirListing parent, DirListing.Node node) throws IOException {
        URI url = childUrl(parent, node, false);
        node.kind = retrying("HEAD", url, () -> {
            try (Requester.Exchange ex = requester.send("HEAD", url, List.of())) {
                int s = ex.response.status();
                Optional<String> loc = ex.response.header("location");
                if (Requester.isRedirect(s) && loc.isPresent()
                        && Requester.resolve(url, loc.get()).getRawPath().equals(url.getRawPath() + "/")) {
                    return IndexEntry.Kind.DIRECTORY;
                }
                return IndexEntry.Kind.FILE;
            }
        });
    }

    // ---------------------------------------------------------------- URLs

    private URI dirUrl(VfsPath dir) {
        return dir.isRoot() ? base : URI.create(pathUrl(dir) + "/");
    }

    private URI fileUrl(VfsPath path) {
        return URI.create(pathUrl(path));
    }

    private URI childUrl(DirListing parent, DirListing.Node node, boolean dir) {
        return parent.url().resolve(node.entry.rawSegment() + (dir ? "/" : ""));
    }

    /** Builds the URL of a path from the raw segments the listings gave (so Latin-1 names keep their bytes). */
    private String pathUrl(VfsPath path) {
        StringBuilder sb = new StringBuilder(base.toString());
        VfsPath at = VfsPath.ROOT;
        for (String name : path.segments()) {
            DirListing l = listings.get(at);
            DirListing.Node n = l == null ? null : l.get(name);
            if (!at.isRoot()) {
                sb.append('/');
            }
            sb.append(n != null ? n.entry.rawSegment() : UrlCodec.encodeName(name));
            at = at.resolve(name);
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- retries

    /** One attempt of a request. */
    interface Attempt<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code attempt}, retrying transient failures (I/O errors, 5xx) up to the configured
     * number of times with a short backoff; then fails with one log line naming the URL and cause.
     * Answers (404, 403, a malformed listing) are thrown at once, unlogged: the caller reports them.
     */
    <T> T retrying(String what, URI url, Attempt<T> attempt) throws IOException {
        IOException last = null;
        for (int i = 0; i <= options.retries(); i++) {
            try {
                return attempt.run();
            } catch (FileSystemException | MalformedListingException e) {
                throw e; // answers, not faults: the same request would get the same answer
            } catch (HttpStatusException e) {
                if (!e.transientFailure()) {
                    throw e;
                }
                last = e;
            } catch (IOException e) {
                last = e;
            }
            if (i < options.retries()) {
                sleep(100L << i);
            }
        }
        LOG.log(Level.WARNING, what + " " + redacted(url) + " failed after " + (options.retries() + 1) + " attempts: " + last.getMessage());
        throw new IOException(what + " " + redacted(url) + ": " + last.getMessage(), last);
    }

    static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }
}
