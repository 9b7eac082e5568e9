package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.SourceFactory;
import io.mirrorfs.vfs.SourceOptions;
import io.mirrorfs.vfs.Sources;
import io.mirrorfs.vfs.Vfs;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Creates FTP sources for {@code ftp://[USER[:PASSWORD]@]HOST[:PORT]/DIR/} and, with explicit TLS,
 * {@code ftps://} URLs.
 *
 * <p>The directory is relative to the login directory, as in curl (anonymous logins usually start
 * at the server's root). The login comes, in this order, from the URL's password, from the
 * environment variable named by the {@code password_env=NAME} query parameter, from the
 * credentials file ({@link SourceOptions#credentialsFile()}), or is anonymous. Other query
 * parameters: {@code mode=active|passive} and {@code connections=N} (the pool size; by default
 * {@code min(--max-connections, 4)}, because many FTP servers allow only a few connections per
 * client). Does no network I/O. Stateless and thread-safe.
 */
public final class FtpSourceFactory implements SourceFactory {

    /** The default bound of connections per FTP server: FTP servers often allow few per client. */
    static final int DEFAULT_MAX_CONNECTIONS = 4;

    private final UnaryOperator<String> environment;

    /** Creates a factory that reads password variables from the process environment. */
    public FtpSourceFactory() {
        this(System::getenv);
    }

    /** Creates a factory reading password variables through {@code environment} (for tests). */
    FtpSourceFactory(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("ftp", "ftps");
    }

    @Override
    public Vfs create(URI url, SourceOptions options) throws IOException {
        return new FtpSource(endpoint(url, options), options);
    }

    /** Parses {@code url} and resolves its login; reads the credentials file, nothing else. */
    FtpEndpoint endpoint(URI url, SourceOptions options) throws IOException {
        String shown = Sources.redact(url.toString());
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("FTP URL without a host: " + shown + " (expected ftp://HOST/DIR/)");
        }
        if (url.getFragment() != null) {
            throw new IllegalArgumentException("FTP URL with a fragment: " + shown);
        }
        boolean active = options.ftpActiveMode();
        int connections = Math.min(options.maxConnections(), DEFAULT_MAX_CONNECTIONS);
        String passwordEnv = null;
        for (String param : rawQueryParams(url)) {
            int eq = param.indexOf('=');
            String key = eq < 0 ? param : param.substring(0, eq);
            String value = eq < 0 ? "" : decode(param.substring(eq + 1));
            switch (key) {
                case "password_env" -> passwordEnv = value;
                case "mode" -> active = parseMode(value, shown);
                case "connections" -> connections = parseConnections(value, shown);
                default -> throw new IllegalArgumentException("unknown FTP URL parameter '" + key + "' in " + shown
                        + " (known: password_env=NAME, mode=active|passive, connections=N)");
            }
        }
        List<String> dir = new ArrayList<>();
        String rawPath = url.getRawPath() == null ? "" : url.getRawPath();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                dir.add(decode(s));
            }
        }
        int port = url.getPort() < 0 ? 21 : url.getPort();
        FtpCredentials.Login login = login(url, options, passwordEnv, shown);
        return new FtpEndpoint(url.getHost(), port, scheme.equals("ftps"), dir, login.user(), login.password(), active,
                connections);
    }

    private FtpCredentials.Login login(URI url, SourceOptions options, String passwordEnv, String shown) throws IOException {
        String rawUserInfo = url.getRawUserInfo();
        Optional<String> user = Optional.empty();
        if (rawUserInfo != null && !rawUserInfo.isEmpty()) {
            int colon = rawUserInfo.indexOf(':');
            String u = decode(colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon));
            if (colon >= 0) {
                return new FtpCredentials.Login(u, decode(rawUserInfo.substring(colon + 1)));
            }
            user = Optional.of(u);
        }
        if (passwordEnv != null) {
            String password = environment.apply(passwordEnv);
            if (password == null) {
                throw new IllegalArgumentException("environment variable " + passwordEnv + " named by " + shown + " is not set");
            }
            return new FtpCredentials.Login(user.orElse(FtpEndpoint.ANONYMOUS), password);
        }
        if (options.credentialsFile().isPresent()) {
            String bare = url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority().replaceFirst("^.*@", "")
                    + (url.getRawPath() == null ? "" : url.getRawPath());
            Optional<FtpCredentials.Login> found;
            try {
                found = FtpCredentials.lookup(options.credentialsFile().get(), bare, user);
            } catch (IOException e) {
                throw new IOException("cannot read credentials file " + options.credentialsFile().get() + ": " + e, e);
            }
            if (found.isPresent()) {
                return found.get();
            }
        }
        // RFC 1635: anonymous logins send an e-mail-like password; nothing identifying is sent.
        return new FtpCredentials.Login(user.orElse(FtpEndpoint.ANONYMOUS), user.isPresent() ? "" : "mirrorfs@");
    }

    private static boolean parseMode(String value, String shown) {
        return switch (value) {
            case "active" -> true;
            case "passive" -> false;
            default -> throw new IllegalArgumentException("mode must be active or passive, got '" + value + "' in " + shown);
        };
    }

    private static int parseConnections(String value, String shown) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 64) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("connections must be 1 to 64, got '" + value + "' in " + shown);
    }

    private static List<String> rawQueryParams(URI url) {
        String q = url.getRawQuery();
        List<String> params = new ArrayList<>();
        if (q != null) {
            for (String p : q.split("&")) {
                if (!p.isEmpty()) {
                    params.add(p);
                }
            }
        }
        return params;
    }

    private static String decode(String s) {
        // URLDecoder turns '+' into a space, which is form encoding, not URL path encoding.
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
