package io.mirrorfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * nginx ({@code /usr/sbin/nginx}) serving a directory with {@code autoindex} on 127.0.0.1.
 *
 * <pre>{@code
 * try (NginxServer nginx = NginxServer.start(dir, NginxServer.Listing.EXACT)) {
 *     Vfs http = Sources.open(nginx.url(), SourceOptions.DEFAULTS);
 * }
 * }</pre>
 *
 * <p>Besides {@code /}, the server has {@code /norange/} (the same tree with {@code max_ranges 0},
 * a server that ignores {@code Range}) and, when {@link #withBasicAuth} was used, {@code /private/}
 * (the same tree behind basic auth). {@link #withTls} serves HTTPS with a self-signed certificate
 * for 127.0.0.1, made by openssl at start-up; {@link #trustStore} holds it for the client side.
 */
public final class NginxServer extends TestHttpServer {

    /** How the autoindex pages look. */
    public enum Listing {
        /** HTML with exact byte sizes ({@code autoindex_exact_size on}, the default). */
        EXACT,
        /** HTML with human sizes such as {@code 3M} ({@code autoindex_exact_size off}). */
        HUMAN,
        /** {@code autoindex_format json}. */
        JSON
    }

    private final Listing listing;
    private String user;
    private String password;
    private boolean tls;
    private TestCertificate certificate;

    private NginxServer(Path docRoot, Listing listing) throws IOException {
        super(docRoot);
        this.listing = listing;
    }

    /** Starts nginx serving {@code docRoot} with the given listing format. */
    public static NginxServer start(Path docRoot, Listing listing) throws IOException {
        return start(docRoot, listing, null, null);
    }

    /** Starts nginx serving {@code docRoot}, with {@code /private/} requiring {@code user}/{@code password}. */
    public static NginxServer withBasicAuth(Path docRoot, Listing listing, String user, String password) throws IOException {
        return start(docRoot, listing, user, password);
    }

    /** Starts nginx serving {@code docRoot} over HTTPS only, with a fresh self-signed certificate. */
    public static NginxServer withTls(Path docRoot, Listing listing) throws IOException {
        NginxServer s = new NginxServer(docRoot, listing);
        s.tls = true;
        return started(s, server -> server.certificate = TestCertificate.create(server.work));
    }

    private static NginxServer start(Path docRoot, Listing listing, String user, String password) throws IOException {
        NginxServer s = new NginxServer(docRoot, listing);
        s.user = user;
        s.password = password;
        return started(s);
    }

    @Override
    public String url() {
        return tls ? super.url().replace("http://", "https://") : super.url();
    }

    /** Returns the TLS certificate (of a server started {@link #withTls}). */
    public TestCertificate certificate() {
        return certificate;
    }

    /** Returns the PKCS12 trust store (password {@code changeit}) holding the TLS certificate. */
    public Path trustStore() {
        return certificate.trustStore();
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        String index = switch (listing) {
            case EXACT -> "autoindex on; autoindex_exact_size on;";
            case HUMAN -> "autoindex on; autoindex_exact_size off;";
            case JSON -> "autoindex on; autoindex_format json;";
        };
        String auth = "";
        if (user != null) {
            Files.writeString(work.resolve("htpasswd"), user + ":{PLAIN}" + password + "\n");
            auth = "location /private/ { alias " + docRoot + "/; auth_basic \"mirrorfs\"; auth_basic_user_file "
                    + work.resolve("htpasswd") + "; }\n";
        }
        String http = """
                    sendfile on; tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 75s;
                    server {
                        listen 127.0.0.1:%1$d%5$s;
                        root %2$s;
                        %3$s
                        location /norange/ { alias %2$s/; max_ranges 0; }
                        %4$s
                    }
                """.formatted(port, docRoot, index, auth, tls
                        ? " ssl; ssl_certificate " + certificate.cert() + "; ssl_certificate_key " + certificate.key()
                        : "");
        return command(this, "$remote_addr \"$request\" $status $body_bytes_sent", http);
    }

    /**
     * Writes the main configuration of an nginx whose files all live in {@code server}'s private
     * directory (pid, error and access logs, temporary paths), with an access log in
     * {@code logFormat} and {@code http} as the rest of its {@code http} block, and returns the
     * command that runs it in the foreground.
     */
    public static List<String> command(TestHttpServer server, String logFormat, String http) throws IOException {
        Path work = server.work;
        String conf = """
                daemon off;
                worker_processes 2;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                    default_type application/octet-stream;
                    log_format mirrorfs '%2$s';
                    access_log %1$s/access.log mirrorfs;
                    client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                %3$s
                }
                """.formatted(work, logFormat, http);
        Path confFile = work.resolve("nginx.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return List.of("/usr/sbin/nginx", "-p", work.toString(), "-e", server.errorLog().toString(), "-c", confFile.toString());
    }
}
