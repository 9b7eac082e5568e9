package io.mirrorfs.fuse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
