package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.FileAttrs;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed directory page: its entries by name, each with what later requests learnt about it
 * (a HEAD's size, or the type of a link without slash). Thread-safe: learnt facts are volatile.
 */
final class DirListing {

    /** One entry and what has been learnt about it since the page was parsed. */
    static final class Node {
        final IndexEntry entry;
        volatile FileAttrs learnt;
        volatile IndexEntry.Kind kind;

        Node(IndexEntry entry) {
            this.entry = entry;
            this.kind = entry.kind();
        }
    }

    private final URI url;
    private final Map<String, Node> byName = new LinkedHashMap<>();
    private final long expiresAtMillis;
    private final String validator;

    /** @param validator the page's ETag or Last-Modified as a {@link io.mirrorfs.vfs.Listing} validator; empty if none */
    DirListing(URI url, List<IndexEntry> entries, long expiresAtMillis, String validator) {
        this.url = url;
        this.expiresAtMillis = expiresAtMillis;
        this.validator = validator;
        for (IndexEntry e : entries) {
            byName.put(e.name(), new Node(e));
        }
    }

    /** Returns the URL the page was served from. */
    URI url() {
        return url;
    }

    /** Returns the page's validator, empty when the server sent none. */
    String validator() {
        return validator;
    }

    /** Returns the node called {@code name}, or null. */
    Node get(String name) {
        return byName.get(name);
    }

    /** Returns every node in page order. */
    Collection<Node> nodes() {
        return byName.values();
    }

    /** Returns whether the listing is older than its time to live at {@code nowMillis}. */
    boolean expired(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }
}
