package dev.burrow.app.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Everything a CLI run takes from the outside world, so tests can run commands in-process with their own streams,
 * environment and clocks.
 *
 * @param env       environment variables ({@code BURROW_DIR}, {@code XDG_DATA_HOME}, {@code COLUMNS}, ...)
 * @param home      the user's home directory
 * @param in        standard input (for {@code split -})
 * @param out       standard output: listings, ids, data from {@code join}
 * @param err       standard error: progress, warnings, summaries and errors
 * @param terminal  true when stderr is a terminal, which turns on the live progress line
 * @param nanoClock monotonic time in nanoseconds, for elapsed times and rates
 * @param clock     wall-clock time and zone, for commit dates and listings
 */
public record CliContext(Map<String, String> env, Path home, InputStream in, PrintStream out, PrintStream err,
                         boolean terminal, LongSupplier nanoClock, Clock clock) {
    public CliContext {
        env = Map.copyOf(env);
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(nanoClock, "nanoClock");
        Objects.requireNonNull(clock, "clock");
    }

    /** The context of this process: real streams, environment, clocks; progress only when stderr is a terminal. */
    public static CliContext system() {
        return new CliContext(System.getenv(), homeDirectory(System.getenv()), System.in, System.out,
                System.err, Tty.isTerminal(2), System::nanoTime, Clock.systemDefaultZone());
    }

    /** {@code $HOME} as the XDG rules mean it; Java's user.home comes from the password database instead. */
    static Path homeDirectory(Map<String, String> env) {
        String home = env.get("HOME");
        return home != null && !home.isEmpty() ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }

    /** A non-empty environment variable, or null. */
    String getenv(String name) {
        String value = env.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /** Terminal width from {@code COLUMNS}, else 80. */
    int columns() {
        String value = getenv("COLUMNS");
        if (value != null) {
            try {
                int columns = Integer.parseInt(value.trim());
                if (columns >= 20) {
                    return columns;
                }
            } catch (NumberFormatException e) {
                // Not a number: fall back to the classic width.
            }
        }
        return 80;
    }

    boolean debug() {
        return "1".equals(getenv("BURROW_DEBUG"));
    }
}
