package dev.burrow.app.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Logging for the command line. Core logs through {@code System.Logger} and JGit through SLF4J, both ending in
 * java.util.logging. The CLI already tells the user everything that matters (warnings through the progress listener,
 * errors as its {@code burrow:} line, the summary), so log records are shown only with {@code BURROW_DEBUG=1}: then
 * Burrow's and JGit's from FINE up and others' from INFO up, one line each, on stderr.
 */
public final class LogSetup {
    /** Held so their levels stick: java.util.logging keeps loggers only weakly. */
    private static final Logger BURROW = Logger.getLogger("dev.burrow");
    private static final Logger JGIT = Logger.getLogger("org.eclipse.jgit");

    private LogSetup() { }

    public static void configure(CliContext context) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        if (!context.debug()) {
            root.setLevel(Level.OFF);
            return;
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(Level.ALL);
        handler.setFormatter(new SimpleFormatter());
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        BURROW.setLevel(Level.FINE);
        JGIT.setLevel(Level.FINE);
    }
}
