package io.mirrorfs.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The proxy choice as curl and wget users expect it, from environments given as plain maps. */
class ProxySettingsTest {

    private static final URI SQUID = URI.create("http://squid.corp:3128");

    @Test
    void lowerCaseVariablesWinAndUpperCaseOnesAreTheFallback() {
        ProxySettings p = ProxySettings.fromEnvironment(Map.of("http_proxy", "http://a:1", "HTTP_PROXY", "http://b:2",
                "HTTPS_PROXY", "http://c:3", "NO_PROXY", "x.org"));
        assertEquals(Optional.of(URI.create("http://a:1")), p.httpProxy());
        assertEquals(Optional.of(URI.create("http://c:3")), p.httpsProxy());
        assertEquals(List.of("x.org"), p.noProxy());
        assertEquals(Optional.of(URI.create("http://b:2")), ProxySettings.fromEnvironment(Map.of("HTTP_PROXY", "http://b:2")).httpProxy());
    }

    @Test
    void upperCaseHttpProxyIsIgnoredInACgiEnvironment() {
        // httpoxy: a CGI program gets the client's "Proxy:" header as HTTP_PROXY.
        assertEquals(Optional.empty(), ProxySettings.fromEnvironment(Map.of("HTTP_PROXY", "http://evil:80", "REQUEST_METHOD", "GET")).httpProxy());
    }

    @Test
    void schemeAndPortDefaultLikeCurl() {
        assertEquals(URI.create("http://proxy:1080"), ProxySettings.parse("proxy"));
        assertEquals(URI.create("http://proxy:3128"), ProxySettings.parse("proxy:3128"));
        assertThrows(IllegalArgumentException.class, () -> ProxySettings.parse("socks5://proxy:1080"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProxySettings.fromEnvironment(Map.of("https_proxy", "ftp://u:secret@p:21")));
        assertTrue(e.getMessage().startsWith("https_proxy"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "http://example.org/pub/,     example.org,        true",
        "http://ftp.example.org/pub/, example.org,        true",
        "http://ftp.example.org/pub/, .example.org,       true",
        "http://badexample.org/,      example.org,        false",
        "https://anything.net/,       '*',                true",
        "http://127.0.0.1:8080/,      127.0.0.1,          true",
        "http://127.0.0.1:8080/,      127.0.0.1:8080,     true",
        "http://127.0.0.1:8080/,      127.0.0.1:9090,     false",
        "https://Mirror.Example.ORG/, MIRROR.example.org, true",
        "http://[::1]:80/,            '[::1]',            true",
        "http://other.org/,           'a.org, b.org',     false",
    })
    void noProxyMatchesHostsAndTheirSubdomains(String url, String noProxy, boolean bypass) {
        ProxySettings p = ProxySettings.fromEnvironment(Map.of("http_proxy", SQUID.toString(), "https_proxy", SQUID.toString(),
                "no_proxy", noProxy));
        assertEquals(bypass, p.bypasses(URI.create(url)));
        assertEquals(bypass ? Optional.empty() : Optional.of(SQUID), p.proxyFor(URI.create(url)));
    }

    @Test
    void optionsOverrideTheEnvironment() {
        ProxySettings env = ProxySettings.fromEnvironment(Map.of("http_proxy", "http://a:1", "no_proxy", "x.org"));
        ProxySettings p = env.withProxy(SQUID).withNoProxy(ProxySettings.splitList("y.org,z.org"));
        assertEquals(Optional.of(SQUID), p.proxyFor(URI.create("http://x.org/")));
        assertEquals(Optional.of(SQUID), p.proxyFor(URI.create("https://x.org/")));
        assertEquals(Optional.empty(), p.proxyFor(URI.create("http://y.org/")));
        assertEquals(Optional.empty(), p.proxyFor(URI.create("ftp://x.org/")));
    }

    @Test
    void passwordsNeverShowInDescriptions() {
        ProxySettings p = ProxySettings.NONE.withProxy(URI.create("http://alice:s3cret@squid:3128"));
        assertEquals("http=http://squid:3128 https=http://squid:3128", p.describe());
        assertFalse(p.toString().contains("s3cret"), p.toString());
        assertEquals("none", ProxySettings.NONE.describe());
    }

    @Test
    void cidrRangesMatchAddressesInsideThemAndNeverNames() {
        ProxySettings p = ProxySettings.NONE.withProxy(SQUID)
                .withNoProxy(ProxySettings.splitList("10.0.0.0/8, 192.168.1.128/25,[fd00::]/8,172.16.0.0/33,bad/8"));
        assertEquals(Optional.empty(), p.proxyFor(URI.create("http://10.200.3.4/")));
        assertEquals(Optional.empty(), p.proxyFor(URI.create("http://192.168.1.200:8080/")));
        assertEquals(Optional.of(SQUID), p.proxyFor(URI.create("http://192.168.1.127/")), "just below the /25");
        assertEquals(Optional.of(SQUID), p.proxyFor(URI.create("http://11.0.0.1/")));
        assertEquals(Optional.empty(), p.proxyFor(URI.create("http://[fd12:3456::1]/")));
        assertEquals(Optional.of(SQUID), p.proxyFor(URI.create("http://[fe80::1]/")));
        assertEquals(Optional.of(SQUID), p.proxyFor(URI.create("http://172.16.0.1/")), "a /33 of IPv4 is no range");
        assertEquals(Optional.of(SQUID), p.proxyFor(URI.create("http://10.example.org/")), "a name is not looked up to match a range");
        assertTrue(ProxySettings.inRange("127.0.0.1", "0.0.0.0/0"));
        assertFalse(ProxySettings.inRange("::1", "0.0.0.0/0"), "families differ");
        assertFalse(ProxySettings.inRange("127.0.0.1", "127.0.0.0/x"));
    }
}
