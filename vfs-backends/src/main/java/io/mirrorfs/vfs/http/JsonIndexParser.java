package io.mirrorfs.vfs.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads nginx's {@code autoindex_format json} pages with jackson-jr: an array of objects with
 * {@code name}, {@code type} ({@code directory}, {@code file}, {@code other}), {@code mtime}
 * (RFC 1123) and, for files, {@code size}.
 *
 * <p>A page that is not that shape fails as a whole with a {@link MalformedListingException}
 * naming the page: malformed JSON (a bad {@code &#92;u} escape, anything after the array), an
 * element that is not an object, or one of those four fields with the wrong JSON type. Members
 * the listing does not need are ignored whatever they hold, nested objects and arrays included;
 * jackson-core's read constraints bound their nesting, so a hostile page cannot exhaust the
 * stack. Thread-safe.
 */
final class JsonIndexParser {

    private static final JSON READER = JSON.std;

    private JsonIndexParser() {
    }

    /** Returns the entries of an nginx JSON index; names are raw (not URL-encoded) in this format. */
    static List<IndexEntry> parse(byte[] body, IndexParser.Sink sink) throws IOException {
        for (Object element : elements(body, sink.page())) {
            if (!(element instanceof Map<?, ?> o)) {
                throw malformed(sink, "an element is " + typeName(element) + ", not an object");
            }
            String name = field(o, "name", String.class, sink).orElse(null);
            String type = field(o, "type", String.class, sink).orElse("file");
            Optional<String> mtime = field(o, "mtime", String.class, sink);
            Optional<Number> size = field(o, "size", Number.class, sink);
            if (name == null || type.equals("other")) {
                continue;
            }
            IndexEntry.Kind kind = type.equals("directory") ? IndexEntry.Kind.DIRECTORY : IndexEntry.Kind.FILE;
            OptionalLong bytes = kind == IndexEntry.Kind.FILE ? exactSize(size, sink) : OptionalLong.empty();
            sink.add(name.getBytes(StandardCharsets.UTF_8), kind, bytes, mtime.flatMap(JsonIndexParser::httpDate));
        }
        return sink.entries();
    }

    /** Returns an RFC 1123 date ({@code Mon, 18 Nov 2024 10:20:30 GMT}) as an instant; {@link Validator} reads Last-Modified with it too. */
    static Optional<Instant> httpDate(String s) {
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(s.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Returns the elements of the page's one top-level array; anything after it is an error. */
    private static List<Object> elements(byte[] body, URI page) throws IOException {
        try (JsonParser p = READER.getStreamingFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new MalformedListingException(page, "not an array");
            }
            List<Object> out = READER.listFrom(p);
            // jackson-jr stops after the array it was asked for; trailing data would go unseen.
            if (p.nextToken() != null) {
                throw new MalformedListingException(page, "data after the array at byte " + p.currentTokenLocation().getByteOffset());
            }
            return out;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new MalformedListingException(page, e.getOriginalMessage() + (at == null ? "" : " at byte " + at.getByteOffset()));
        }
    }

    private static <T> Optional<T> field(Map<?, ?> o, String key, Class<T> type, IndexParser.Sink sink) throws IOException {
        Object v = o.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!type.isInstance(v)) {
            throw malformed(sink, "\"" + key + "\" is " + typeName(v) + ", not " + (type == String.class ? "a string" : "a number"));
        }
        return Optional.of(type.cast(v));
    }

    private static OptionalLong exactSize(Optional<Number> size, IndexParser.Sink sink) throws IOException {
        if (size.isEmpty()) {
            return OptionalLong.empty();
        }
        Number n = size.get();
        if (!(n instanceof Integer || n instanceof Long) || n.longValue() < 0) {
            throw malformed(sink, "\"size\" is " + n + ", not a byte count");
        }
        return OptionalLong.of(n.longValue());
    }

    private static String typeName(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        return v instanceof String ? "a string" : v instanceof Boolean ? "a boolean" : "a number";
    }

    private static MalformedListingException malformed(IndexParser.Sink sink, String what) {
        return new MalformedListingException(sink.page(), what);
    }
}
