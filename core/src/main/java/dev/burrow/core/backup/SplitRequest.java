package dev.burrow.core.backup;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;

/**
 * What {@code burrow split} should do: chunk one stream (the files concatenated, or standard input) into the
 * repository, and optionally commit it to a branch as bup's {@code split -n} does.
 *
 * @param name        branch to commit to, or null to only write the objects
 * @param files       inputs, concatenated; empty means read {@code stdin}
 * @param stdin       used when {@code files} is empty; not closed
 * @param date        commit time
 * @param compression zlib level 0–9
 * @param argv        the command line, for the commit message
 */
public record SplitRequest(String name, List<Path> files, InputStream stdin, ZonedDateTime date, int compression,
                           List<String> argv) {
    public SplitRequest {
        files = List.copyOf(files);
        argv = List.copyOf(argv);
        Objects.requireNonNull(date, "date");
        if (files.isEmpty()) {
            Objects.requireNonNull(stdin, "stdin");
        }
        if (compression < 0 || compression > 9) {
            throw new IllegalArgumentException("compression level must be 0-9, not " + compression);
        }
    }
}
