package io.mirrorfs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A configuration file shipped under {@code packaging/src/fleet}, read as shipped so that a test
 * of the server running it is a test of the file users install; only the lines that name this
 * machine's ports, addresses and directories are replaced.
 */
final class ShippedRecipe {

    /** The shipped recipes, relative to the integration-tests module. */
    static final Path DIRECTORY = Path.of(System.getProperty("mirrorfs.fleet", "../packaging/src/fleet"));

    private final Path file;
    private String text;

    private ShippedRecipe(Path file, String text) {
        this.file = file;
        this.text = text;
    }

    /** Reads the recipe {@code name}. */
    static ShippedRecipe read(String name) throws IOException {
        Path file = DIRECTORY.resolve(name);
        return new ShippedRecipe(file, Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * Replaces the one occurrence of {@code from}; fails if the recipe no longer has it exactly
     * once (the test would then test something else than what ships).
     */
    ShippedRecipe replace(String from, String to) throws IOException {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            throw new IOException("the recipe " + file + " must contain '" + from + "' exactly once");
        }
        text = text.replace(from, to);
        return this;
    }

    /** Returns the text with the replacements made. */
    String text() {
        return text;
    }
}
