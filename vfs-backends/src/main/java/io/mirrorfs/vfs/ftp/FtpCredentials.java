package io.mirrorfs.vfs.ftp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks up a login in a credentials file of {@code URL USER PASSWORD} lines.
 *
 * <p>A line applies when its URL (without user info) is a prefix of the source URL (without user
 * info); the longest matching URL wins. Blank lines and lines starting with {@code #} are
 * ignored. The password may contain spaces: it is the rest of the line after the user. Neither
 * the file's lines nor the password ever appear in exception messages.
 */
final class FtpCredentials {

    /** A user and password found for a source. */
    record Login(String user, String password) {
        @Override
        public String toString() {
            return "Login[" + user + ", ***]";
        }
    }

    private FtpCredentials() {
    }

    /**
     * Returns the login for {@code sourceUrl} (no user info in it) from {@code file}, if a line
     * applies and, when {@code requiredUser} is given, names that user.
     *
     * @throws IOException if the file cannot be read (the message names the file only)
     */
    static Optional<Login> lookup(Path file, String sourceUrl, Optional<String> requiredUser) throws IOException {
        String target = withoutUserInfo(sourceUrl);
        Login best = null;
        int bestLength = -1;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 3);
            if (parts.length < 3) {
                continue;
            }
            String url = withoutUserInfo(parts[0]);
            if (!target.startsWith(url) && !(target + "/").startsWith(url)) {
                continue;
            }
            if (requiredUser.isPresent() && !requiredUser.get().equals(parts[1])) {
                continue;
            }
            if (url.length() > bestLength) {
                best = new Login(parts[1], parts[2]);
                bestLength = url.length();
            }
        }
        return Optional.ofNullable(best);
    }

    /** Returns {@code url} without the {@code user[:password]@} part of its authority. */
    static String withoutUserInfo(String url) {
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
    }
}
