package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.SourceFactory;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;

/**
 * Creates {@link Vfs} sources for {@code http://} and {@code https://} directory URLs.
 *
 * <p>Credentials come from the URL's user info or from the options' credentials file (the line
 * with the longest URL prefix of the source). HTTPS uses the JVM's default trust store (on
 * Debian, the system CA list). No network I/O happens here. Stateless and thread-safe.
 */
public final class HttpSourceFactory implements SourceFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public Vfs create(URI url, SourceOptions options) throws IOException {
        HttpSource source = create(url, options, HttpSettings.DEFAULTS, (SSLSocketFactory) SSLSocketFactory.getDefault());
        IndexParser.warmUpInBackground();
        return source;
    }

    /** Creates a source with explicit HTTP limits and TLS socket factory (tests use a private trust store). */
    static HttpSource create(URI url, SourceOptions options, HttpSettings settings, SSLSocketFactory tls) throws IOException {
        URI base = normalise(url);
        Optional<BasicCredentials> creds = BasicCredentials.fromUserInfo(url);
        if (creds.isEmpty() && options.credentialsFile().isPresent()) {
            creds = BasicCredentials.fromFile(options.credentialsFile().get(), base);
        }
        return new HttpSource(base, creds, options, settings, tls);
    }

    /** Returns the URL without user info, query or fragment, its path ending in {@code /}. */
    static URI normalise(URI url) {
        Origin.of(url); // validates scheme, host and port
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (!path.endsWith("/")) {
            path += "/";
        }
        try {
            String port = url.getPort() >= 0 ? ":" + url.getPort() : "";
            return new URI(url.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + url.getHost() + port + path);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed URL: " + e.getReason());
        }
    }
}
