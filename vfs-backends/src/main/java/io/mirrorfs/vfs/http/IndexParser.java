package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.BackgroundWarmups;

import io.mirrorfs.vfs.VfsPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * Turns a directory page into entries: nginx autoindex (HTML with exact or human sizes, and
 * JSON), Apache mod_autoindex (plain, FancyIndexing, HTMLTable), lighttpd mod_dirlisting, Caddy
 * {@code browse}, Python's {@code http.server}, and a generic fallback for any other page.
 *
 * <p>The page is parsed with jsoup. An entry is any link whose target, resolved against the page
 * URL and decoded once, is one segment below the page's directory on the same origin; parent
 * links, sort links ({@code ?C=N;O=D}), other hosts and deeper paths are ignored. The name always
 * comes from the link target, never from the (possibly truncated or escaped) link text. Sizes
 * and dates are read from the entry's row: the table row, or the rest of the line in a
 * {@code <pre>} listing. Pure functions; thread-safe.
 */
final class IndexParser {

    private static final System.Logger LOG = System.getLogger(IndexParser.class.getName());

    /** Date shapes of listings; all are read as UTC (nginx's default, and Apache's when TZ=UTC). */
    private static final List<DatePattern> DATES = List.of(
            new DatePattern(Pattern.compile("\\b(\\d{2}-[A-Za-z]{3}-\\d{4} \\d{2}:\\d{2}(?::\\d{2})?)\\b"), "dd-MMM-yyyy HH:mm[:ss]"),
            new DatePattern(Pattern.compile("\\b(\\d{4}-[A-Za-z]{3}-\\d{2} \\d{2}:\\d{2}(?::\\d{2})?)\\b"), "yyyy-MMM-dd HH:mm[:ss]"),
            new DatePattern(Pattern.compile("\\b(\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(?::\\d{2})?)\\b"), "yyyy-MM-dd['T'][' ']HH:mm[:ss]"));
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTPE]i?B?|B|bytes)?", Pattern.CASE_INSENSITIVE);

    private IndexParser() {
    }

    /**
     * Returns the entries of a directory page.
     *
     * @param body        the page, at most the configured listing limit
     * @param contentType the {@code Content-Type} header, or empty
     * @param pageUrl     the URL the page was finally served from (after redirects); its path ends in {@code /}
     * @param maxEntries  entries beyond this many are dropped with a warning
     * @throws IOException if a JSON page is malformed
     */
    static List<IndexEntry> parse(byte[] body, String contentType, URI pageUrl, int maxEntries) throws IOException {
        Sink sink = new Sink(pageUrl, maxEntries);
        String ct = contentType.toLowerCase(Locale.ROOT);
        if (ct.contains("json") || looksLikeJson(body)) {
            return JsonIndexParser.parse(body, sink);
        }
        Document doc = Jsoup.parse(new ByteArrayInputStream(body), charset(ct), pageUrl.toString());
        boolean known = isKnownFormat(doc);
        List<byte[]> base = segments(pageUrl.getRawPath());
        for (Element a : doc.select("a[href]")) {
            Optional<Link> link = resolve(a.attr("href"), pageUrl, base);
            if (link.isEmpty()) {
                continue;
            }
            Row row = rowOf(a);
            IndexEntry.Kind kind = link.get().slash ? IndexEntry.Kind.DIRECTORY
                    : known ? IndexEntry.Kind.FILE : IndexEntry.Kind.UNKNOWN;
            sink.add(link.get().name, kind, kind == IndexEntry.Kind.DIRECTORY ? OptionalLong.empty() : row.size, row.mtime);
        }
        return sink.entries();
    }

    /** Parses of the sample page by {@link #warmUpInBackground}. */
    static final int WARM_UP_PAGES = 30;

    /**
     * Parses a built-in sample listing a few times on a background thread, once per JVM.
     * Why: the first page a fresh daemon parses loads and initialises jsoup (measured: 200 ms for
     * the first 100-entry nginx page, 0.4 ms once warm), and the next few hundred run
     * interpreted; without this, a user's first {@code ls} or {@code find} paid for it. Costs
     * about 0.3 CPU-seconds at start-up, in the background ({@link BackgroundWarmups}). Never throws.
     */
    static void warmUpInBackground() {
        BackgroundWarmups.start("mirrorfs-listing-warmup", IndexParser::warmUp);
    }

    /** Parses {@link #WARM_UP_PAGES} sample pages (nginx autoindex, 100 entries); returns the entries seen. */
    static int warmUp() {
        StringBuilder page = new StringBuilder("<html><head><title>Index of /d/</title></head><body>"
                + "<h1>Index of /d/</h1><hr><pre><a href=\"../\">../</a>\n");
        for (int i = 0; i < 100; i++) {
            String name = (i % 10 == 0 ? "dir" : "file") + i + (i % 10 == 0 ? "/" : ".txt");
            page.append("<a href=\"").append(name).append("\">").append(name).append("</a>")
                    .append(" ".repeat(40 - name.length())).append("25-Nov-2026 17:40").append(i % 10 == 0 ? "       -" : "    " + (i * 977))
                    .append('\n');
        }
        byte[] body = page.append("</pre><hr></body></html>").toString().getBytes(StandardCharsets.UTF_8);
        URI url = URI.create("http://127.0.0.1/d/");
        int seen = 0;
        try {
            for (int i = 0; i < WARM_UP_PAGES; i++) {
                seen += parse(body, "text/html", url, Integer.MAX_VALUE).size();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "listing parser warm-up failed: " + e);
        }
        return seen;
    }

    private static boolean looksLikeJson(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return b == '[';
            }
        }
        return false;
    }

    private static String charset(String contentType) {
        int i = contentType.indexOf("charset=");
        return i < 0 ? null : contentType.substring(i + 8).replace("\"", "").split("[;\\s]")[0];
    }

    /** Returns whether the page is one of the known listings, whose link-without-slash means a file. */
    private static boolean isKnownFormat(Document doc) {
        String title = doc.title();
        Element h1 = doc.selectFirst("h1");
        return title.startsWith("Index of ")                                        // nginx, Apache, lighttpd
                || title.startsWith("Directory listing for ")                       // Python http.server
                || h1 != null && h1.text().startsWith("Index of ")
                || doc.selectFirst("div.list table[summary=Directory Listing]") != null // lighttpd
                || doc.selectFirst("td[data-size], div.listing") != null;           // Caddy
    }

    // ---------------------------------------------------------------- link resolution

    /** A link that names one entry: its decoded name bytes and whether it ended in a slash. */
    private record Link(byte[] name, boolean slash) {
    }

    private static Optional<Link> resolve(String href, URI page, List<byte[]> base) {
        String h = href.strip();
        int hash = h.indexOf('#');
        if (hash >= 0) {
            h = h.substring(0, hash);
        }
        int q = h.indexOf('?');
        if (q >= 0) {
            h = h.substring(0, q);
        }
        if (h.isEmpty()) {
            return Optional.empty();
        }
        String path;
        int colon = h.indexOf(':');
        int slash = h.indexOf('/');
        if (colon > 0 && (slash < 0 || colon < slash)) {
            String scheme = h.substring(0, colon);
            if (!scheme.equalsIgnoreCase(page.getScheme()) || !h.startsWith("//", colon + 1)) {
                return Optional.empty();
            }
            path = sameOriginPath(h.substring(colon + 3), page);
        } else if (h.startsWith("//")) {
            path = sameOriginPath(h.substring(2), page);
        } else if (h.startsWith("/")) {
            path = h;
        } else {
            path = page.getRawPath().substring(0, page.getRawPath().lastIndexOf('/') + 1) + h;
        }
        if (path == null) {
            return Optional.empty();
        }
        boolean dir = path.endsWith("/");
        List<byte[]> segs = segments(path);
        if (segs.size() != base.size() + 1) {
            return Optional.empty();
        }
        for (int i = 0; i < base.size(); i++) {
            if (!Arrays.equals(base.get(i), segs.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(new Link(segs.get(base.size()), dir));
    }

    /** Returns the path of {@code authorityAndPath} if the authority is the page's, else null. */
    private static String sameOriginPath(String authorityAndPath, URI page) {
        int s = authorityAndPath.indexOf('/');
        String authority = s < 0 ? authorityAndPath : authorityAndPath.substring(0, s);
        String path = s < 0 ? "/" : authorityAndPath.substring(s);
        authority = authority.substring(authority.indexOf('@') + 1).toLowerCase(Locale.ROOT);
        int defaultPort = "https".equalsIgnoreCase(page.getScheme()) ? 443 : 80;
        String host = page.getHost().toLowerCase(Locale.ROOT);
        int port = page.getPort() < 0 ? defaultPort : page.getPort();
        boolean same = authority.equals(host + ":" + port) || port == defaultPort && authority.equals(host);
        return same ? path : null;
    }

    /** Returns the decoded segments of a raw absolute path, with {@code .} and {@code ..} resolved. */
    private static List<byte[]> segments(String rawPath) {
        List<byte[]> out = new ArrayList<>();
        for (String part : rawPath.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                continue;
            }
            out.add(UrlCodec.decode(part));
        }
        return out;
    }

    // ---------------------------------------------------------------- sizes and dates

    /** What an entry's row says besides the name. */
    private record Row(OptionalLong size, Optional<Instant> mtime) {
    }

    private static Row rowOf(Element a) {
        Element tr = a.closest("tr");
        if (tr != null) {
            return tableRow(tr, a);
        }
        if (a.closest("pre") != null) {
            return textRow(restOfLine(a));
        }
        return new Row(OptionalLong.empty(), Optional.empty());
    }

    private static Row tableRow(Element tr, Element a) {
        Element sized = tr.selectFirst("[data-size]");
        Element time = tr.selectFirst("time[datetime]");
        if (sized != null || time != null) { // Caddy: exact size and ISO time in attributes
            OptionalLong size = OptionalLong.empty();
            if (sized != null) {
                try {
                    size = OptionalLong.of(Long.parseLong(sized.attr("data-size").trim()));
                } catch (NumberFormatException e) {
                    size = OptionalLong.empty();
                }
            }
            return new Row(size, time == null ? Optional.empty() : isoDate(time.attr("datetime")));
        }
        StringBuilder text = new StringBuilder();
        for (Element td : tr.children()) {
            if (!td.equals(a) && !td.select("a").contains(a)) {
                text.append(td.text()).append("  ");
            }
        }
        return textRow(text.toString());
    }

    /** Returns the text after the link up to the end of its line, as in nginx and Apache {@code <pre>} listings. */
    private static String restOfLine(Element a) {
        StringBuilder sb = new StringBuilder();
        for (Node n = a.nextSibling(); n != null; n = n.nextSibling()) {
            if (!(n instanceof TextNode t)) {
                if (n instanceof Element e && e.tagName().equals("a")) {
                    break;
                }
                continue;
            }
            String s = t.getWholeText();
            int nl = s.indexOf('\n');
            if (nl >= 0) {
                sb.append(s, 0, nl);
                break;
            }
            sb.append(s);
        }
        return sb.toString();
    }

    private static Row textRow(String text) {
        Optional<Instant> mtime = Optional.empty();
        String rest = text.replace('\u00a0', ' ');
        for (DatePattern d : DATES) {
            Matcher m = d.pattern.matcher(rest);
            if (m.find()) {
                mtime = d.parse(m.group(1));
                rest = rest.substring(0, m.start()) + " " + rest.substring(m.end());
                break;
            }
        }
        return new Row(exactSize(rest), mtime);
    }

    /** Returns the size when the row has a plain number of bytes; human sizes ({@code 1.2K}, {@code 3M}) are not exact. */
    private static OptionalLong exactSize(String rest) {
        String[] tokens = rest.trim().split("\\s+");
        for (String token : tokens) {
            Matcher m = SIZE.matcher(token);
            if (!m.matches()) {
                continue;
            }
            String unit = m.group(2);
            boolean bytes = unit == null || unit.equalsIgnoreCase("B") || unit.equalsIgnoreCase("bytes");
            if (bytes && m.group(1).indexOf('.') < 0) {
                try {
                    return OptionalLong.of(Long.parseLong(m.group(1)));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    private static Optional<Instant> isoDate(String s) {
        try {
            return Optional.of(OffsetDateTime.parse(s.trim()).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(Instant.parse(s.trim()));
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    /** A date shape found by a pattern and read by a formatter. */
    private record DatePattern(Pattern pattern, DateTimeFormatter format) {
        DatePattern(Pattern pattern, String format) {
            this(pattern, new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern(format).toFormatter(Locale.ROOT));
        }

        Optional<Instant> parse(String s) {
            try {
                return Optional.of(LocalDateTime.parse(s, format).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
    }

    // ---------------------------------------------------------------- collecting

    /** Collects entries: drops invalid names with a warning, keeps the first of duplicates, bounds the count. */
    static final class Sink {
        private final URI page;
        private final int maxEntries;
        private final Map<String, IndexEntry> entries = new LinkedHashMap<>();
        private boolean truncated;

        Sink(URI page, int maxEntries) {
            this.page = page;
            this.maxEntries = maxEntries;
        }

        void add(byte[] nameBytes, IndexEntry.Kind kind, OptionalLong size, Optional<Instant> mtime) {
            String name = UrlCodec.name(nameBytes);
            if (!VfsPath.isValidName(name)) {
                if (!name.equals(".") && !name.equals("..") && !name.isEmpty()) {
                    LOG.log(Level.WARNING, "listing " + page + ": dropped entry whose name contains '/' or NUL: "
                            + name.replace("\0", "\\0"));
                }
                return;
            }
            if (entries.containsKey(name)) {
                return;
            }
            if (entries.size() >= maxEntries) {
                if (!truncated) {
                    LOG.log(Level.WARNING, "listing " + page + " has more than " + maxEntries + " entries; the rest are not shown");
                    truncated = true;
                }
                return;
            }
            entries.put(name, new IndexEntry(name, UrlCodec.encode(nameBytes), kind, size, mtime));
        }

        List<IndexEntry> entries() {
            return new ArrayList<>(entries.values());
        }

        /** Returns the URL of the page being parsed, for messages. */
        URI page() {
            return page;
        }
    }
}
