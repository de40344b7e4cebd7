package dev.burrow.core.restore;

/**
 * What a restore did.
 *
 * @param files    entries created: files, directories, symlinks, hardlinks, fifos, sockets and devices
 * @param bytes    file content bytes written
 * @param warnings problems reported to the listener that did not stop the restore
 */
public record RestoreResult(long files, long bytes, long warnings) {
    public RestoreResult {
        if (files < 0 || bytes < 0 || warnings < 0) {
            throw new IllegalArgumentException("negative count: files=" + files + " bytes=" + bytes + " warnings="
                    + warnings);
        }
    }
}
