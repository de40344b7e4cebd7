package dev.burrow.core.meta;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link Metadata#applyTo} restores metadata.
 *
 * @param restoreOwnership whether to change owner and group (normally only root can)
 * @param numericIds restore the recorded uid and gid as they are, never mapping names to local ids
 * @param warnings receives one line per part that could not be applied, naming the path; called on the
 *     applying thread
 */
public record ApplyOptions(boolean restoreOwnership, boolean numericIds, Consumer<String> warnings) {
    public ApplyOptions {
        Objects.requireNonNull(warnings, "warnings");
    }

    /** Restores ownership by name when this process runs as root (effective uid 0), else leaves it. */
    public static ApplyOptions defaults(Consumer<String> warnings) {
        return new ApplyOptions(Posix.isSupported() && Posix.geteuid() == 0, false, warnings);
    }
}
