package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.SourceFactory;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Vfs;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.mirrorfs.vfs.ProxySettings;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.hc.core5.http.HttpHost;

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
        HttpSource source = create(url, options, HttpSettings.DEFAULTS, defaultTls());
        IndexParser.warmUpInBackground();
        ClientWarmup.startInBackground();
        return source;
    }

    /** Returns the JVM's default TLS context: its trust store (on Debian, the system CA list) and host name checks by the client. */
    static SSLContext defaultTls() throws IOException {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no TLS implementation: " + e.getMessage(), e);
        }
    }

    /** Creates a source with explicit HTTP limits and TLS context (tests may use a private trust store). */
    static HttpSource create(URI url, SourceOptions options, HttpSettings settings, SSLContext tls) throws IOException {
        URI base = normalise(url);
        Optional<BasicCredentials> creds = BasicCredentials.fromUserInfo(url);
        if (creds.isEmpty() && options.credentialsFile().isPresent()) {
            creds = BasicCredentials.fromFile(options.credentialsFile().get(), base);
        }
        return new HttpSource(base, creds, options, settings, tls, proxyCredentials(options));
    }

    /**
     * Returns the credentials of each proxy: its URL's user info ({@code http://user:pw@proxy:3128},
     * as curl takes it), else the credentials file's line for the proxy URL. They are handed to
     * the client only, which sends them when the proxy asks (407), and never logged.
     */
    static Map<HttpHost, BasicCredentials> proxyCredentials(SourceOptions options) throws IOException {
        Map<HttpHost, BasicCredentials> out = new LinkedHashMap<>();
        ProxySettings p = options.proxies();
        for (Optional<URI> proxy : List.of(p.httpProxy(), p.httpsProxy())) {
            if (proxy.isEmpty()) {
                continue;
            }
            Optional<BasicCredentials> c = BasicCredentials.fromUserInfo(proxy.get());
            if (c.isEmpty() && options.credentialsFile().isPresent()) {
                c = BasicCredentials.fromFile(options.credentialsFile().get(), URI.create(ProxySettings.redacted(proxy.get()) + "/"));
            }
            c.ifPresent(creds -> out.put(ProxyRoutePlanner.host(proxy.get()), creds));
        }
        return out;
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
