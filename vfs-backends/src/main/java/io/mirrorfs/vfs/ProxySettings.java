package io.mirrorfs.vfs;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which HTTP proxy a request goes through, the way curl and wget read it: {@code http_proxy} for
 * {@code http://} URLs, {@code https_proxy} for {@code https://} URLs (tunnelled with CONNECT),
 * and {@code no_proxy}, a comma-separated list of hosts reached directly.
 *
 * <p>A {@code no_proxy} entry matches the host itself and every host below it ({@code
 * example.org} and {@code .example.org} both match {@code ftp.example.org}); {@code *} matches
 * every host; an entry with {@code :PORT} matches that port only. An address matches itself, and
 * a range in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}) matches every address in it, as
 * in curl 7.86 and later; like curl, a range matches a URL whose host is an address, never a name
 * (no lookup is made to decide). Immutable and thread-safe.
 *
 * @param httpProxy  the proxy for {@code http://} URLs
 * @param httpsProxy the proxy for {@code https://} URLs
 * @param noProxy    hosts (lower case, leading dots removed) reached without a proxy
 */
public record ProxySettings(Optional<URI> httpProxy, Optional<URI> httpsProxy, List<String> noProxy) {

    /** No proxy at all. */
    public static final ProxySettings NONE = new ProxySettings(Optional.empty(), Optional.empty(), List.of());

    /** Validates the proxy URLs and normalises the no-proxy list. */
    public ProxySettings {
        Objects.requireNonNull(httpProxy, "httpProxy");
        Objects.requireNonNull(httpsProxy, "httpsProxy");
        httpProxy.ifPresent(ProxySettings::requireProxyUrl);
        httpsProxy.ifPresent(ProxySettings::requireProxyUrl);
        noProxy = noProxy.stream().map(ProxySettings::normaliseEntry).filter(e -> !e.isEmpty()).toList();
    }

    /**
     * Returns the settings of a process environment: {@code http_proxy}, {@code https_proxy} and
     * {@code no_proxy}, each falling back to its upper-case form. {@code HTTP_PROXY} is ignored
     * when {@code REQUEST_METHOD} is set, as Go's net/http does: a CGI program receives a client's
     * {@code Proxy:} header as {@code HTTP_PROXY} (httpoxy, CVE-2016-5385).
     *
     * @throws IllegalArgumentException if a variable holds no usable proxy URL (the message names the variable)
     */
    public static ProxySettings fromEnvironment(Map<String, String> env) {
        Optional<URI> http = variable(env, "http_proxy", env.containsKey("REQUEST_METHOD") ? null : "HTTP_PROXY");
        Optional<URI> https = variable(env, "https_proxy", "HTTPS_PROXY");
        String no = env.getOrDefault("no_proxy", env.getOrDefault("NO_PROXY", ""));
        return new ProxySettings(http, https, splitList(no));
    }

    /** Returns these settings with {@code proxy} for both schemes ({@code --proxy}). */
    public ProxySettings withProxy(URI proxy) {
        return new ProxySettings(Optional.of(proxy), Optional.of(proxy), noProxy);
    }

    /** Returns these settings with another no-proxy list ({@code --no-proxy}). */
    public ProxySettings withNoProxy(List<String> hosts) {
        return new ProxySettings(httpProxy, httpsProxy, hosts);
    }

    /** Splits a comma- (or space-) separated host list. */
    public static List<String> splitList(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.split("[,\\s]+")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /** Returns the proxy for {@code target}, or empty when it is reached directly. */
    public Optional<URI> proxyFor(URI target) {
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        Optional<URI> proxy = switch (scheme) {
            case "http" -> httpProxy;
            case "https" -> httpsProxy;
            default -> Optional.empty();
        };
        if (proxy.isEmpty() || bypasses(target)) {
            return Optional.empty();
        }
        return proxy;
    }

    /** Returns whether {@code target}'s host is in the no-proxy list. */
    public boolean bypasses(URI target) {
        String host = target.getHost() == null ? "" : target.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = target.getPort() >= 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;
        for (String e : noProxy) {
            if (e.equals("*")) {
                return true;
            }
            if (e.indexOf('/') > 0) {
                if (inRange(host, e)) {
                    return true;
                }
                continue;
            }
            String name = e;
            int colon = e.lastIndexOf(':');
            if (colon > 0 && e.indexOf(':') == colon && e.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                if (Integer.parseInt(e.substring(colon + 1)) != port) {
                    continue;
                }
                name = e.substring(0, colon);
            }
            if (host.equals(name) || host.endsWith("." + name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns whether {@code host} is an address literal inside {@code range} ({@code ADDR/BITS});
     * false for a host name, a malformed range or addresses of different families.
     */
    static boolean inRange(String host, String range) {
        int slash = range.indexOf('/');
        Optional<byte[]> net = addressLiteral(range.substring(0, slash));
        Optional<byte[]> address = addressLiteral(host);
        String bitsText = range.substring(slash + 1);
        if (net.isEmpty() || address.isEmpty() || net.get().length != address.get().length
                || bitsText.isEmpty() || bitsText.length() > 3 || !bitsText.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int bits = Integer.parseInt(bitsText);
        byte[] a = address.get();
        byte[] n = net.get();
        if (bits > 8 * a.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((a[i / 8] & mask) != (n[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Returns the bytes of an IPv4 or IPv6 literal; empty for anything else (never a DNS lookup). */
    private static Optional<byte[]> addressLiteral(String s) {
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9a-f:.]+");
        if (!v4 && !v6) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(s).getAddress()); // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Returns {@code proxy} as it may be logged or shown: without user info. */
    public static String redacted(URI proxy) {
        String port = proxy.getPort() >= 0 ? ":" + proxy.getPort() : "";
        return proxy.getScheme() + "://" + proxy.getHost() + port;
    }

    /** Returns a one-line description for the stats file, e.g. {@code http=http://127.0.0.1:3128 no_proxy=localhost}. */
    public String describe() {
        if (httpProxy.isEmpty() && httpsProxy.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        httpProxy.ifPresent(p -> sb.append("http=").append(redacted(p)));
        httpsProxy.ifPresent(p -> sb.append(sb.isEmpty() ? "" : " ").append("https=").append(redacted(p)));
        if (!noProxy.isEmpty()) {
            sb.append(" no_proxy=").append(String.join(",", noProxy));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ProxySettings[" + describe() + "]"; // never the proxy's user info
    }

    private static Optional<URI> variable(Map<String, String> env, String lower, String upper) {
        String v = env.get(lower);
        String name = lower;
        if ((v == null || v.isBlank()) && upper != null) {
            v = env.get(upper);
            name = upper;
        }
        if (v == null || v.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    /**
     * Parses a proxy URL as curl does: {@code host:port} without a scheme means {@code http://},
     * and a missing port means 1080 (curl's default).
     *
     * @throws IllegalArgumentException if it is not an {@code http://} URL with a host (the message never shows a password)
     */
    public static URI parse(String value) {
        String v = value.strip();
        if (!v.contains("://")) {
            v = "http://" + v;
        }
        URI u;
        try {
            u = URI.create(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a proxy URL");
        }
        requireProxyUrl(u);
        if (u.getPort() < 0) {
            u = URI.create(u.getScheme() + "://" + (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@") + u.getHost() + ":1080");
        }
        return u;
    }

    private static void requireProxyUrl(URI u) {
        if (!"http".equalsIgnoreCase(u.getScheme()) || u.getHost() == null) {
            // HTTPS-to-the-proxy and SOCKS are not supported by the client's classic route planner here.
            throw new IllegalArgumentException("a proxy must be an http://HOST:PORT URL, got " + (u.getHost() == null
                    ? "a URL without a host" : redacted(u)));
        }
    }

    private static String normaliseEntry(String e) {
        String s = e.strip().toLowerCase(Locale.ROOT);
        while (s.startsWith(".")) {
            s = s.substring(1);
        }
        if (s.startsWith("*.")) {
            s = s.substring(2);
        }
        if (s.startsWith("[") && s.contains("]")) {
            s = s.substring(1, s.indexOf(']')) + s.substring(s.indexOf(']') + 1);
        }
        return s;
    }
}
