package io.mirrorfs.fuse;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Configures java.util.logging (behind System.Logger) to print one line per event on stderr. */
final class LogSetup {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /**
     * Chatty libraries (the demo's FTP server logs every command at INFO; at DEBUG the JDK's
     * security events print every certificate of the trust store, 140 lines, when the first TLS
     * context loads); strong refs keep the levels.
     */
    private static final Logger[] QUIET = {Logger.getLogger("org.apache.ftpserver"), Logger.getLogger("org.apache.mina"),
            Logger.getLogger("jdk.event.security")};

    /**
     * HttpClient's DEBUG output (through slf4j-jdk14) prints every request's headers and the wire:
     * {@code Authorization} and {@code Proxy-Authorization} included. Credentials are never
     * logged, so it stays at INFO even with {@code --verbose}.
     */
    private static final Logger HTTP_CLIENT = Logger.getLogger("org.apache.hc");

    private LogSetup() {
    }

    /** Sends every record at {@code level} or above to stderr as {@code TIME LEVEL message}. */
    static void configure(Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new ConsoleHandler();
        handler.setLevel(level);
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                StringBuilder sb = new StringBuilder()
                        .append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(' ')
                        .append(name(r.getLevel())).append(" mirrorfs: ").append(formatMessage(r)).append('\n');
                if (r.getThrown() != null && level.intValue() <= Level.FINE.intValue()) {
                    java.io.StringWriter sw = new java.io.StringWriter();
                    r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
                    sb.append(sw);
                } else if (r.getThrown() != null) {
                    sb.append("    ").append(r.getThrown()).append(" (run with --verbose for the stack trace)\n");
                }
                return sb.toString();
            }
        });
        root.addHandler(handler);
        root.setLevel(level);
        HTTP_CLIENT.setLevel(Level.INFO);
        for (Logger chatty : QUIET) {
            chatty.setLevel(level.intValue() <= Level.FINE.intValue() ? Level.INFO : Level.SEVERE);
        }
    }

    private static String name(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (level.intValue() >= Level.INFO.intValue()) {
            return "INFO";
        }
        return "DEBUG";
    }
}
