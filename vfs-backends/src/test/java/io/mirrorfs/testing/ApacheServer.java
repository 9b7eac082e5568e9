package io.mirrorfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Apache httpd ({@code /usr/sbin/apache2}) serving a directory with mod_autoindex on 127.0.0.1,
 * from a minimal self-contained configuration (event MPM, mod_dir, mod_mime, mod_autoindex),
 * independent of Debian's {@code /etc/apache2}. Runs with {@code TZ=UTC}. Index pages carry
 * Last-Modified and an ETag ({@code TrackModified}), so conditional listings can be tested.
 */
public final class ApacheServer extends TestHttpServer {

    /** How the mod_autoindex pages look. */
    public enum Listing {
        /** A plain list of links ({@code IndexOptions -FancyIndexing}). */
        PLAIN,
        /** FancyIndexing in a {@code <pre>} block. */
        FANCY,
        /** FancyIndexing as an HTML table ({@code IndexOptions HTMLTable}). */
        TABLE
    }

    private static final String MODULES = "/usr/lib/apache2/modules";
    private final Listing listing;

    private ApacheServer(Path docRoot, Listing listing) throws IOException {
        super(docRoot);
        this.listing = listing;
    }

    /** Starts Apache serving {@code docRoot} with the given listing format. */
    public static ApacheServer start(Path docRoot, Listing listing) throws IOException {
        ApacheServer s = new ApacheServer(docRoot, listing);
        return started(s);
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        String options = switch (listing) {
            case PLAIN -> "IndexOptions -FancyIndexing TrackModified";
            case FANCY -> "IndexOptions FancyIndexing NameWidth=* FoldersFirst TrackModified";
            case TABLE -> "IndexOptions FancyIndexing HTMLTable TrackModified";
        };
        boolean root = "root".equals(System.getProperty("user.name"));
        String conf = """
                ServerRoot %1$s
                DefaultRuntimeDir %1$s
                PidFile %1$s/httpd.pid
                Listen 127.0.0.1:%2$d
                ServerName 127.0.0.1
                ErrorLog %1$s/error.log
                LogLevel warn
                LoadModule mpm_event_module %4$s/mod_mpm_event.so
                LoadModule authz_core_module %4$s/mod_authz_core.so
                LoadModule dir_module %4$s/mod_dir.so
                LoadModule mime_module %4$s/mod_mime.so
                LoadModule autoindex_module %4$s/mod_autoindex.so
                %6$s
                TypesConfig /etc/mime.types
                LogFormat "%%a \\"%%r\\" %%>s %%B" mirrorfs
                CustomLog %1$s/access.log mirrorfs
                KeepAlive On
                MaxKeepAliveRequests 0
                KeepAliveTimeout 15
                EnableSendfile On
                DocumentRoot "%3$s"
                <Directory />
                    Require all denied
                </Directory>
                <Directory "%3$s">
                    Options Indexes
                    AllowOverride None
                    Require all granted
                </Directory>
                %5$s
                """.formatted(work, port, docRoot, MODULES, options, root ? "User nobody\nGroup nogroup" : "");
        Path confFile = work.resolve("httpd.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return List.of("/usr/sbin/apache2", "-d", work.toString(), "-f", confFile.toString(), "-DFOREGROUND");
    }
}
