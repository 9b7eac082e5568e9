package io.mirrorfs.it;

import io.mirrorfs.testing.TestHttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Debian's Apache httpd serving a mirrorfs mount the way the README recipe does: a document root
 * of its own, and {@code Alias /mirror MOUNTPOINT} with {@code Options Indexes FollowSymLinks}.
 * When the test runs as root the workers run as {@code www-data}, so every file they send crosses
 * the FUSE mount as another user than the one who mounted it ({@code allow_other}).
 *
 * <p>Minimal self-contained configuration (event MPM, alias, dir, mime, autoindex), independent of
 * {@code /etc/apache2}; 127.0.0.1 and an ephemeral port; stopped and cleaned by {@link #close}.
 */
final class ApacheFrontend extends TestHttpServer {

    private static final String MODULES = "/usr/lib/apache2/modules";
    private final Path mirrorDir;

    private ApacheFrontend(Path docRoot, Path mirrorDir) throws IOException {
        super(docRoot);
        this.mirrorDir = mirrorDir.toAbsolutePath();
    }

    /** Starts Apache with {@code docRoot} at {@code /} and {@code mirrorDir} at {@code /mirror/}. */
    static ApacheFrontend start(Path docRoot, Path mirrorDir) throws IOException {
        ApacheFrontend a = new ApacheFrontend(docRoot, mirrorDir);
        return started(a);
    }

    /** Returns the error log, for diagnostics. */
    String errorLogText() throws IOException {
        return Files.exists(errorLog()) ? Files.readString(errorLog(), StandardCharsets.ISO_8859_1) : "";
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        String conf = """
                ServerRoot %1$s
                DefaultRuntimeDir %1$s
                PidFile %1$s/httpd.pid
                Listen 127.0.0.1:%2$d
                ServerName 127.0.0.1
                %6$s
                ErrorLog %1$s/error.log
                LogLevel notice
                LoadModule mpm_event_module %5$s/mod_mpm_event.so
                LoadModule authz_core_module %5$s/mod_authz_core.so
                LoadModule alias_module %5$s/mod_alias.so
                LoadModule dir_module %5$s/mod_dir.so
                LoadModule mime_module %5$s/mod_mime.so
                LoadModule autoindex_module %5$s/mod_autoindex.so
                TypesConfig /etc/mime.types
                LogFormat "%%a \\"%%r\\" %%>s %%B" mirrorfs
                CustomLog %1$s/access.log mirrorfs
                KeepAlive On
                DocumentRoot "%3$s"
                <Directory />
                    Options None
                    AllowOverride None
                    Require all denied
                </Directory>
                <Directory "%3$s">
                    Require all granted
                </Directory>
                # The README recipe: the mirror under /mirror/.
                Alias /mirror "%4$s"
                <Directory "%4$s">
                    Options Indexes FollowSymLinks
                    AllowOverride None
                    Require all granted
                    # A read error in an mmap()ed file kills the worker with SIGBUS, and with it
                    # every request that worker serves; read() just fails the one response.
                    EnableMMAP Off
                </Directory>
                """.formatted(work, port, docRoot, mirrorDir, MODULES, root ? "User www-data\nGroup www-data" : "");
        Path confFile = work.resolve("httpd.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return List.of("/usr/sbin/apache2", "-d", work.toString(), "-f", confFile.toString(), "-DFOREGROUND");
    }
}
