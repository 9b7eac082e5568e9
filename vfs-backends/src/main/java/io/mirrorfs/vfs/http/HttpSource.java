package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Listing;
import io.mirrorfs.vfs.SourceMetrics;
import io.mirrorfs.vfs.SourceMetrics.ErrorClass;
import io.mirrorfs.vfs.SourceMetrics.RequestKind;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.SourceUnavailableException;
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
    /** The pages this source works from; the cache layer above owns listings and their freshness. */
    private final RecentListings listings = new RecentListings(RecentListings.DEFAULT_MAX_ENTRIES);
    private final Map<VfsPath, CompletableFuture<DirListing>> inflight = new ConcurrentHashMap<>();

    HttpSource(URI base, Optional<BasicCredentials> credentials, SourceOptions options, HttpSettings settings, SSLContext tls,
            Map<HttpHost, BasicCredentials> proxyCredentials) {
        this.base = base;
        this.options = options;
        this.settings = settings;
        this.pool = new ConnectionPool(options, tls, proxyCredentials, settings.resolver());
        this.requester = new Requester(pool, credentials, Origin.of(base), settings.maxRedirects(), options.readTimeout(),
                options.proxies());
        options.metrics().pool(new SourceMetrics.PoolView(pool::openConnections, pool::waits));
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
        return entriesOf(dir, listing(dir));
    }

    /**
     * Sends the listing's validator back (If-None-Match for an ETag, else If-Modified-Since,
     * RFC 9110 section 13.1) so an unchanged page costs one 304 and no body. Pages without a
     * validator (nginx's autoindex sends none) are fetched again; the cache above compares them.
     */
    @Override
    public Optional<Listing> listIfChanged(VfsPath dir, String knownValidator) throws IOException {
        if (!knownValidator.isEmpty()) {
            Optional<DirListing> fresh = fetchListing(dir, conditionalHeaders(knownValidator));
            if (fresh.isEmpty()) {
                return Optional.empty();
            }
            listings.put(dir, fresh.get());
        }
        DirListing l = listing(dir);
        return Optional.of(new Listing(entriesOf(dir, l), l.validator()));
    }

    private List<DirEntry> entriesOf(VfsPath dir, DirListing l) throws IOException {
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

    /** Returns the request headers that ask whether a page still has {@code validator} (see {@link #pageValidator}). */
    private static List<String[]> conditionalHeaders(String validator) {
        List<String[]> headers = new ArrayList<>(LISTING_HEADERS);
        if (validator.startsWith("etag:")) {
            headers.add(new String[] {"If-None-Match", validator.substring(5)});
        } else if (validator.startsWith("lm:")) {
            headers.add(new String[] {"If-Modified-Since", validator.substring(3)});
        }
        return headers;
    }

    /** Returns the validator {@link #conditionalHeaders} asked about, or empty. */
    private static String conditionalOn(List<String[]> headers) {
        for (String[] h : headers) {
            if (h[0].equals("If-None-Match")) {
                return "etag:" + h[1];
            }
        }
        return "";
    }

    /** Returns a page's validator for {@link Listing}: "etag:TAG", else "lm:DATE", else empty. */
    private static String pageValidator(Validator v) {
        return v.etag().map(e -> "etag:" + e).or(() -> v.lastModified().map(d -> "lm:" + d)).orElse("");
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
        DirListing cached = listings.get(dir, settings.clock().millis());
        if (cached != null) {
            return cached;
        }
        checkParentSaysDirectory(dir);
        CompletableFuture<DirListing> mine = new CompletableFuture<>();
        CompletableFuture<DirListing> running = inflight.putIfAbsent(dir, mine);
        if (running != null) {
            return await(running);
        }
        try {
            DirListing fresh = fetchListing(dir, LISTING_HEADERS).orElseThrow();
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
        DirListing parent = listings.get(dir.parent().orElseThrow(), settings.clock().millis());
        if (parent == null) {
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

    /** Fetches the page of {@code dir}; empty when a conditional request was answered 304 Not Modified. */
    private Optional<DirListing> fetchListing(VfsPath dir, List<String[]> headers) throws IOException {
        URI url = dirUrl(dir);
        return retrying("listing", url, () -> {
            try (Requester.Exchange ex = requester.follow("GET", url, headers)) {
                int s = ex.response.status();
                if (s == 304) {
                    return Optional.empty();
                }
                if (s == 404 || s == 410) {
                    throw new NoSuchFileException(dir.toString(), null, "HTTP " + s + " for " + url);
                }
                requireOk(dir, url, s);
                byte[] body = readBounded(ex.response.body(), url);
                String validator = pageValidator(Validator.of(ex.response));
                if (validator.startsWith("etag:\"") && conditionalOn(headers).equals(validator)) {
                    // Apache's TrackModified pages carry an ETag but never answer 304: the same
                    // strong tag is the same page, so the body need not be parsed again.
                    return Optional.empty();
                }
                URI page = ex.url.getRawPath().endsWith("/") ? ex.url : url;
                List<IndexEntry> entries = IndexParser.parse(body, ex.response.header("content-type").orElse(""), page, settings.maxEntries());
                return Optional.of(new DirListing(page, entries, settings.clock().millis() + settings.listingTtl().toMillis(), validator));
            }
        });
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
            Optional<Long> size = ex.response.header("content-length").map(RepeatedContentLength::parse);
            long bytes = size.orElseGet(() -> listed.map(FileAttrs::size).orElse(0L));
            Instant mtime = mtime(v, listedMtime);
            String version = v.etag().map(e -> "etag:" + e).orElse(FileAttrs.sizeAndMtimeVersion(bytes, mtime));
            return new Probe(ex.url, new FileAttrs(FileType.FILE, bytes, mtime, FileAttrs.DEFAULT_FILE_PERMISSIONS, version), v);
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IOException("bad Content-Length for " + url + ": " + e.getMessage());
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
        DirListing parent = listings.get(path.parent().orElseThrow(), settings.clock().millis());
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
            DirListing l = listings.peek(at);
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
        SourceMetrics metrics = options.metrics();
        RequestKind kind = what.equals("listing") ? RequestKind.HTTP_LISTING : RequestKind.HTTP_HEAD;
        IOException last = null;
        for (int i = 0; i <= options.retries(); i++) {
            long start = System.nanoTime();
            try {
                T result = attempt.run();
                metrics.answered(kind, System.nanoTime() - start); // a 304 too: one request in the server's log
                return result;
            } catch (MalformedListingException e) {
                metrics.answered(kind, System.nanoTime() - start); // answered, with a page the parser cannot use
                metrics.failed(kind, ErrorClass.PROTOCOL);
                throw e; // the same request would get the same answer
            } catch (FileSystemException e) {
                metrics.answered(kind, System.nanoTime() - start); // a definite answer, such as 404
                throw e;
            } catch (HttpStatusException e) {
                metrics.answered(kind, System.nanoTime() - start);
                metrics.failed(kind, ErrorClass.ofStatus(e.status()));
                if (!e.transientFailure()) {
                    throw e;
                }
                last = e;
            } catch (IOException e) {
                metrics.failed(kind, ErrorClass.of(e));
                last = e;
            }
            if (i < options.retries()) {
                metrics.retried(kind);
                sleep(100L << i);
            }
        }
        LOG.log(Level.WARNING, what + " " + redacted(url) + " failed after " + (options.retries() + 1) + " attempts: " + last.getMessage());
        throw new SourceUnavailableException(what + " " + redacted(url) + ": " + last.getMessage(), last);
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
