package io.mirrorfs.vfs.ftp;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.VfsPath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.net.ftp.FTPFile;

/**
 * Pure functions turning commons-net's parsed {@link FTPFile}s (from MLSD or any LIST dialect)
 * into mirror entries, and symlink targets into targets that stay inside the source.
 */
final class FtpEntries {

    private FtpEntries() {
    }

    /**
     * Returns the mirror entry for {@code f}, or empty for entries the mirror does not show:
     * {@code .}, {@code ..}, MLSD's {@code cdir}/{@code pdir}, names that are not valid path
     * segments (with {@code /} or NUL), names with CR or LF (they could not be sent back in a
     * command), and types other than file, directory and symlink.
     */
    static Optional<RemoteEntry> toEntry(FTPFile f) {
        if (f == null || f.getName() == null) {
            return Optional.empty();
        }
        String name = f.getName();
        if (!VfsPath.isValidName(name) || name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || isMlsdSelfOrParent(f)) {
            return Optional.empty();
        }
        Instant mtime = f.getTimestampInstant() == null ? Instant.EPOCH : f.getTimestampInstant();
        if (f.isSymbolicLink()) {
            Optional<String> target = Optional.ofNullable(f.getLink()).filter(t -> !t.isEmpty());
            long size = target.map(String::length).orElse(0);
            FileAttrs attrs = new FileAttrs(FileType.SYMLINK, size, mtime, 0777, "");
            return Optional.of(new RemoteEntry(DirEntry.of(name, attrs), target));
        }
        if (f.isDirectory()) {
            FileAttrs attrs = new FileAttrs(FileType.DIRECTORY, 0, mtime,
                    permissions(f, FileAttrs.DEFAULT_DIRECTORY_PERMISSIONS), "");
            return Optional.of(new RemoteEntry(DirEntry.of(name, attrs), Optional.empty()));
        }
        if (f.isFile()) {
            long size = Math.max(0, f.getSize());
            FileAttrs attrs = FileAttrs.file(size, mtime, permissions(f, FileAttrs.DEFAULT_FILE_PERMISSIONS));
            return Optional.of(new RemoteEntry(DirEntry.of(name, attrs), Optional.empty()));
        }
        return Optional.empty();
    }

    /** Returns the POSIX bits the listing gave, or {@code fallback} when it gave none (DOS/IIS). */
    static int permissions(FTPFile f, int fallback) {
        int bits = 0;
        int[] accesses = {FTPFile.USER_ACCESS, FTPFile.GROUP_ACCESS, FTPFile.WORLD_ACCESS};
        int[] perms = {FTPFile.READ_PERMISSION, FTPFile.WRITE_PERMISSION, FTPFile.EXECUTE_PERMISSION};
        for (int a = 0; a < 3; a++) {
            for (int p = 0; p < 3; p++) {
                if (f.hasPermission(accesses[a], perms[p])) {
                    bits |= 1 << (8 - (a * 3 + p));
                }
            }
        }
        return bits == 0 ? fallback : bits;
    }

    private static boolean isMlsdSelfOrParent(FTPFile f) {
        String raw = f.getRawListing();
        if (raw == null) {
            return false;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        return lower.startsWith("type=cdir;") || lower.startsWith("type=pdir;")
                || lower.contains(";type=cdir;") || lower.contains(";type=pdir;");
    }

    /**
     * Returns the target a symlink should show in the mirror, or empty if it leaves the source.
     *
     * <p>{@code linkDir} is the link's directory relative to the source's root; an absolute
     * {@code target} is a path on the server, so it is taken relative to {@code sourceRoot} (the
     * source's absolute directory on the server) and, when inside, rewritten relative to the
     * link's directory so the kernel resolves it inside the mount.
     */
    static Optional<String> visibleTarget(List<String> sourceRoot, List<String> linkDir, String target) {
        List<String> resolved;
        if (target.startsWith("/")) {
            List<String> abs = normalize(new ArrayList<>(), target);
            if (abs == null || abs.size() < sourceRoot.size() || !abs.subList(0, sourceRoot.size()).equals(sourceRoot)) {
                return Optional.empty();
            }
            resolved = abs.subList(sourceRoot.size(), abs.size());
            return Optional.of(relative(linkDir, resolved));
        }
        resolved = normalize(new ArrayList<>(linkDir), target);
        return resolved == null ? Optional.empty() : Optional.of(target);
    }

    /** Splits an absolute server path such as {@code /pub/a} into its segments, folding {@code .} and {@code ..}. */
    static List<String> segments(String absolute) {
        List<String> s = normalize(new ArrayList<>(), absolute);
        return s == null ? List.of() : s;
    }

    /** Applies {@code path}'s segments to {@code start}; null if {@code ..} climbs above the start's root. */
    private static List<String> normalize(List<String> start, String path) {
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (start.isEmpty()) {
                    return null;
                }
                start.remove(start.size() - 1);
            } else {
                start.add(part);
            }
        }
        return start;
    }

    private static String relative(List<String> from, List<String> to) {
        int common = 0;
        while (common < from.size() && common < to.size() && from.get(common).equals(to.get(common))) {
            common++;
        }
        List<String> parts = new ArrayList<>();
        for (int i = common; i < from.size(); i++) {
            parts.add("..");
        }
        parts.addAll(to.subList(common, to.size()));
        return parts.isEmpty() ? "." : String.join("/", parts);
    }
}
