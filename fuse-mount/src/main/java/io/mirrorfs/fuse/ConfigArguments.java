package io.mirrorfs.fuse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Expands {@code mirrorfs mount ... --config FILE ...} into the arguments the file stands for,
 * before picocli parses them, so a config file and flags go through exactly the same parsing,
 * defaults and checks. Pure function; thread-safe.
 */
final class ConfigArguments {

    private ConfigArguments() {
    }

    /**
     * Returns {@code args} with the settings of the {@code --config} file inserted: its options
     * right after the subcommand name, its mount point (when the command line has none) at the
     * end. Returns {@code args} unchanged when no subcommand with a {@code --config} option is
     * called or no config file is named.
     *
     * @param root the {@code mirrorfs} command line whose subcommands define the valid keys
     * @throws ConfigException naming the file and line of a mistake
     */
    static String[] expand(CommandLine root, String[] args) {
        int sub = subcommandIndex(args);
        if (sub < 0 || !root.getSubcommands().containsKey(args[sub])) {
            return args;
        }
        CommandSpec command = root.getSubcommands().get(args[sub]).getCommandSpec();
        if (command.findOption(ConfigFile.OPTION) == null) {
            return args;
        }
        List<String> rest = List.of(args).subList(sub + 1, args.length);
        CommandLineScan scan = CommandLineScan.of(command, rest);
        if (scan.configFile().isEmpty()) {
            return args;
        }
        ConfigFile config = ConfigFile.read(Path.of(scan.configFile().get()));
        List<String> expanded = new ArrayList<>(List.of(args).subList(0, sub + 1));
        expanded.addAll(config.toArguments(command, scan.options()));
        expanded.addAll(rest);
        Optional<String> mountPoint = config.mountPoint();
        if (mountPoint.isPresent() && !scan.hasPositional()) {
            if (!scan.endOfOptions()) {
                expanded.add("--");
            }
            expanded.add(mountPoint.get());
        }
        return expanded.toArray(String[]::new);
    }

    /** Returns the index of the first argument that is not a top-level option, or -1. */
    private static int subcommandIndex(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("-")) {
                return i;
            }
        }
        return -1;
    }

    /**
     * What a subcommand's arguments set, found without converting anything.
     *
     * @param options       the options present
     * @param hasPositional whether a positional parameter is present
     * @param endOfOptions  whether {@code --} is present
     * @param configFile    the value of {@code --config}, if present
     */
    record CommandLineScan(Set<OptionSpec> options, boolean hasPositional, boolean endOfOptions, Optional<String> configFile) {

        /** Scans {@code args} (the arguments after the subcommand name) against {@code command}'s options. */
        static CommandLineScan of(CommandSpec command, List<String> args) {
            Set<OptionSpec> options = new HashSet<>();
            boolean positional = false;
            boolean end = false;
            String config = null;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (end || !arg.startsWith("-") || arg.equals("-")) {
                    positional = true;
                    continue;
                }
                if (arg.equals("--")) {
                    end = true;
                    continue;
                }
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? null : arg.substring(eq + 1);
                OptionSpec option = command.findOption(name);
                if (option == null && !arg.startsWith("--") && arg.length() > 2) {
                    // A short option with its value attached: -oallow_other.
                    option = command.findOption(arg.substring(0, 2));
                    value = arg.substring(2);
                }
                if (option == null) {
                    continue;
                }
                options.add(option);
                if (value == null && option.arity().max() > 0 && i + 1 < args.size()) {
                    value = args.get(++i);
                }
                if (option.longestName().equals(ConfigFile.OPTION)) {
                    config = value;
                }
            }
            return new CommandLineScan(Set.copyOf(options), positional, end, Optional.ofNullable(config));
        }
    }
}
