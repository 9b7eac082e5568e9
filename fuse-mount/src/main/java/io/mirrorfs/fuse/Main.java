package io.mirrorfs.fuse;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The {@code mirrorfs} command line. */
@Command(name = "mirrorfs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Presents FTP and HTTP servers, local directories and the archives inside them as one read-only local directory, through FUSE.",
        subcommands = {MountCommand.class, DemoCommand.class, HelpCommand.class})
public final class Main implements Runnable {

    /** Exit status for bad arguments or configuration. */
    static final int EXIT_USAGE = 2;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status. */
    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("mirrorfs: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (e instanceof IOException) {
                cmd.getErr().println("mirrorfs: " + e.getMessage());
                return Mounter.EXIT_FAILED;
            }
            throw e;
        });
        String[] expanded;
        try {
            expanded = ConfigArguments.expand(cli, args);
        } catch (ConfigException e) {
            cli.getErr().println("mirrorfs: " + e.getMessage());
            return EXIT_USAGE;
        }
        return cli.execute(expanded);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Sets up one-line logging on stderr and warns when names would not be decoded as UTF-8. */
    static void configureLogging(CommonOptions common) {
        LogSetup.configure(common.verbose ? Level.FINE : Level.INFO);
        if (!Charset.defaultCharset().name().equals("UTF-8") || !"UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))) {
            System.getLogger(Main.class.getName()).log(System.Logger.Level.WARNING,
                    "file names are not decoded as UTF-8 (file.encoding=" + Charset.defaultCharset()
                            + ", sun.jnu.encoding=" + System.getProperty("sun.jnu.encoding")
                            + "); run with LC_ALL=C.UTF-8 (the ./mirrorfs launcher does)");
        }
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mirrorfs " + (v == null ? "(development build)" : v)};
        }
    }
}
