package io.mirrorfs.nio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Answers {@link java.nio.file.Files#readAttributes(java.nio.file.Path, String,
 * java.nio.file.LinkOption...)}: parses {@code [view:]name,name|*} and maps names to values for
 * the {@code basic}, {@code owner} and {@code posix} views. Stateless.
 */
final class AttributeMaps {

    /** The views a mirror supports, as {@link java.nio.file.FileSystem#supportedFileAttributeViews} lists them. */
    static final Set<String> VIEWS = Set.of("basic", "owner", "posix");

    private static final Map<String, Function<MirrorFileAttributes, Object>> BASIC = new LinkedHashMap<>();
    private static final Map<String, Function<MirrorFileAttributes, Object>> OWNER = new LinkedHashMap<>();
    private static final Map<String, Function<MirrorFileAttributes, Object>> POSIX = new LinkedHashMap<>();

    static {
        BASIC.put("lastModifiedTime", MirrorFileAttributes::lastModifiedTime);
        BASIC.put("lastAccessTime", MirrorFileAttributes::lastAccessTime);
        BASIC.put("creationTime", MirrorFileAttributes::creationTime);
        BASIC.put("size", MirrorFileAttributes::size);
        BASIC.put("isRegularFile", MirrorFileAttributes::isRegularFile);
        BASIC.put("isDirectory", MirrorFileAttributes::isDirectory);
        BASIC.put("isSymbolicLink", MirrorFileAttributes::isSymbolicLink);
        BASIC.put("isOther", MirrorFileAttributes::isOther);
        BASIC.put("fileKey", MirrorFileAttributes::fileKey);
        OWNER.put("owner", MirrorFileAttributes::owner);
        POSIX.put("permissions", MirrorFileAttributes::permissions);
        POSIX.put("group", MirrorFileAttributes::group);
    }

    private AttributeMaps() {
    }

    /**
     * Returns the view named at the start of {@code attributes} ({@code basic} when none is).
     *
     * @throws UnsupportedOperationException for a view other than basic, owner or posix
     */
    static String viewOf(String attributes) {
        int colon = attributes.indexOf(':');
        String view = colon < 0 ? "basic" : attributes.substring(0, colon);
        if (!VIEWS.contains(view)) {
            throw new UnsupportedOperationException("file attribute view '" + view + "' is not available (supported: basic, owner, posix)");
        }
        return view;
    }

    /**
     * Returns the attributes named in {@code attributes} read from {@code attrs}.
     *
     * @throws UnsupportedOperationException for an unknown view
     * @throws IllegalArgumentException      for an unknown attribute name or an empty list
     */
    static Map<String, Object> read(MirrorFileAttributes attrs, String attributes) {
        String view = viewOf(attributes);
        int colon = attributes.indexOf(':');
        String list = colon < 0 ? attributes : attributes.substring(colon + 1);
        Map<String, Function<MirrorFileAttributes, Object>> available = available(view);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : list.split(",", -1)) {
            if (name.equals("*")) {
                available.forEach((n, f) -> out.put(n, f.apply(attrs)));
                continue;
            }
            Function<MirrorFileAttributes, Object> getter = available.get(name);
            if (getter == null) {
                throw new IllegalArgumentException("'" + name + "' is not an attribute of the " + view + " view (it has "
                        + String.join(", ", available.keySet()) + ")");
            }
            out.put(name, getter.apply(attrs));
        }
        return out;
    }

    private static Map<String, Function<MirrorFileAttributes, Object>> available(String view) {
        Map<String, Function<MirrorFileAttributes, Object>> m = new LinkedHashMap<>();
        if (!view.equals("owner")) {
            m.putAll(BASIC);
        }
        if (!view.equals("basic")) {
            m.putAll(OWNER);
        }
        if (view.equals("posix")) {
            m.putAll(POSIX);
        }
        return m;
    }
}
