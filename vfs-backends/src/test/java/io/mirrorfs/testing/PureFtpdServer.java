package io.mirrorfs.testing;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * pure-ftpd serving a directory read-only on 127.0.0.1 to the virtual user {@link #USER}.
 *
 * <p>Debian's {@code pure-ftpd} package conflicts with {@code vsftpd} (both provide
 * {@code ftp-server}), so it is not installed: {@code ./run-tests} downloads the package and
 * extracts it with {@code dpkg -x} into {@value #DEFAULT_HOME} (or the directory named by the
 * system property {@value #HOME_PROPERTY}). When the binary is missing, {@link #start} fails
 * with a message saying so; it never skips.
 *
 * <p>The login is a virtual user of a private PureDB file (made with the package's
 * {@code pure-pw mkdb}) mapped to {@code nobody}, chrooted to the served directory: pure-ftpd's
 * anonymous root would be the home of the system user {@code ftp}, outside the test's control.
 * The tree is root's and not writable by {@code nobody}, which makes the server read-only.
 * pure-ftpd lists with {@code MLSD}/{@code MLST} (offered in {@code FEAT}) and with a Unix
 * {@code LIST} that shows the year instead of the time for files older than six months. It logs
 * only to syslog, so it counts no commands ({@link #commandCount()} is unsupported).
 */
public final class PureFtpdServer extends FtpTestServer {

    /** The system property naming the directory Debian's pure-ftpd package was extracted into. */
    public static final String HOME_PROPERTY = "mirrorfs.pureftpd.home";
    /** Where {@code ./run-tests} extracts Debian's pure-ftpd package. */
    public static final String DEFAULT_HOME = "/opt/mirrorfs-test/pure-ftpd";
    /** The virtual user that may log in with {@link #PASSWORD}. */
    public static final String USER = "mirror";
    /** The password of {@link #USER}, with characters that need escaping in URLs. */
    public static final String PASSWORD = "s3cr3t p@ss:w/rd";
    /**
     * {@link #PASSWORD} as SHA-512 crypt ({@code openssl passwd -6 -salt mirrorfs PASSWORD}):
     * quick to check, unlike {@code pure-pw}'s default argon2id, which costs about 2 s per login.
     */
    private static final String PASSWORD_HASH =
            "$6$mirrorfs$uHx5UQ0j4ACMxmpxZR.bao0lpno1k5gCdy.Be21MfXQ.zFX9Lzpe2gzdHWqVmEoqUvVn972v1sOrxO9tv8BCQ.";
    /** Debian's {@code nobody} and {@code nogroup} (fixed by base-passwd). */
    private static final int NOBODY = 65534;

    private final Path home;
    private int listingLimit;

    private PureFtpdServer(Path root, Path home) throws IOException {
        super(root);
        this.home = home;
    }

    /**
     * Starts pure-ftpd serving {@code root}, listing up to 100,000 entries per directory (its
     * default, 10,000 including {@code .} and {@code ..}, would truncate the contract tree's
     * 10,000-entry directory).
     *
     * @throws IllegalStateException if pure-ftpd is not installed where {@code ./run-tests} puts it
     */
    public static PureFtpdServer start(Path root) throws IOException {
        return start(root, 100_000);
    }

    /**
     * Starts pure-ftpd serving {@code root}; listings stop after {@code listingLimit} entries
     * ({@code .} and {@code ..} included) and end with {@code 226 Output truncated to N matches}.
     *
     * @throws IllegalStateException if pure-ftpd is not installed where {@code ./run-tests} puts it
     */
    public static PureFtpdServer start(Path root, int listingLimit) throws IOException {
        PureFtpdServer s = new PureFtpdServer(root, installation());
        s.listingLimit = listingLimit;
        return started(s);
    }

    /** Returns the directory holding the extracted package, failing if it lacks the binaries. */
    public static Path installation() {
        Path home = Path.of(System.getProperty(HOME_PROPERTY, DEFAULT_HOME));
        for (Path p : List.of(home.resolve("usr/sbin/pure-ftpd"), home.resolve("usr/bin/pure-pw"))) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(p + " is missing: run ./run-tests as root once (it downloads Debian's"
                        + " pure-ftpd package and extracts it to " + DEFAULT_HOME + "), or point -D" + HOME_PROPERTY
                        + " at a directory where the package was extracted with dpkg -x");
            }
        }
        return home;
    }

    /** Returns {@code ftp://mirror:PASSWORD@127.0.0.1:PORT/}, the password URL-encoded. */
    @Override
    public String url() {
        String pw = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8).replace("+", "%20");
        return "ftp://" + USER + ":" + pw + "@127.0.0.1:" + port() + "/";
    }

    @Override
    protected List<String> prepare(int port) throws IOException {
        Path passwd = work.resolve("pureftpd.passwd");
        Path pdb = work.resolve("pureftpd.pdb");
        // A home ending in /./ chroots the user there.
        Files.writeString(passwd, USER + ":" + PASSWORD_HASH + ":" + NOBODY + ":" + NOBODY + "::" + root + "/./::::::::::::\n",
                StandardCharsets.UTF_8);
        mkdb(passwd, pdb);
        // Foreground (no --daemonize); no write flags exist: nobody cannot write to root's tree.
        return List.of(
                home.resolve("usr/sbin/pure-ftpd").toString(),
                "--bind", "127.0.0.1," + port,
                "--ipv4only",
                "--dontresolve",
                "--noanonymous",
                "--login", "puredb:" + pdb,
                "--passiveportrange", passiveMin + ":" + (passiveMin + PASSIVE_PORTS - 1),
                "--forcepassiveip", "127.0.0.1",
                "--displaydotfiles",
                "--maxclientsnumber", "64",
                "--maxidletime", "15",
                "--limitrecursion", listingLimit + ":5",
                "--nochmod",
                "--norename",
                "--keepallfiles");
    }

    private void mkdb(Path passwd, Path pdb) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("usr/bin/pure-pw").toString(), "mkdb", pdb.toString(), "-f",
                passwd.toString());
        pb.redirectErrorStream(true).redirectOutput(work.resolve("pure-pw.log").toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("pure-pw mkdb failed: " + diagnostics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running pure-pw mkdb", e);
        }
    }

    /** pure-ftpd logs commands only to syslog, which tests cannot read. */
    @Override
    protected long loggedCommands() {
        throw new UnsupportedOperationException("pure-ftpd logs commands only to syslog; it has no command log to count");
    }
}
