package io.mirrorfs.vfs.http;

import io.mirrorfs.vfs.FileAttrs;
import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed directory page: its entries by name, each with what later requests learnt about it
 * (a HEAD's size, or the type of a link without slash), and the page's own validators, so that
 * an expired listing is refreshed with a conditional GET (a 304, also from a caching tier, costs
 * no body and no parsing). Thread-safe: learnt facts are volatile.
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
    private final List<IndexEntry> entries;
    private final Validator validator;
    private final Map<String, Node> byName = new LinkedHashMap<>();
    private final long expiresAtMillis;

    DirListing(URI url, List<IndexEntry> entries, long expiresAtMillis) {
        this(url, entries, Validator.NONE, expiresAtMillis);
    }

    DirListing(URI url, List<IndexEntry> entries, Validator validator, long expiresAtMillis) {
        this.url = url;
        this.entries = List.copyOf(entries);
        this.validator = validator;
        this.expiresAtMillis = expiresAtMillis;
        for (IndexEntry e : entries) {
            byName.put(e.name(), new Node(e));
        }
    }

    /** Returns the validators the page was served with ({@link Validator#NONE} when it had none). */
    Validator validator() {
        return validator;
    }

    /**
     * Returns the same page, confirmed unchanged by a 304, living until {@code expiresAtMillis};
     * what was learnt about its entries is dropped, as a full refresh would drop it.
     */
    DirListing renewed(long expiresAtMillis) {
        return new DirListing(url, entries, validator, expiresAtMillis);
    }

    /** Returns the URL the page was served from. */
    URI url() {
        return url;
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
