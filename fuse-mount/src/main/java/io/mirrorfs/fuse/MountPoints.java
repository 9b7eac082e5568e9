package io.mirrorfs.fuse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks a mount point before mounting, so every mistake gives one clear sentence. */
final class MountPoints {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountPoints() {
    }

    /**
     * Checks that {@code dir} exists, is a directory, is not already a mount point and (unless
     * {@code allowNonEmpty}) is empty.
     *
     * @throws IllegalArgumentException naming the problem
     */
    static void check(Path dir, boolean allowNonEmpty) throws IOException {
        if (!Files.exists(dir) && isMounted(dir)) {
            clearDeadMount(dir);
        }
        if (!Files.exists(dir)) {
            throw new IllegalArgumentException("mount point " + dir + " does not exist (create it with: mkdir -p " + dir + ")");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("mount point " + dir + " is not a directory");
        }
        if (isMounted(dir)) {
            throw new IllegalArgumentException("mount point " + dir + " is already mounted (unmount it with: fusermount -u " + dir + ")");
        }
        if (!allowNonEmpty && !isEmpty(dir)) {
            throw new IllegalArgumentException("mount point " + dir + " is not empty (use -o nonempty to mount over it)");
        }
    }

    /**
     * A mount point that is mounted but cannot even be stat'ed is a dead FUSE mount ("Transport
     * endpoint is not connected"): its daemon died without unmounting. One left by a mirrorfs
     * daemon (a kill during mounting on a libfuse without the upstream fix, see
     * {@link MountWatchdog}, or a crash without auto_unmount) is detached, with a line on stderr,
     * so a restart after such a death just works; another file system's is named and left alone.
     *
     * @throws IllegalArgumentException if it is not ours or cannot be detached
     */
    private static void clearDeadMount(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        String type = fileSystemTypes(Files.readAllLines(MOUNTINFO)).getOrDefault(target, "?");
        String clear = "fusermount -u " + dir;
        if (!type.equals("fuse.mirrorfs")) {
            throw new IllegalArgumentException("mount point " + dir + " is a dead " + type
                    + " mount (Transport endpoint is not connected); unmount it with: " + clear);
        }
        Mounter.unmount(dir);
        if (isMounted(dir)) {
            throw new IllegalArgumentException("mount point " + dir + " is a dead mirrorfs mount that could not be removed; unmount it with: " + clear);
        }
        System.err.println("mirrorfs: removed a dead mirrorfs mount at " + dir + " (its daemon had died)");
    }

    /** Returns the mount point (field 5) to file system type (after the " - ") of mountinfo lines. */
    static Map<String, String> fileSystemTypes(List<String> mountinfoLines) {
        Map<String, String> types = new HashMap<>();
        for (String line : mountinfoLines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length > 4 && dash > 4 && dash + 1 < f.length) {
                types.put(unescape(f[4]), f[dash + 1]);
            }
        }
        return types;
    }

    /** Returns whether {@code dir} is the mount point of some mounted file system. */
    static boolean isMounted(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        return mountedPaths(Files.readAllLines(MOUNTINFO)).contains(target);
    }

    /** Returns the mount point column (field 5) of mountinfo lines, with octal escapes decoded. */
    static List<String> mountedPaths(List<String> mountinfoLines) {
        return mountinfoLines.stream()
                .map(l -> l.split(" "))
                .filter(f -> f.length > 4)
                .map(f -> unescape(f[4]))
                .toList();
    }

    /**
     * Decodes the octal escapes of /proc/self/mountinfo (proc(5)): the kernel writes space, tab,
     * newline and backslash as {@code \040}, {@code \011}, {@code \012} and {@code \134}.
     */
    static String unescape(String field) {
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1) && isOctal(field, i + 2) && isOctal(field, i + 3)) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            return !s.iterator().hasNext();
        }
    }
}
