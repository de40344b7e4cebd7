package dev.burrow.core.restore;

/**
 * How {@link Restorer} restores metadata.
 *
 * @param restoreOwnership restore owner and group; honoured only when running as root, as bup does
 * @param numericIds       use the recorded uid and gid as they are instead of mapping the recorded user
 *                         and group names to local ids ({@code bup restore --numeric-ids})
 */
public record RestoreOptions(boolean restoreOwnership, boolean numericIds) {
    /** Ownership restored (when root) by name, as {@code bup restore} does by default. */
    public static RestoreOptions defaults() {
        return new RestoreOptions(true, false);
    }
}
