package io.mirrorfs.fuse;

import io.mirrorfs.cache.SourceSpec;
import io.mirrorfs.vfs.Sources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A {@code --config FILE}: the settings of {@code mirrorfs mount}, one per line, turned into the
 * command-line arguments they stand for.
 *
 * <pre>
 * # comment lines start with '#'; blank lines are ignored
 * mountpoint = /srv/mirror              # the MOUNTPOINT argument
 * source / = http://example.org/pub/    # --source /=http://example.org/pub/ (repeatable)
 * o = allow_other                       # -o allow_other (repeatable)
 * uid = 33                              # --uid 33: any long option, without its dashes
 * read-timeout = 10s
 * verbose                               # a flag: bare, or = true/false/yes/no/on/off
 * </pre>
 *
 * <p>Keys are looked up in the {@code mount} command's own option model, so every option that
 * command gains is a valid key without touching this class. Each value is checked by that
 * option's own converter, so a mistake fails with the file name and line number instead of a
 * message about an anonymous argument. Only whole lines are comments: {@code #} inside a value
 * (an archive path such as {@code a.tgz#/x}) is data. A value may be double-quoted to keep
 * leading or trailing spaces ({@code \"} and {@code \\} escape inside quotes).
 *
 * <p>Options given on the command line win over the file: a single-valued option present in both
 * is taken from the command line, repeatable ones ({@code --source}, {@code -o}) are combined,
 * and the file's {@code mountpoint} is used only when the command line names none. Immutable
 * and thread-safe.
 */
final class ConfigFile {

    /** The option that names a configuration file. */
    static final String OPTION = "--config";

    private static final String MOUNTPOINT_KEY = "mountpoint";
    private static final Pattern SOURCE_LINE = Pattern.compile("source\\s+(/[^=]*?)\\s*=\\s*(.*)");
    private static final Pattern KEY_LINE = Pattern.compile("([A-Za-z][A-Za-z0-9_-]*)\\s*(?:=\\s*(.*))?");
    private static final Set<String> TRUE = Set.of("true", "yes", "on", "1");
    private static final Set<String> FALSE = Set.of("false", "no", "off", "0");

    private final Path file;
    private final List<ConfigEntry> entries;

    private ConfigFile(Path file, List<ConfigEntry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws ConfigException if the file cannot be read or a line is malformed
     */
    static ConfigFile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + describe(e));
        }
        return parse(file, lines);
    }

    /**
     * Parses the lines of a configuration file; {@code file} only names it in messages.
     *
     * @throws ConfigException naming the line of the first malformed line
     */
    static ConfigFile parse(Path file, List<String> lines) {
        List<ConfigEntry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (i == 0 && text.startsWith("\uFEFF")) {
                text = text.substring(1).strip();
            }
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            entries.add(parseLine(file, i + 1, text));
        }
        return new ConfigFile(file, entries);
    }

    private static ConfigEntry parseLine(Path file, int line, String text) {
        Matcher source = SOURCE_LINE.matcher(text);
        if (source.matches()) {
            return new ConfigEntry(line, "source", source.group(1) + "=" + unquote(file, line, source.group(2)));
        }
        Matcher kv = KEY_LINE.matcher(text);
        if (!kv.matches()) {
            throw new ConfigException(file, line, "expected 'key = value', 'source /PATH = URL' or '# comment', got: " + text);
        }
        String key = kv.group(1).toLowerCase(Locale.ROOT).replace('_', '-');
        String value = kv.group(2) == null ? "" : unquote(file, line, kv.group(2).strip());
        if (kv.group(2) != null && value.isEmpty() && !kv.group(2).strip().startsWith("\"")) {
            throw new ConfigException(file, line, "'" + key + "' has no value after '='");
        }
        return new ConfigEntry(line, key, value);
    }

    private static String unquote(Path file, int line, String raw) {
        String v = raw.strip();
        if (!v.startsWith("\"")) {
            return v;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) {
                sb.append(v.charAt(++i));
            } else if (c == '"') {
                if (i != v.length() - 1) {
                    throw new ConfigException(file, line, "unexpected text after the closing quote: " + v.substring(i + 1));
                }
                return sb.toString();
            } else {
                sb.append(c);
            }
        }
        throw new ConfigException(file, line, "the quoted value has no closing '\"'");
    }

    /** Returns the settings in file order. */
    List<ConfigEntry> entries() {
        return entries;
    }

    /**
     * Returns the keys this file may use with {@code command}: its long options without dashes,
     * its one-letter options, {@code source} and {@code mountpoint}; sorted.
     */
    static Set<String> keys(CommandSpec command) {
        Set<String> keys = new TreeSet<>();
        keys.add(MOUNTPOINT_KEY);
        for (OptionSpec o : command.options()) {
            if (o.usageHelp() || o.versionHelp() || o.longestName().equals(OPTION)) {
                continue;
            }
            for (String name : o.names()) {
                keys.add(name.replaceFirst("^--?", ""));
            }
        }
        return keys;
    }

    /**
     * Returns the option arguments this file stands for, for {@code command}, checked option by
     * option; the mount point is not among them (see {@link #mountPoint()}).
     *
     * @param command            the {@code mount} command's model
     * @param givenOnCommandLine options the command line sets itself: single-valued ones are skipped here
     * @throws ConfigException naming the line of the first mistake
     */
    List<String> toArguments(CommandSpec command, Set<OptionSpec> givenOnCommandLine) {
        List<String> args = new ArrayList<>();
        Map<String, Integer> firstLine = new HashMap<>();
        for (ConfigEntry e : entries) {
            if (e.key().equals(MOUNTPOINT_KEY)) {
                requireOnce(firstLine, e);
                requireValue(e);
                continue;
            }
            OptionSpec option = option(command, e);
            if (!option.isMultiValue()) {
                requireOnce(firstLine, e);
            }
            if (!option.isMultiValue() && givenOnCommandLine.contains(option)) {
                continue;
            }
            args.addAll(arguments(option, e));
        }
        return args;
    }

    /** Returns the {@code mountpoint} setting, if the file has one. */
    Optional<String> mountPoint() {
        return entries.stream().filter(e -> e.key().equals(MOUNTPOINT_KEY)).map(ConfigEntry::value).findFirst();
    }

    private OptionSpec option(CommandSpec command, ConfigEntry e) {
        String key = e.key();
        if (key.equals("config")) {
            throw new ConfigException(file, e.line(), "a config file cannot name another one ('config')");
        }
        OptionSpec option = command.findOption(key.length() == 1 ? "-" + key : "--" + key);
        if (option == null || option.usageHelp() || option.versionHelp()) {
            throw new ConfigException(file, e.line(), "unknown key '" + key + "'" + suggestion(command, key)
                    + " (known keys: " + String.join(", ", keys(command)) + ")");
        }
        return option;
    }

    private List<String> arguments(OptionSpec option, ConfigEntry e) {
        String name = option.longestName();
        if (option.arity().max() == 0) {
            String v = e.value().toLowerCase(Locale.ROOT);
            if (v.isEmpty() || TRUE.contains(v)) {
                return List.of(name);
            }
            if (FALSE.contains(v)) {
                return List.of();
            }
            throw new ConfigException(file, e.line(), "'" + e.key() + "' is a switch: expected true or false, got '" + e.value() + "'");
        }
        requireValue(e);
        checkValue(option, e);
        if (name.equals("--source")) {
            checkSource(e);
        }
        return List.of(name, e.value());
    }

    /** Runs the option's own converter on the value, on a copy of the option bound to a scratch holder. */
    private void checkValue(OptionSpec option, ConfigEntry e) {
        ScratchBinding scratch = new ScratchBinding();
        CommandSpec probe = CommandSpec.create();
        probe.addOption(OptionSpec.builder(option).required(false).getter(scratch).setter(scratch)
                .hasInitialValue(false).initialValue(null).defaultValue(null).build());
        try {
            new CommandLine(probe).parseArgs(option.longestName(), e.value());
        } catch (CommandLine.ParameterException ex) {
            throw new ConfigException(file, e.line(), "bad value for '" + e.key() + "': " + ex.getMessage());
        }
    }

    private void checkSource(ConfigEntry e) {
        SourceSpec spec;
        try {
            spec = SourceSpec.parse(e.value());
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(file, e.line(), ex.getMessage().replaceFirst("^--source ", "source "));
        }
        int colon = spec.url().indexOf(':');
        String scheme = colon < 0 ? "" : spec.url().substring(0, colon).toLowerCase(Locale.ROOT);
        if (!Sources.schemes().contains(scheme)) {
            throw new ConfigException(file, e.line(), "source " + spec.redacted() + ": unknown URL scheme '" + scheme
                    + "' (supported: " + String.join(", ", Sources.schemes()) + ")");
        }
    }

    private void requireOnce(Map<String, Integer> firstLine, ConfigEntry e) {
        Integer earlier = firstLine.putIfAbsent(e.key(), e.line());
        if (earlier != null) {
            throw new ConfigException(file, e.line(), "'" + e.key() + "' is already set on line " + earlier);
        }
    }

    private void requireValue(ConfigEntry e) {
        if (e.value().isEmpty()) {
            throw new ConfigException(file, e.line(), "'" + e.key() + "' needs a value: " + e.key() + " = VALUE");
        }
    }

    private static String suggestion(CommandSpec command, String key) {
        String best = null;
        int bestDistance = 3;
        for (String k : keys(command)) {
            int d = editDistance(k, key);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    /** Returns the Levenshtein distance between {@code a} and {@code b}. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** A getter/setter pair holding one value, so that checking a value never touches the real command. */
    private static final class ScratchBinding implements CommandLine.Model.IGetter, CommandLine.Model.ISetter {
        private Object value;

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T newValue) {
            Object old = value;
            value = newValue;
            return (T) old;
        }
    }
}
