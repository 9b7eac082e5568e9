package io.mirrorfs.vfs.http;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A user name and password for HTTP basic authentication (RFC 7617). {@link #toString} never
 * shows the password, so the record is safe to log.
 *
 * @param user     the user name (no colon)
 * @param password the password
 */
record BasicCredentials(String user, String password) {

    /** Validates the fields. */
    BasicCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a basic-auth user name cannot contain ':'");
        }
    }

    /** Returns the {@code Authorization} header value. */
    String header() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "BasicCredentials[user=" + user + ", password=***]";
    }

    /** Returns the credentials in the URL's user info ({@code user:password@}), percent-decoded. */
    static Optional<BasicCredentials> fromUserInfo(URI url) {
        String raw = url.getRawUserInfo();
        if (raw == null || raw.isEmpty()) {
            return Optional.empty();
        }
        int colon = raw.indexOf(':');
        String user = colon < 0 ? raw : raw.substring(0, colon);
        String pass = colon < 0 ? "" : raw.substring(colon + 1);
        return Optional.of(new BasicCredentials(decode(user), decode(pass)));
    }

    /**
     * Returns the credentials of the longest {@code URL USER PASSWORD} line of {@code file} whose URL
     * is a prefix of {@code source}. Blank lines and lines starting with {@code #} are skipped.
     *
     * @throws IOException if the file cannot be read or a line is malformed (the message names the line, not its content)
     */
    static Optional<BasicCredentials> fromFile(Path file, URI source) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String src = source.toString();
        BasicCredentials best = null;
        int bestLen = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+", 3);
            if (f.length < 3) {
                throw new IOException(file + " line " + (i + 1) + ": expected 'URL USER PASSWORD'");
            }
            if (src.startsWith(f[0]) && f[0].length() > bestLen) {
                best = new BasicCredentials(f[1], f[2]);
                bestLen = f[0].length();
            }
        }
        return Optional.ofNullable(best);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
