package io.mirrorfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * lighttpd ({@code /usr/sbin/lighttpd}) serving a directory with mod_dirlisting on 127.0.0.1,
 * from a self-contained configuration in its private directory. Runs with {@code TZ=UTC}.
 *
 * <p>What makes it worth testing against: its listing gives dates to the second but sizes only in
 * human form ({@code 4.9K}), so every file's size comes from a HEAD, and its HEAD and GET answers
 * carry neither {@code Last-Modified} nor {@code ETag}.
 *
 * <p>lighttpd buffers its access log and writes it every few seconds and when it stops, so
 * {@link #requestCount()}, {@link #bytesSent()} and {@link #accessLogLines()} are complete only
 * after {@link #stop()}.
 *
 * <pre>{@code
 * try (LighttpdServer lighttpd = LighttpdServer.start(dir)) {
 *     Vfs http = Sources.open(lighttpd.url(), SourceOptions.DEFAULTS);
 * }
 * }</pre>
 */
public final class LighttpdServer extends TestHttpServer {

    private LighttpdServer(Path docRoot) throws IOException {
        super(docRoot);
    }

    /** Starts lighttpd serving {@code docRoot} with directory listings. */
    public static LighttpdServer start(Path docRoot) throws IOException {
        return started(new LighttpdServer(docRoot));
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        String conf = """
                server.document-root = "%3$s"
                server.bind = "127.0.0.1"
                server.port = %2$d
                server.pid-file = "%1$s/lighttpd.pid"
                server.errorlog = "%1$s/error.log"
                server.modules = ("mod_dirlisting", "mod_accesslog")
                dir-listing.activate = "enable"
                dir-listing.encoding = "utf-8"
                accesslog.filename = "%1$s/access.log"
                accesslog.format = "%%h \\"%%r\\" %%>s %%b"
                server.max-keep-alive-requests = 1000
                """.formatted(work, port, docRoot);
        Path confFile = work.resolve("lighttpd.conf");
        Files.writeString(confFile, conf, StandardCharsets.UTF_8);
        return List.of("/usr/sbin/lighttpd", "-D", "-f", confFile.toString());
    }
}
