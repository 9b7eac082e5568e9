package io.mirrorfs.vfs;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The layered namespace: several sources mounted at different paths, seen as one tree.
 *
 * <p>The longest mount point that is a prefix of a path wins. Parents of mount points that no
 * source provides are synthesised as read-only directories, and a directory that holds a mount
 * point lists it (a mount point hides an entry of the same name in the source below). Mount
 * points answer {@code stat} without asking their source, so an unreachable server still shows
 * as a directory; listing it reports the source's error, unless mount points lie below it: then
 * the listing degrades to those (with a warning) so one dead server never hides the others. Immutable after construction;
 * thread-safe as long as the sources are.
 */
public final class MountTable implements Vfs {

    private static final System.Logger LOG = System.getLogger(MountTable.class.getName());

    private final NavigableMap<VfsPath, Vfs> mounts;
    private final Instant createdAt;

    /**
     * Creates a table of {@code mounts} (mount point to source), created at {@code createdAt}
     * (the mtime of synthesised directories).
     *
     * @throws IllegalArgumentException if there are no mounts
     */
    public MountTable(Map<VfsPath, Vfs> mounts, Instant createdAt) {
        if (mounts.isEmpty()) {
            throw new IllegalArgumentException("at least one source is needed");
        }
        this.mounts = Collections.unmodifiableNavigableMap(new TreeMap<>(mounts));
        this.createdAt = createdAt;
    }

    /** Returns the mount points and their sources, ordered by path. */
    public NavigableMap<VfsPath, Vfs> mounts() {
        return mounts;
    }

    @Override
    public FileAttrs stat(VfsPath path) throws IOException {
        if (isMountPointOrAncestor(path)) {
            return FileAttrs.directory(createdAt);
        }
        Located l = locate(path);
        return l.source.stat(l.inner);
    }

    @Override
    public List<DirEntry> list(VfsPath dir) throws IOException {
        List<String> synthesised = childrenLeadingToMounts(dir);
        if (synthesised.isEmpty()) {
            Located l = locate(dir);
            return l.source.list(l.inner);
        }
        Map<String, DirEntry> byName = new LinkedHashMap<>();
        Optional<Located> below = covering(dir);
        if (below.isPresent()) {
            try {
                for (DirEntry e : below.get().source.list(below.get().inner)) {
                    byName.put(e.name(), e);
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                // The source has no such directory: the synthesised one holds just the mount points.
            } catch (IOException e) {
                // A dead source must not hide the healthy mounts below it.
                LOG.log(Level.WARNING, "listing " + dir + " from " + below.get().source.describe()
                        + " failed, showing only the mount points below it: " + e);
            }
        }
        for (String name : synthesised) {
            byName.put(name, DirEntry.of(name, FileAttrs.directory(createdAt)));
        }
        return new ArrayList<>(byName.values());
    }

    @Override
    public String readlink(VfsPath path) throws IOException {
        if (isMountPointOrAncestor(path)) {
            throw new NotLinkException(path.toString());
        }
        Located l = locate(path);
        return l.source.readlink(l.inner);
    }

    @Override
    public VfsFile open(VfsPath path) throws IOException {
        if (isMountPointOrAncestor(path)) {
            throw new IsDirectoryException(path.toString());
        }
        Located l = locate(path);
        return l.source.open(l.inner);
    }

    /**
     * Returns the source that serves {@code path} and the path inside that source.
     *
     * @throws NoSuchFileException if no source covers the path
     */
    public Located locate(VfsPath path) throws NoSuchFileException {
        return covering(path).orElseThrow(() -> new NoSuchFileException(path.toString()));
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        mounts.forEach((p, v) -> parts.add(p + "=" + v.describe()));
        return String.join(" ", parts);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Vfs v : mounts.values()) {
            try {
                v.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private Optional<Located> covering(VfsPath path) {
        VfsPath p = path;
        while (true) {
            Vfs v = mounts.get(p);
            if (v != null) {
                return Optional.of(new Located(v, p, path.relativeTo(p)));
            }
            Optional<VfsPath> parent = p.parent();
            if (parent.isEmpty()) {
                return Optional.empty();
            }
            p = parent.get();
        }
    }

    private boolean isMountPointOrAncestor(VfsPath path) {
        VfsPath next = mounts.ceilingKey(path);
        return next != null && next.startsWith(path);
    }

    private List<String> childrenLeadingToMounts(VfsPath dir) {
        TreeSet<String> names = new TreeSet<>();
        for (VfsPath m : mounts.tailMap(dir, false).keySet()) {
            if (!m.startsWith(dir)) {
                break;
            }
            names.add(m.segments().get(dir.depth()));
        }
        return new ArrayList<>(names);
    }

    /**
     * Where a path lands: the source, its mount point and the path inside the source.
     *
     * @param source     the source serving the path
     * @param mountPoint where the source is mounted
     * @param inner      the path relative to the source's root
     */
    public record Located(Vfs source, VfsPath mountPoint, VfsPath inner) {
    }
}
