package io.mirrorfs.vfs;

import io.mirrorfs.vfs.ftp.FtpSourceFactory;
import io.mirrorfs.vfs.http.HttpSourceFactory;
import io.mirrorfs.vfs.local.LocalSourceFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Turns source URLs into {@link Vfs} instances, by scheme. Thread-safe. */
public final class Sources {

    private static final List<SourceFactory> FACTORIES = List.of(new LocalSourceFactory(), new FtpSourceFactory(), new HttpSourceFactory());

    private Sources() {
    }

    /** Returns the schemes understood, sorted, for help texts and error messages. */
    public static List<String> schemes() {
        return List.copyOf(byScheme().keySet());
    }

    /**
     * Parses {@code url} and returns the source for it.
     *
     * @throws IllegalArgumentException for malformed URLs or unknown schemes, with a message
     *                                  naming the URL and the schemes that are known
     */
    public static Vfs open(String url, SourceOptions options) throws IOException {
        URI uri = parse(url);
        SourceFactory factory = byScheme().get(uri.getScheme().toLowerCase(Locale.ROOT));
        if (factory == null) {
            throw new IllegalArgumentException("unknown URL scheme '" + uri.getScheme() + "' in " + redact(url)
                    + " (supported: " + String.join(", ", schemes()) + ")");
        }
        return factory.create(uri, options);
    }

    /** Returns {@code url} with any password in its user info replaced by {@code ***}. */
    public static String redact(String url) {
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://[^/@:]*):[^/@]*@", "$1:***@");
    }

    private static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed URL " + redact(url) + ": " + e.getReason());
        }
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("URL " + redact(url) + " has no scheme (expected e.g. file:///srv/data or http://host/dir/)");
        }
        return uri;
    }

    private static Map<String, SourceFactory> byScheme() {
        Map<String, SourceFactory> map = new TreeMap<>();
        for (SourceFactory f : FACTORIES) {
            for (String s : f.schemes()) {
                map.put(s, f);
            }
        }
        return map;
    }
}
