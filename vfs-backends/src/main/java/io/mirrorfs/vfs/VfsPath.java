package io.mirrorfs.vfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An absolute, normalised path inside the mirror's namespace, held as a list of segments.
 *
 * <p>Every segment is validated in the constructor: it is never empty, {@code .} or {@code ..},
 * and never contains {@code /} or NUL. A source maps a path to its own names (URL encoding, FTP
 * paths, archive entry names); nothing outside the mirror is ever reachable through a VfsPath.
 * Immutable and thread-safe.
 *
 * @param segments the names from the root down; empty for the root
 */
public record VfsPath(List<String> segments) implements Comparable<VfsPath> {

    /** The root directory, {@code /}. */
    public static final VfsPath ROOT = new VfsPath(List.of());

    /** Validates and freezes the segments. */
    public VfsPath {
        segments = List.copyOf(segments);
        for (String segment : segments) {
            requireValidName(segment);
        }
    }

    /**
     * Parses an absolute path such as {@code /a/b}; repeated and trailing slashes are folded.
     *
     * @throws IllegalArgumentException if the path is relative or holds {@code .}, {@code ..} or NUL
     */
    public static VfsPath parse(String absolute) {
        if (!absolute.startsWith("/")) {
            throw new IllegalArgumentException("path must be absolute: " + quote(absolute));
        }
        List<String> parts = new ArrayList<>();
        for (String part : absolute.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return new VfsPath(parts);
    }

    /** Returns this path's child called {@code name}. */
    public VfsPath resolve(String name) {
        List<String> child = new ArrayList<>(segments.size() + 1);
        child.addAll(segments);
        child.add(name);
        return new VfsPath(child);
    }

    /** Returns {@code other}'s segments appended to this path. */
    public VfsPath resolve(VfsPath other) {
        if (other.isRoot()) {
            return this;
        }
        List<String> joined = new ArrayList<>(segments);
        joined.addAll(other.segments);
        return new VfsPath(joined);
    }

    /** Returns the parent directory, or empty for the root. */
    public Optional<VfsPath> parent() {
        return isRoot() ? Optional.empty() : Optional.of(new VfsPath(segments.subList(0, segments.size() - 1)));
    }

    /** Returns the last segment, or the empty string for the root. */
    public String name() {
        return isRoot() ? "" : segments.get(segments.size() - 1);
    }

    /** Returns whether this is the root. */
    public boolean isRoot() {
        return segments.isEmpty();
    }

    /** Returns the number of segments (0 for the root). */
    public int depth() {
        return segments.size();
    }

    /** Returns whether {@code prefix}'s segments are the first segments of this path. */
    public boolean startsWith(VfsPath prefix) {
        return prefix.depth() <= depth() && segments.subList(0, prefix.depth()).equals(prefix.segments);
    }

    /**
     * Returns this path relative to {@code prefix}, as an absolute path below the root.
     *
     * @throws IllegalArgumentException if this path does not start with {@code prefix}
     */
    public VfsPath relativeTo(VfsPath prefix) {
        if (!startsWith(prefix)) {
            throw new IllegalArgumentException(this + " is not below " + prefix);
        }
        return new VfsPath(segments.subList(prefix.depth(), depth()));
    }

    /**
     * Checks that {@code name} is usable as one path segment.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static String requireValidName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid path segment: " + quote(name));
        }
        return name;
    }

    /** Returns whether {@code name} is a valid segment: not empty, not {@code .}/{@code ..}, no {@code /} or NUL. */
    public static boolean isValidName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..")
                && name.indexOf('/') < 0 && name.indexOf('\0') < 0;
    }

    @Override
    public int compareTo(VfsPath other) {
        int common = Math.min(depth(), other.depth());
        for (int i = 0; i < common; i++) {
            int c = segments.get(i).compareTo(other.segments.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(depth(), other.depth());
    }

    @Override
    public String toString() {
        return isRoot() ? "/" : "/" + String.join("/", segments);
    }

    private static String quote(String s) {
        return Arrays.toString(new String[] {s.replace("\0", "\\0")});
    }
}
