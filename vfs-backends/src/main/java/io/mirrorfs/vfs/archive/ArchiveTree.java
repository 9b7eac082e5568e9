package io.mirrorfs.vfs.archive;

import io.mirrorfs.vfs.DirEntry;
import io.mirrorfs.vfs.FileAttrs;
import io.mirrorfs.vfs.FileType;
import io.mirrorfs.vfs.IsDirectoryException;
import io.mirrorfs.vfs.Vfs;
import io.mirrorfs.vfs.VfsFile;
import io.mirrorfs.vfs.VfsPath;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The entries of one archive as a read-only directory tree. Names are normalised ({@code ./}
 * and repeated slashes folded); entries whose names are absolute, hold {@code ..} or NUL, or are
 * otherwise not valid path segments are dropped with a warning. Directories implied by entry
 * paths are synthesised. Hard links become files with their target's content; symlinks whose
 * target leaves the archive directory are hidden unless configured otherwise. Write bits are
 * cleared. Immutable after construction and thread-safe as long as the opener is.
 */
final class ArchiveTree implements Vfs {

    private static final System.Logger LOG = System.getLogger(ArchiveLayer.class.getName());
    private static final int LOGGED_DROPS = 5;

    /** Opens an entry's content for ranged reads. */
    @FunctionalInterface
    interface MemberOpener {
        /** Returns a handle on {@code member}'s content, reporting {@code attrs}. */
        VfsFile open(Member member, FileAttrs attrs) throws IOException;
    }

    private final String description;
    private final MemberOpener opener;
    private final Node root;
    private int size;
    private int dropped;

    /**
     * Builds the tree of {@code members} of the archive {@code description}; {@code archive} gives
     * the mtime of synthesised directories and the version prefix of entries.
     */
    ArchiveTree(String description, FileAttrs archive, List<Member> members, MemberOpener opener,
                boolean showOutsideSymlinks) {
        this.description = description;
        this.opener = opener;
        root = new Node(directoryAttrs(archive.mtime(), -1), null);
        Map<List<String>, Member> files = new HashMap<>();
        for (Member m : members) {
            add(m, archive, files, showOutsideSymlinks);
        }
        if (dropped > LOGGED_DROPS) {
            LOG.log(Level.WARNING, description + ": dropped " + dropped + " entries in all");
        }
    }

    /** Returns the number of entries shown (directories included, the root excluded). */
    int size() {
        return size;
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        return node(path).attrs;
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        Node n = node(dir);
        if (n.children == null) {
            throw new NotDirectoryException(dir.toString());
        }
        List<DirEntry> entries = new ArrayList<>(n.children.size());
        n.children.forEach((name, child) -> entries.add(DirEntry.of(name, child.attrs)));
        return entries;
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        Node n = node(path);
        if (!n.attrs.isSymlink()) {
            throw new NotLinkException(path.toString());
        }
        return n.member.link();
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        Node n = node(path);
        if (n.attrs.isDirectory()) {
            throw new IsDirectoryException(path.toString());
        }
        if (!n.attrs.isFile()) {
            throw new FileSystemException(path.toString(), null, "not a regular file");
        }
        return opener.open(n.member, n.attrs);
    }

    @Override
    public String describe() {
        return description;
    }

    /** Walks from the root: a lookup costs one map probe per segment and builds no keys. */
    private Node node(VfsPath path) throws NoSuchFileException {
        Node n = root;
        for (String segment : path.segments()) {
            n = n.children == null ? null : n.children.get(segment);
            if (n == null) {
                throw new NoSuchFileException(path.toString());
            }
        }
        return n;
    }

    private void add(Member m, FileAttrs archive, Map<List<String>, Member> files, boolean showOutside) {
        Optional<List<String>> normalised = normalise(m.name());
        if (normalised.isEmpty()) {
            drop(m.name(), "its name leaves the archive or is not a valid file name");
            return;
        }
        List<String> segments = normalised.get();
        if (segments.isEmpty()) {
            return; // "./": the archive root itself
        }
        Member member = m;
        if (m.hardLink()) {
            Member target = normalise(m.link()).map(files::get).orElse(null);
            if (target == null) {
                drop(m.name(), "it is a hard link to " + m.link() + ", which is not an earlier file");
                return;
            }
            member = target.renamed(m.name());
        }
        if (member.type() == FileType.SYMLINK && !showOutside && leavesArchive(segments, member.link())) {
            LOG.log(Level.DEBUG, description + ": hiding symlink " + m.name() + " -> " + member.link() + " (leaves the archive)");
            return;
        }
        FileAttrs attrs = switch (member.type()) {
            case DIRECTORY -> directoryAttrs(member.mtime(), member.mode());
            case SYMLINK -> new FileAttrs(FileType.SYMLINK, member.link().getBytes(StandardCharsets.UTF_8).length,
                    member.mtime(), 0777, "");
            case FILE -> new FileAttrs(FileType.FILE, member.size(), member.mtime(),
                    member.mode() < 0 ? FileAttrs.DEFAULT_FILE_PERMISSIONS : member.mode() & 07555,
                    archive.version() + "#" + member.offset()); // hard links share their target's
        };
        if (member.type() == FileType.FILE) {
            files.put(segments, member);
        } else {
            files.remove(segments);
        }
        Node parent = parentOf(segments, archive.mtime());
        String name = segments.get(segments.size() - 1);
        Node existing = parent.children.get(name);
        if (existing != null && existing.children != null && attrs.isDirectory()) {
            existing.attrs = attrs; // a directory entry after its contents (zip, tar --sort) keeps them
            return;
        }
        size += 1 - (existing == null ? 0 : existing.count());
        parent.children.put(name, new Node(attrs, member)); // replaces an entry of that name, and what was below it
    }

    /** Returns the directory holding {@code segments}' last one, synthesising missing directories (replacing files). */
    private Node parentOf(List<String> segments, Instant mtime) {
        Node n = root;
        for (int i = 0; i < segments.size() - 1; i++) {
            Node child = n.children.get(segments.get(i));
            if (child == null || child.children == null) {
                size += 1 - (child == null ? 0 : 1);
                child = new Node(directoryAttrs(mtime, -1), null);
                n.children.put(segments.get(i), child);
            }
            n = child;
        }
        return n;
    }

    private void drop(String name, String why) {
        dropped++;
        if (dropped <= LOGGED_DROPS) {
            LOG.log(Level.WARNING, description + ": dropping entry '" + name.replace("\0", "\\0") + "' because " + why);
        }
    }

    /**
     * Returns the segments of entry name {@code name}, or empty if it must not be shown: absolute,
     * with {@code ..} or NUL. Empty segments and {@code .} are folded away.
     */
    static Optional<List<String>> normalise(String name) {
        if (name.startsWith("/") || name.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..") || !VfsPath.isValidName(part)) {
                return Optional.empty();
            }
            out.add(part);
        }
        return Optional.of(out);
    }

    /** Returns whether symlink {@code target}, stored at {@code linkPath}, points outside the archive. */
    static boolean leavesArchive(List<String> linkPath, String target) {
        if (target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0) {
            return true;
        }
        Deque<String> stack = new ArrayDeque<>(linkPath.subList(0, linkPath.size() - 1));
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (stack.isEmpty()) {
                    return true;
                }
                stack.removeLast();
            } else {
                stack.addLast(part);
            }
        }
        return false;
    }

    private static FileAttrs directoryAttrs(Instant mtime, int mode) {
        int bits = mode < 0 ? FileAttrs.DEFAULT_DIRECTORY_PERMISSIONS : mode & 07555;
        return new FileAttrs(FileType.DIRECTORY, 0, mtime, bits, "");
    }

    /** A tree node: attributes, the member behind it (null when synthesised), children for directories. */
    private static final class Node {
        FileAttrs attrs;
        final Member member;
        final TreeMap<String, Node> children;

        Node(FileAttrs attrs, Member member) {
            this.attrs = attrs;
            this.member = member;
            this.children = attrs.isDirectory() ? new TreeMap<>() : null;
        }

        /** Returns how many nodes this one stands for, itself and everything below it. */
        int count() {
            int n = 1;
            if (children != null) {
                for (Node c : children.values()) {
                    n += c.count();
                }
            }
            return n;
        }
    }
}
