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
    private final Map<VfsPath, Node> nodes = new HashMap<>();
    private int dropped;

    /**
     * Builds the tree of {@code members} of the archive {@code description}; {@code archive} gives
     * the mtime of synthesised directories and the version prefix of entries.
     */
    ArchiveTree(String description, FileAttrs archive, List<Member> members, MemberOpener opener,
                boolean showOutsideSymlinks) {
        this.description = description;
        this.opener = opener;
        Node root = new Node(directoryAttrs(archive.mtime(), -1), null);
        nodes.put(VfsPath.ROOT, root);
        Map<String, Member> files = new HashMap<>();
        for (Member m : members) {
            add(m, archive, files, showOutsideSymlinks);
        }
        if (dropped > LOGGED_DROPS) {
            LOG.log(Level.WARNING, description + ": dropped " + dropped + " entries in all");
        }
    }

    /** Returns the number of entries shown (directories included, the root excluded). */
    int size() {
        return nodes.size() - 1;
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

    private Node node(VfsPath path) throws NoSuchFileException {
        Node n = nodes.get(path);
        if (n == null) {
            throw new NoSuchFileException(path.toString());
        }
        return n;
    }

    private void add(Member m, FileAttrs archive, Map<String, Member> files, boolean showOutside) {
        Optional<List<String>> segments = normalise(m.name());
        if (segments.isEmpty()) {
            drop(m.name(), "its name leaves the archive or is not a valid file name");
            return;
        }
        if (segments.get().isEmpty()) {
            return; // "./": the archive root itself
        }
        VfsPath path = new VfsPath(segments.get());
        String key = String.join("/", segments.get());
        Member member = m;
        if (m.hardLink()) {
            Member target = normalise(m.link()).map(s -> files.get(String.join("/", s))).orElse(null);
            if (target == null) {
                drop(m.name(), "it is a hard link to " + m.link() + ", which is not an earlier file");
                return;
            }
            member = target.renamed(m.name());
        }
        if (member.type() == FileType.SYMLINK && !showOutside && leavesArchive(segments.get(), member.link())) {
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
            files.put(key, member);
        } else {
            files.remove(key);
        }
        Node parent = parentOf(path, archive.mtime());
        Node existing = parent.children.get(path.name());
        if (existing != null && existing.children != null && attrs.isDirectory()) {
            existing.attrs = attrs; // a directory entry after its contents (zip, tar --sort) keeps them
            return;
        }
        if (existing != null && existing.children != null) {
            removeBelow(path);
        }
        Node node = new Node(attrs, member);
        parent.children.put(path.name(), node);
        nodes.put(path, node);
    }

    private Node parentOf(VfsPath path, Instant mtime) {
        VfsPath dir = path.parent().orElseThrow();
        Node n = nodes.get(dir);
        if (n != null && n.children != null) {
            return n;
        }
        Node grand = parentOf(dir, mtime);
        Node synthesised = new Node(directoryAttrs(mtime, -1), null);
        grand.children.put(dir.name(), synthesised); // replaces a file of the same name
        nodes.put(dir, synthesised);
        return synthesised;
    }

    private void removeBelow(VfsPath dir) {
        nodes.keySet().removeIf(p -> p.depth() > dir.depth() && p.startsWith(dir));
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
    }
}
