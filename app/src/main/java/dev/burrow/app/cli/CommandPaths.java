package dev.burrow.app.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;

/** Turning command-line words into the values engine requests hold. */
final class CommandPaths {
    private CommandPaths() { }

    /** {@code path} against the working directory, without {@code .} and {@code ..} (symlinks are not followed). */
    static Path absolute(Path path) {
        return path.toAbsolutePath().normalize();
    }

    /** bup's {@code --date}: seconds since the epoch in the local zone; null means now. */
    static ZonedDateTime commitDate(Long epochSeconds, CliContext context) {
        Instant instant = epochSeconds == null ? context.clock().instant() : Instant.ofEpochSecond(epochSeconds);
        return ZonedDateTime.ofInstant(instant, context.clock().getZone());
    }
}
