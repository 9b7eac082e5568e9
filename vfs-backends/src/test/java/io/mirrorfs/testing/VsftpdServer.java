package io.mirrorfs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vsftpd ({@code /usr/sbin/vsftpd}) serving a directory to anonymous users on 127.0.0.1.
 *
 * <p>vsftpd lists with Unix {@code LIST} only (no MLSD), offers {@code UTF8}, {@code SIZE},
 * {@code MDTM}, {@code EPSV} and {@code REST STREAM}. Every command is logged
 * ({@code log_ftp_protocol}) and counted by {@link #commandCount()}; the bytes of every download,
 * complete or stopped, by {@link #bytesSent()}.
 *
 * <pre>{@code
 * try (VsftpdServer ftp = VsftpdServer.builder(dir).maxPerIp(2).start()) {
 *     Vfs v = Sources.open(ftp.url(), SourceOptions.DEFAULTS);
 * }
 * }</pre>
 */
public final class VsftpdServer extends FtpTestServer {

    /** A transfer log line of a download ({@code xferlog_std_format=NO}); group 1 is the bytes sent. */
    private static final Pattern DOWNLOAD = Pattern.compile("(?:OK|FAIL) DOWNLOAD: .*, (\\d+) bytes,");

    private int maxPerIp;
    private int idleSeconds = 300;
    private TestCertificate certificate;
    private long countedDownloadBytes;

    private VsftpdServer(Path root) throws IOException {
        super(root);
    }

    /** Starts vsftpd serving {@code root} with default limits. */
    public static VsftpdServer start(Path root) throws IOException {
        return start(root, 0, 300);
    }

    /**
     * Starts vsftpd serving {@code root}.
     *
     * @param maxPerIp    the most connections per client address (0: unlimited)
     * @param idleSeconds the idle session timeout after which vsftpd closes a control connection
     */
    public static VsftpdServer start(Path root, int maxPerIp, int idleSeconds) throws IOException {
        VsftpdServer s = new VsftpdServer(root);
        s.maxPerIp = maxPerIp;
        s.idleSeconds = idleSeconds;
        return started(s);
    }

    /**
     * Starts vsftpd serving {@code root} with explicit FTPS (AUTH TLS) required for logins and
     * data, using a fresh self-signed certificate; {@link #trustStore} holds it for clients.
     */
    public static VsftpdServer withTls(Path root) throws IOException {
        VsftpdServer s = new VsftpdServer(root);
        return started(s, server -> server.certificate = TestCertificate.create(server.work));
    }

    /** Returns the PKCS12 trust store (password {@code changeit}) of a {@link #withTls} server. */
    public Path trustStore() {
        return certificate.trustStore();
    }

    /** Returns {@code ftps://127.0.0.1:PORT/} for a {@link #withTls} server, else the plain URL. */
    @Override
    public String url() {
        return certificate == null ? super.url() : super.url().replace("ftp://", "ftps://");
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        Path empty = Files.createDirectories(work.resolve("empty"));
        String conf = """
                listen=YES
                listen_ipv6=NO
                listen_address=127.0.0.1
                listen_port=%d
                background=NO
                anonymous_enable=YES
                no_anon_password=YES
                anon_root=%s
                local_enable=NO
                write_enable=NO
                seccomp_sandbox=NO
                secure_chroot_dir=%s
                ftp_username=ftp
                nopriv_user=nobody
                pasv_enable=YES
                pasv_address=127.0.0.1
                pasv_min_port=%d
                pasv_max_port=%d
                port_enable=YES
                connect_from_port_20=NO
                max_clients=0
                max_per_ip=%d
                idle_session_timeout=%d
                data_connection_timeout=300
                utf8_filesystem=YES
                force_dot_files=YES
                hide_ids=NO
                use_sendfile=YES
                xferlog_enable=YES
                xferlog_std_format=NO
                log_ftp_protocol=YES
                vsftpd_log_file=%s
                dirmessage_enable=NO
                tcp_wrappers=NO
                """.formatted(port, root, empty, passiveMin, passiveMin + PASSIVE_PORTS - 1, maxPerIp, idleSeconds,
                work.resolve("vsftpd.log"));
        if (certificate != null) {
            // commons-net does not reuse the control connection's TLS session on data connections.
            conf += """
                    ssl_enable=YES
                    allow_anon_ssl=YES
                    force_anon_logins_ssl=YES
                    force_anon_data_ssl=YES
                    require_ssl_reuse=NO
                    ssl_ciphers=HIGH
                    rsa_cert_file=%s
                    rsa_private_key_file=%s
                    """.formatted(certificate.cert(), certificate.key());
        }
        Path file = work.resolve("vsftpd.conf");
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        return List.of("/usr/sbin/vsftpd", file.toString());
    }

    /** Returns how many control connections vsftpd accepted (including refused ones) since it started. */
    public long connectionCount() throws IOException {
        return countLines("CONNECT: Client");
    }

    @Override
    protected long loggedCommands() throws IOException {
        return countLines("FTP command:");
    }

    /** Returns how many {@code RETR} commands (each a new download) vsftpd logged since it started. */
    public long retrCount() throws IOException {
        return countLines("\"RETR ");
    }

    /**
     * Returns the file bytes vsftpd sent since the last {@link #resetCounters()}: the sum of its
     * transfer log's {@code OK DOWNLOAD} and {@code FAIL DOWNLOAD} (a transfer the client stopped)
     * lines. A transfer is logged when it ends, so a running one is not counted yet; a stopped one
     * counts what the server had written into the socket buffers too.
     */
    public long bytesSent() throws IOException {
        return loggedDownloadBytes() - countedDownloadBytes;
    }

    /** Returns the transfer log's {@code DOWNLOAD} lines, for failure messages. */
    public List<String> downloadLogLines() throws IOException {
        Path log = work.resolve("vsftpd.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> DOWNLOAD.matcher(l).find()).toList();
        }
    }

    /** Starts counting commands and sent bytes from now. */
    @Override
    public void resetCounters() throws IOException {
        super.resetCounters();
        countedDownloadBytes = loggedDownloadBytes();
    }

    private long loggedDownloadBytes() throws IOException {
        long sum = 0;
        for (String line : downloadLogLines()) {
            Matcher m = DOWNLOAD.matcher(line);
            if (m.find()) {
                sum += Long.parseLong(m.group(1));
            }
        }
        return sum;
    }

    private long countLines(String marker) throws IOException {
        Path log = work.resolve("vsftpd.log");
        if (!Files.exists(log)) {
            return 0;
        }
        try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(marker)).count();
        }
    }
}
