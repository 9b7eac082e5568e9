package io.mirrorfs.vfs.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** nginx JSON listings, well-formed and not, through {@link IndexParser} as production calls it. */
class JsonIndexParserTest {

    private static final URI PAGE = URI.create("http://127.0.0.1:8080/pub/");

    private static List<IndexEntry> parse(String json) throws IOException {
        return IndexParser.parse(json.getBytes(StandardCharsets.UTF_8), "application/json", PAGE, 1000);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "[{\"name\":\"a\\u12G4.txt\",\"type\":\"file\"}]",                 // bad hex digit in \\u
        "[{\"name\":\"a\\u12\"}]",                                         // \\u cut short
        "[{\"name\":\"a\",\"type\":\"file\",\"size\":1}] trailing",        // garbage after the array
        "[{\"name\":\"a\",\"type\":\"file\",\"size\":1}]]",                // a second close
        "[][]",                                                            // a second array
        "[{\"name\":\"a\",\"type\":\"file\"}",                             // cut off
        "[{\"name\":\"a\" \"type\":\"file\"}]",                            // missing comma
        "{\"name\":\"a\"}",                                                // an object, not an array
        "[\"a.txt\"]",                                                     // an element that is no object
        "[{\"name\":5,\"type\":\"file\"}]",                                // name is a number
        "[{\"name\":{\"x\":1},\"type\":\"file\"}]",                        // name is an object
        "[{\"name\":\"a\",\"type\":[\"file\"]}]",                          // type is an array
        "[{\"name\":\"a\",\"type\":\"file\",\"size\":\"12\"}]",            // size is a string
        "[{\"name\":\"a\",\"type\":\"file\",\"size\":1.5}]",               // size is not whole
        "[{\"name\":\"a\",\"type\":\"file\",\"size\":-1}]",                // size is negative
        "[{\"name\":\"a\",\"type\":\"file\",\"mtime\":17}]",               // mtime is a number
    })
    void malformedListingIsAnIoExceptionNamingThePage(String json) {
        IOException e = assertThrows(IOException.class, () -> parse(json));
        assertTrue(e.getMessage().startsWith("malformed JSON listing " + PAGE + ": "), e.getMessage());
    }

    @Test
    void valuesTheListingDoesNotNeedAreIgnoredWhateverTheyHold() throws IOException {
        List<IndexEntry> entries = parse("""
                [ { "name":"a.txt", "type":"file", "size":3, "mtime":"Wed, 17 May 2023 10:11:12 GMT",
                    "owner":{"uid":0,"groups":[1,2,{"deep":[null,true,1.5]}]}, "tags":["x",["y"]], "ok":false },
                  { "name":"sub", "type":"directory", "mtime":"Wed, 17 May 2023 10:11:13 GMT", "size":null, "x":{} } ]
                """);
        assertEquals(2, entries.size());
        IndexEntry a = entries.get(0);
        assertEquals("a.txt", a.name());
        assertEquals(IndexEntry.Kind.FILE, a.kind());
        assertEquals(OptionalLong.of(3), a.size());
        assertEquals(Optional.of(Instant.parse("2023-05-17T10:11:12Z")), a.mtime());
        assertEquals(IndexEntry.Kind.DIRECTORY, entries.get(1).kind());
        assertEquals(OptionalLong.empty(), entries.get(1).size());
    }

    @Test
    void escapesDecodeIncludingSurrogatePairs() throws IOException {
        List<IndexEntry> entries = parse("[{\"name\":\"caf\\u00e9 \\ud83d\\ude00\\t\\\"q\\\"\",\"type\":\"file\",\"size\":0}]");
        assertEquals("café \uD83D\uDE00\t\"q\"", entries.get(0).name());
        assertEquals(OptionalLong.of(0), entries.get(0).size());
    }

    @Test
    void otherEntriesNamelessEntriesAndBadDatesAreSkippedOrLeftOut() throws IOException {
        List<IndexEntry> entries = parse("""
                [{"name":"sock","type":"other"}, {"type":"file","size":1},
                 {"name":"f","type":"file","size":9,"mtime":"yesterday"}]
                """);
        assertEquals(1, entries.size());
        assertEquals("f", entries.get(0).name());
        assertEquals(Optional.empty(), entries.get(0).mtime());
    }

    @Test
    void hostileNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IOException e = assertThrows(IOException.class,
                () -> parse("[{\"name\":\"a\",\"type\":\"file\",\"x\":" + deep + "}]"));
        assertTrue(e.getMessage().startsWith("malformed JSON listing " + PAGE + ": "), e.getMessage());
    }

    @Test
    void emptyArrayIsAnEmptyDirectory() throws IOException {
        assertTrue(parse(" [ ] \n").isEmpty());
    }

    @Test
    void bigSizesStayExact() throws IOException {
        List<IndexEntry> entries = parse("[{\"name\":\"big.iso\",\"type\":\"file\",\"size\":9007199254740993}]");
        assertEquals(OptionalLong.of(9007199254740993L), entries.get(0).size());
        assertFalse(entries.get(0).mtime().isPresent());
    }
}
