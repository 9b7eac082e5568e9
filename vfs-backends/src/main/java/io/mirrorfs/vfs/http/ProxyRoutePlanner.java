package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.ProxySettings;
import java.net.URI;
import java.net.URISyntaxException;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.routing.DefaultRoutePlanner;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * Routes each request through the proxy {@link ProxySettings} names for its URL, or directly.
 * The client builds the rest of the route: plain HTTP goes to the proxy with the absolute URL
 * in the request line, HTTPS is tunnelled with CONNECT and TLS runs end to end to the origin
 * (RFC 9110 section 9.3.6), so the origin's certificate is verified as without a proxy.
 * Per request, not per source, because a redirect may lead to a host in {@code no_proxy}.
 * Immutable, thread-safe.
 */
final class ProxyRoutePlanner extends DefaultRoutePlanner {

    private final ProxySettings proxies;

    ProxyRoutePlanner(ProxySettings proxies) {
        super(DefaultSchemePortResolver.INSTANCE);
        this.proxies = proxies;
    }

    @Override
    protected HttpHost determineProxy(HttpHost target, HttpContext context) {
        if (proxies.httpProxy().isEmpty() && proxies.httpsProxy().isEmpty()) {
            return null; // the common case, once per request: no URI to build
        }
        URI url;
        try {
            url = new URI(target.getSchemeName(), null, target.getHostName(), target.getPort(), "/", null, null);
        } catch (URISyntaxException e) {
            return null; // not a host a proxy could be chosen for; the connect fails on its own
        }
        return proxies.proxyFor(url).map(ProxyRoutePlanner::host).orElse(null);
    }

    /** Returns the proxy as the client's host, without user info (credentials go through the credentials provider). */
    static HttpHost host(URI proxy) {
        return new HttpHost(proxy.getScheme(), proxy.getHost(), proxy.getPort());
    }
}
