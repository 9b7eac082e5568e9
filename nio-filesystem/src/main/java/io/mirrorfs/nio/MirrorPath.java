package io.mirrorfs.nio;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A path of a {@link MirrorFileSystem}: an optional root and a list of names, POSIX-style with
 * {@code /} as separator.
 *
 * <p>Pure value semantics, as in jimfs's {@code JimfsPath} and the JDK's {@code UnixPath}: the
 * empty path {@code ""} has one empty name, the root {@code /} has none, {@code .} and {@code ..}
 * are kept until {@link #normalize()} or a lookup. Operations that touch files live in the
 * provider, so path manipulation keeps working after the file system is closed. Immutable and
 * thread-safe.
 */
final class MirrorPath implements Path {

    private final MirrorFileSystem fs;
    private final boolean absolute;
    private final List<String> names;

    private MirrorPath(MirrorFileSystem fs, boolean absolute, List<String> names) {
        this.fs = Objects.requireNonNull(fs, "fs");
        this.absolute = absolute;
        this.names = List.copyOf(names);
        if (!absolute && this.names.isEmpty()) {
            throw new IllegalArgumentException("a relative path has at least one name");
        }
    }

    /**
     * Parses {@code first} and {@code more} joined by {@code /}; repeated and trailing slashes fold.
     *
     * @throws InvalidPathException if the string holds a NUL character
     */
    static MirrorPath parse(MirrorFileSystem fs, String first, String... more) {
        StringBuilder joined = new StringBuilder(first);
        for (String part : more) {
            if (!part.isEmpty()) {
                if (joined.length() > 0) {
                    joined.append('/');
                }
                joined.append(part);
            }
        }
        String s = joined.toString();
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            throw new InvalidPathException(s.replace("\0", "\\0"), "NUL character not allowed", nul);
        }
        List<String> parts = new ArrayList<>();
        for (String part : s.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        boolean abs = s.startsWith("/");
        if (!abs && parts.isEmpty()) {
            return empty(fs);
        }
        return new MirrorPath(fs, abs, parts);
    }

    /** Returns the root path {@code /} of {@code fs}. */
    static MirrorPath root(MirrorFileSystem fs) {
        return new MirrorPath(fs, true, List.of());
    }

    /** Returns the absolute path with {@code names} below the root of {@code fs}. */
    static MirrorPath absolute(MirrorFileSystem fs, List<String> names) {
        return new MirrorPath(fs, true, names);
    }

    private static MirrorPath empty(MirrorFileSystem fs) {
        return new MirrorPath(fs, false, List.of(""));
    }

    private MirrorPath relative(List<String> relativeNames) {
        return relativeNames.isEmpty() ? empty(fs) : new MirrorPath(fs, false, relativeNames);
    }

    /** Returns the names from the root (or the start) down; the empty path has one empty name. */
    List<String> names() {
        return names;
    }

    /** Returns whether this is the empty path {@code ""}. */
    boolean isEmpty() {
        return !absolute && names.size() == 1 && names.get(0).isEmpty();
    }

    @Override
    public MirrorFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return absolute;
    }

    @Override
    public MirrorPath getRoot() {
        return absolute ? root(fs) : null;
    }

    @Override
    public MirrorPath getFileName() {
        if (names.isEmpty()) {
            return null;
        }
        if (names.size() == 1 && !absolute) {
            return this;
        }
        return relative(List.of(names.get(names.size() - 1)));
    }

    @Override
    public MirrorPath getParent() {
        if (names.isEmpty() || (names.size() == 1 && !absolute)) {
            return null;
        }
        return new MirrorPath(fs, absolute, names.subList(0, names.size() - 1));
    }

    @Override
    public int getNameCount() {
        return names.size();
    }

    @Override
    public MirrorPath getName(int index) {
        if (index < 0 || index >= names.size()) {
            throw new IllegalArgumentException("name index " + index + " out of range for " + this);
        }
        return relative(List.of(names.get(index)));
    }

    @Override
    public MirrorPath subpath(int beginIndex, int endIndex) {
        if (beginIndex < 0 || endIndex > names.size() || beginIndex >= endIndex) {
            throw new IllegalArgumentException("subpath(" + beginIndex + ", " + endIndex + ") out of range for " + this);
        }
        return relative(names.subList(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
        if (!(other instanceof MirrorPath that) || that.fs != fs || that.absolute != absolute
                || that.names.size() > names.size()) {
            return false;
        }
        return names.subList(0, that.names.size()).equals(that.names);
    }

    @Override
    public boolean endsWith(Path other) {
        if (!(other instanceof MirrorPath that) || that.fs != fs) {
            return false;
        }
        if (that.absolute) {
            return equals(that);
        }
        if (that.names.size() > names.size()) {
            return false;
        }
        return names.subList(names.size() - that.names.size(), names.size()).equals(that.names);
    }

    @Override
    public MirrorPath normalize() {
        List<String> out = new ArrayList<>(names.size());
        for (String name : names) {
            if (name.equals(".") || name.isEmpty()) {
                continue;
            }
            if (name.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                    continue;
                }
                if (absolute) {
                    continue; // "/.." is "/", as in POSIX.
                }
            }
            out.add(name);
        }
        return absolute ? new MirrorPath(fs, true, out) : relative(out);
    }

    @Override
    public MirrorPath resolve(Path other) {
        MirrorPath that = checkPath(other);
        if (that.absolute) {
            return that;
        }
        if (that.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return that;
        }
        List<String> joined = new ArrayList<>(names.size() + that.names.size());
        joined.addAll(names);
        joined.addAll(that.names);
        return new MirrorPath(fs, absolute, joined);
    }

    @Override
    public MirrorPath resolve(String other) {
        return resolve(parse(fs, other));
    }

    @Override
    public MirrorPath resolveSibling(Path other) {
        MirrorPath that = checkPath(other);
        MirrorPath parent = getParent();
        return parent == null ? that : parent.resolve(that);
    }

    @Override
    public MirrorPath resolveSibling(String other) {
        return resolveSibling(parse(fs, other));
    }

    /**
     * Returns the relative path from this path to {@code other}; for normalised paths
     * {@code p.relativize(p.resolve(q)).equals(q)}, as {@link Path#relativize} requires.
     */
    @Override
    public MirrorPath relativize(Path other) {
        MirrorPath that = checkPath(other);
        if (that.absolute != absolute) {
            throw new IllegalArgumentException("cannot relativize " + that + " against " + this
                    + ": one is absolute, the other relative");
        }
        if (isEmpty()) {
            return that;
        }
        List<String> from = names;
        List<String> to = that.isEmpty() ? List.of() : that.names;
        int common = 0;
        while (common < from.size() && common < to.size() && from.get(common).equals(to.get(common))) {
            common++;
        }
        List<String> out = new ArrayList<>();
        for (int i = common; i < from.size(); i++) {
            out.add("..");
        }
        out.addAll(to.subList(common, to.size()));
        return relative(out);
    }

    @Override
    public URI toUri() {
        try {
            String path = toAbsolutePath().toString();
            return new URI(MirrorFileSystemProvider.SCHEME, fs.name(), path, null, null);
        } catch (URISyntaxException e) {
            throw new AssertionError("a mirror path always forms a URI: " + this, e);
        }
    }

    @Override
    public MirrorPath toAbsolutePath() {
        return absolute ? this : root(fs).resolve(this);
    }

    @Override
    public MirrorPath toRealPath(LinkOption... options) throws IOException {
        return fs.provider().toRealPath(this, options);
    }

    /** Always fails: a mirror has no watch service, so every watcher belongs to another provider. */
    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        Objects.requireNonNull(watcher, "watcher");
        throw new ProviderMismatchException("the mirror file system has no watch service");
    }

    /** Orders by the path string, then by file system name, consistently with {@link #equals}. */
    @Override
    public int compareTo(Path other) {
        MirrorPath that = (MirrorPath) other;
        int c = toString().compareTo(that.toString());
        return c != 0 ? c : fs.name().compareTo(that.fs.name());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MirrorPath that && that.fs == fs && that.absolute == absolute && that.names.equals(names);
    }

    @Override
    public int hashCode() {
        return 31 * System.identityHashCode(fs) + toString().hashCode();
    }

    @Override
    public String toString() {
        String joined = String.join("/", names);
        return absolute ? "/" + joined : joined;
    }

    private MirrorPath checkPath(Path other) {
        Objects.requireNonNull(other, "other");
        if (!(other instanceof MirrorPath that) || that.fs != fs) {
            throw new ProviderMismatchException("not a path of " + fs + ": " + other);
        }
        return that;
    }
}
