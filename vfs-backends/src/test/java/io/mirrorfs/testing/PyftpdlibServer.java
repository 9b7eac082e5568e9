package io.mirrorfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * pyftpdlib (Debian's {@code python3-pyftpdlib}, a full RFC 959/3659 server) serving a directory
 * on 127.0.0.1, to anonymous users and to {@link #USER}/{@link #PASSWORD}.
 *
 * <p>One of the FTP test servers because it differs from vsftpd where clients go wrong: it
 * offers {@code MLSD}/{@code MLST}, lists symlinks with their targets, and its {@code LIST}
 * shows times with the year for old files; and, unlike {@link PureFtpdServer} (which logs only
 * to syslog), it logs every command: {@link #commandCount()} counts them, so the tests that
 * count FTP commands use it.
 */
public final class PyftpdlibServer extends FtpTestServer {

    /** A user that may log in with {@link #PASSWORD}. */
    public static final String USER = "mirror";
    /** The password of {@link #USER}, with characters that need escaping in URLs. */
    public static final String PASSWORD = "s3cr3t p@ss:w/rd";

    private int maxPerIp;

    private PyftpdlibServer(Path root) throws IOException {
        super(root);
    }

    /** Starts pyftpdlib serving {@code root}; {@code maxPerIp} 0 means unlimited. */
    public static PyftpdlibServer start(Path root, int maxPerIp) throws IOException {
        PyftpdlibServer s = new PyftpdlibServer(root);
        s.maxPerIp = maxPerIp;
        return started(s);
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        String script = """
                import sys
                from pyftpdlib.authorizers import DummyAuthorizer
                from pyftpdlib.handlers import FTPHandler
                from pyftpdlib.servers import ThreadedFTPServer
                root, port, pasv, log, max_per_ip, user, password = sys.argv[1:8]
                auth = DummyAuthorizer()
                auth.add_anonymous(root)
                auth.add_user(user, password, root, perm="elr")
                class Handler(FTPHandler):
                    def pre_process_command(self, line, cmd, arg):
                        with open(log, "a") as f:
                            f.write(cmd + "\\n")
                        return FTPHandler.pre_process_command(self, line, cmd, arg)
                Handler.authorizer = auth
                Handler.passive_ports = range(int(pasv), int(pasv) + %d)
                Handler.permit_foreign_addresses = False
                server = ThreadedFTPServer(("127.0.0.1", int(port)), Handler)
                server.max_cons = 256
                server.max_cons_per_ip = int(max_per_ip)
                server.serve_forever()
                """.formatted(PASSIVE_PORTS);
        Path file = work.resolve("server.py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        return List.of("/usr/bin/python3", file.toString(), root.toString(), Integer.toString(port),
                Integer.toString(passiveMin), work.resolve("commands.log").toString(), Integer.toString(maxPerIp), USER,
                PASSWORD);
    }

    @Override
    protected long loggedCommands() throws IOException {
        Path log = work.resolve("commands.log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.count();
        }
    }
}
