package io.mirrorfs.nio;

import java.util.regex.PatternSyntaxException;

/**
 * Translates a glob, as {@link java.nio.file.FileSystem#getPathMatcher} defines it, to a regular
 * expression matching whole path strings. Stateless.
 *
 * <p>{@code *} matches within one name, {@code **} across names, {@code ?} one character other
 * than {@code /}, {@code [abc]}/{@code [a-z]}/{@code [!a]} one character of a class (never
 * {@code /}), {@code {a,b}} one of the alternatives (groups do not nest), and {@code \} escapes
 * the next character. The rules, error messages and edge cases follow the JDK's own
 * {@code sun.nio.fs.Globs.toUnixRegexPattern}, so a pattern means the same on a mirror as on
 * the default file system.
 */
final class GlobTranslator {

    private static final String REGEX_META = ".^$+{[]|()";
    private static final String GLOB_META = "\\*?[{";
    private static final char EOL = 0;

    private GlobTranslator() {
    }

    /**
     * Returns the regular expression for {@code glob}.
     *
     * @throws PatternSyntaxException for a dangling escape, an unclosed class or group, a nested
     *                                group, {@code /} inside a class or a reversed range
     */
    static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder("^");
        boolean inGroup = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            switch (c) {
                case '\\' -> {
                    if (i == glob.length()) {
                        throw new PatternSyntaxException("No character to escape", glob, i - 1);
                    }
                    char escaped = glob.charAt(i++);
                    if (GLOB_META.indexOf(escaped) >= 0 || REGEX_META.indexOf(escaped) >= 0) {
                        regex.append('\\');
                    }
                    regex.append(escaped);
                }
                case '[' -> i = appendClass(glob, i, regex);
                case '{' -> {
                    if (inGroup) {
                        throw new PatternSyntaxException("Cannot nest groups", glob, i - 1);
                    }
                    regex.append("(?:(?:");
                    inGroup = true;
                }
                case '}' -> {
                    regex.append(inGroup ? "))" : "}");
                    inGroup = false;
                }
                case ',' -> regex.append(inGroup ? ")|(?:" : ",");
                case '*' -> {
                    if (next(glob, i) == '*') {
                        regex.append(".*");
                        i++;
                    } else {
                        regex.append("[^/]*");
                    }
                }
                case '?' -> regex.append("[^/]");
                default -> {
                    if (REGEX_META.indexOf(c) >= 0) {
                        regex.append('\\');
                    }
                    regex.append(c);
                }
            }
        }
        if (inGroup) {
            throw new PatternSyntaxException("Missing '}'", glob, i - 1);
        }
        return regex.append('$').toString();
    }

    /** Appends the class starting after the {@code [} at {@code i - 1}; returns the index after its {@code ]}. */
    private static int appendClass(String glob, int i, StringBuilder regex) {
        // Intersect with [^/] so that a class never matches the separator.
        regex.append("[[^/]&&[");
        if (next(glob, i) == '^') {
            regex.append("\\^"); // A glob class has no '^' negation: it is a literal.
            i++;
        } else {
            if (next(glob, i) == '!') {
                regex.append('^');
                i++;
            }
            if (next(glob, i) == '-') {
                regex.append('-');
                i++;
            }
        }
        boolean hasRangeStart = false;
        char last = 0;
        char c = EOL;
        while (i < glob.length()) {
            c = glob.charAt(i++);
            if (c == ']') {
                break;
            }
            if (c == '/') {
                throw new PatternSyntaxException("Explicit 'name separator' in class", glob, i - 1);
            }
            if (c == '\\' || c == '[' || (c == '&' && next(glob, i) == '&')) {
                regex.append('\\'); // Literal inside a glob class, special inside a regex class.
            }
            regex.append(c);
            if (c == '-') {
                if (!hasRangeStart) {
                    throw new PatternSyntaxException("Invalid range", glob, i - 1);
                }
                c = next(glob, i++);
                if (c == EOL || c == ']') {
                    break;
                }
                if (c < last) {
                    throw new PatternSyntaxException("Invalid range", glob, i - 3);
                }
                regex.append(c);
                hasRangeStart = false;
            } else {
                hasRangeStart = true;
                last = c;
            }
        }
        if (c != ']') {
            throw new PatternSyntaxException("Missing ']", glob, i - 1);
        }
        regex.append("]]");
        return i;
    }

    private static char next(String glob, int i) {
        return i < glob.length() ? glob.charAt(i) : EOL;
    }
}
