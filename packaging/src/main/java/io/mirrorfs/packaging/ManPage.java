package io.mirrorfs.packaging;

import io.mirrorfs.fuse.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Writes the mirrorfs(1) man page from the command line's own model (every command, positional
 * parameter and option with its {@code --help} text, defaults interpolated), followed by the
 * hand-written sections (configuration file, fstab, systemd, files). Run at build time by the
 * packaging module, so the man page cannot drift from {@code --help}.
 */
public final class ManPage {

    private ManPage() {
    }

    /**
     * Writes the man page.
     *
     * @param args output file (gzip-compressed when it ends in {@code .gz}), file of hand-written
     *             roff sections, version string
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ManPage OUTPUT[.gz] SECTIONS.roff VERSION");
        }
        Path out = Path.of(args[0]);
        String page = render(new CommandLine(new Main()), Files.readString(Path.of(args[1]), StandardCharsets.UTF_8), args[2]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream file = Files.newOutputStream(out);
             OutputStream body = out.toString().endsWith(".gz") ? new GZIPOutputStream(file) : file;
             Writer w = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
            w.write(page);
        }
    }

    /** Returns the whole page as roff source. */
    static String render(CommandLine root, String handWritten, String version) {
        CommandSpec spec = root.getCommandSpec();
        StringBuilder sb = new StringBuilder();
        sb.append(".\\\" Generated from the mirrorfs command line model by io.mirrorfs.packaging.ManPage; do not edit.\n");
        sb.append(".TH MIRRORFS 1 \"\" \"mirrorfs ").append(escape(version)).append("\" \"User Commands\"\n");
        sb.append(".SH NAME\nmirrorfs \\- remote FTP/HTTP servers, local directories and archives as one read-only directory\n");
        sb.append(".SH SYNOPSIS\n");
        for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue;
            }
            sb.append(".B mirrorfs ").append(sub.getKey()).append('\n').append(synopsis(sub.getValue().getCommandSpec())).append("\n.br\n");
        }
        sb.append(".B mirrorfs\n\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR\n");
        sb.append(".SH DESCRIPTION\n");
        paragraphs(sb, List.of(spec.usageMessage().description()));
        sb.append(".SH COMMANDS\n");
        for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue;
            }
            command(sb, sub.getKey(), sub.getValue().getCommandSpec());
        }
        sb.append(".SS mirrorfs help [COMMAND]\nPrints the help of mirrorfs or of COMMAND.\n");
        sb.append(handWritten.endsWith("\n") ? handWritten : handWritten + "\n");
        return sb.toString();
    }

    private static String synopsis(CommandSpec cmd) {
        StringBuilder sb = new StringBuilder();
        for (PositionalParamSpec p : cmd.positionalParameters()) {
            sb.append("\\fI").append(escape(p.paramLabel())).append("\\fR ");
        }
        for (OptionSpec o : cmd.options()) {
            if (o.required()) {
                sb.append("\\fB").append(escape(o.longestName())).append("\\fR \\fI").append(escape(o.paramLabel())).append("\\fR");
                sb.append(o.isMultiValue() ? "... " : " ");
            }
        }
        sb.append("[\\fIOPTIONS\\fR]");
        return sb.toString();
    }

    private static void command(StringBuilder sb, String name, CommandSpec cmd) {
        sb.append(".SS mirrorfs ").append(escape(name)).append('\n');
        paragraphs(sb, List.of(cmd.usageMessage().description()));
        for (PositionalParamSpec p : cmd.positionalParameters()) {
            sb.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n");
            sb.append(escape(String.join(" ", p.description()))).append('\n');
        }
        for (OptionSpec o : cmd.options()) {
            sb.append(".TP\n").append(optionHeading(o)).append('\n');
            sb.append(escape(String.join(" ", o.description()))).append('\n');
        }
        List<String> footer = List.of(cmd.usageMessage().footer());
        if (!footer.isEmpty()) {
            sb.append(".PP\n.nf\n");
            for (String line : footer) {
                sb.append(escapeLine(line)).append('\n');
            }
            sb.append(".fi\n");
        }
    }

    private static String optionHeading(OptionSpec o) {
        StringBuilder sb = new StringBuilder();
        String[] names = o.names();
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("\\fB").append(escape(names[i])).append("\\fR");
        }
        if (o.arity().max() > 0) {
            sb.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
        }
        return sb.toString();
    }

    private static void paragraphs(StringBuilder sb, List<String> lines) {
        for (String line : lines) {
            sb.append(".PP\n").append(escape(line)).append('\n');
        }
    }

    /** Escapes text for a roff text line: backslashes, hyphens and a leading control character. */
    static String escape(String text) {
        String t = text.replace("\\", "\\e").replace("-", "\\-");
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }

    private static String escapeLine(String line) {
        return line.isEmpty() ? "" : escape(line);
    }
}
