package io.mirrorfs.vfs.http;

import java.io.IOException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Parses nginx's {@code autoindex_format json} pages: an array of objects with {@code name},
 * {@code type} ({@code directory}, {@code file}, {@code other}), {@code mtime} (RFC 1123) and, for
 * files, {@code size}. A minimal JSON reader for exactly that shape: arrays of flat objects of
 * strings and numbers. Pure functions.
 */
final class JsonIndexParser {

    private final String text;
    private int pos;

    private JsonIndexParser(String text) {
        this.text = text;
    }

    /** Returns the raw objects (name to string or number text) of a JSON array of flat objects. */
    static List<Map<String, String>> parseObjects(String text) throws IOException {
        JsonIndexParser p = new JsonIndexParser(text);
        List<Map<String, String>> out = new ArrayList<>();
        p.expect('[');
        if (p.peek() == ']') {
            return out;
        }
        while (true) {
            out.add(p.object());
            char c = p.next();
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                throw p.error("expected , or ]");
            }
        }
    }

    /** Returns the entries of an nginx JSON index; names are raw (not URL-encoded) in this format. */
    static List<IndexEntry> parse(String text, IndexParser.Sink sink) throws IOException {
        for (Map<String, String> o : parseObjects(text)) {
            String name = o.get("name");
            String type = o.getOrDefault("type", "file");
            if (name == null || type.equals("other")) {
                continue;
            }
            IndexEntry.Kind kind = type.equals("directory") ? IndexEntry.Kind.DIRECTORY : IndexEntry.Kind.FILE;
            OptionalLong size = OptionalLong.empty();
            if (kind == IndexEntry.Kind.FILE && o.containsKey("size")) {
                try {
                    size = OptionalLong.of(Long.parseLong(o.get("size")));
                } catch (NumberFormatException e) {
                    size = OptionalLong.empty();
                }
            }
            sink.add(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), kind, size, httpDate(o.get("mtime")));
        }
        return sink.entries();
    }

    /** Returns an RFC 1123 date ({@code Mon, 18 Nov 2024 10:20:30 GMT}) as an instant. */
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

    private Map<String, String> object() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        expect('{');
        if (peek() == '}') {
            next();
            return m;
        }
        while (true) {
            skipSpace();
            String key = string();
            expect(':');
            skipSpace();
            char c = peek();
            String value;
            if (c == '"') {
                value = string();
            } else {
                int start = pos;
                while (pos < text.length() && ",}] \t\r\n".indexOf(text.charAt(pos)) < 0) {
                    pos++;
                }
                value = text.substring(start, pos);
            }
            m.put(key, value);
            char d = next();
            if (d == '}') {
                return m;
            }
            if (d != ',') {
                throw error("expected , or }");
            }
        }
    }

    private String string() throws IOException {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                break;
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("bad \\u escape");
                    }
                    sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    pos += 4;
                }
                default -> sb.append(e);
            }
        }
        throw error("unterminated string");
    }

    private void expect(char c) throws IOException {
        if (next() != c) {
            throw error("expected " + c);
        }
    }

    private char next() throws IOException {
        skipSpace();
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos++);
    }

    private char peek() {
        skipSpace();
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IOException error(String what) {
        return new IOException("malformed JSON listing at character " + pos + ": " + what);
    }
}
