package dev.burrow.core.backup;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;

/**
 * What {@code burrow save} should do: which paths go into a new snapshot on branch {@code name}.
 *
 * @param name       the backup set; the snapshot becomes the new tip of {@code refs/heads/NAME}
 * @param sources    files or directories to save, each at least one
 * @param rewrite    how source paths map to paths inside the snapshot (bup's --strip, --strip-path, --graft)
 * @param date       the commit's author and committer time, with its zone offset
 * @param compression zlib level 0–9 for new objects (bup's default is 1)
 * @param argv       the command line, recorded in the commit message as bup does
 * @param useIndex   whether to skip files that the filesystem index shows unchanged since they were stored, and
 *                   to record what this save stores ({@code false}: read every file, as without an index)
 */
public record SaveRequest(String name, List<Path> sources, PathRewrite rewrite, ZonedDateTime date, int compression,
                          List<String> argv, boolean useIndex) {
    /** A request that uses the filesystem index. */
    public SaveRequest(String name, List<Path> sources, PathRewrite rewrite, ZonedDateTime date, int compression,
                       List<String> argv) {
        this(name, sources, rewrite, date, compression, argv, true);
    }

    public SaveRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rewrite, "rewrite");
        Objects.requireNonNull(date, "date");
        sources = List.copyOf(sources);
        argv = List.copyOf(argv);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no paths to save");
        }
        if (compression < 0 || compression > 9) {
            throw new IllegalArgumentException("compression level must be 0-9, not " + compression);
        }
    }
}
